package io.numpywren.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectNamesTest {

    @Test
    void keysBecomeNamesBelowThePrefixAndBack() {
        ObjectNames names = new ObjectNames("gs", "Cloud Storage", "b", "/team/a/", 1024);

        assertThat(names.name("ns/A/0_0")).isEqualTo("team/a/ns/A/0_0");
        assertThat(names.key("team/a/ns/A/0_0")).isEqualTo("ns/A/0_0");
        assertThat(names.namePrefix("ns/")).isEqualTo("team/a/ns/");
        assertThat(names.prefix()).isEqualTo("team/a");
        assertThat(names.where("team/a/x")).isEqualTo("gs://b/team/a/x");
        assertThat(names.location()).isEqualTo("gs://b/team/a/");
        assertThat(new ObjectNames("s3", "S3", "b", "", 1024).location()).isEqualTo("s3://b/");
    }

    @Test
    void aNameLongerThanTheServiceAllowsOrAnInvalidKeyIsRefusedNamingTheKey() {
        ObjectNames names = new ObjectNames("s3", "S3", "b", "p".repeat(1000), 1024);

        assertThatThrownBy(() -> names.name("k".repeat(30))).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("1031 bytes, more than S3's 1024");
        assertThat(names.name("k".repeat(23))).hasSize(1024);
        assertThatThrownBy(() -> names.name("../x")).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> names.namePrefix("/abs")).isInstanceOf(InvalidKeyException.class);
    }
}
