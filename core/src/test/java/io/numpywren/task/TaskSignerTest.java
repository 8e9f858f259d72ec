package io.numpywren.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskSignerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String key = TaskSigner.newKey();
    private final TaskSigner signer = TaskSigner.fromBase64(key, "the test");

    private static TaskSpec scale(String output) {
        return new TaskSpec(TaskSpec.VERSION, "job1", "t1", 1, "jobs/job1", List.of("in"), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of("in/A/0_0"),
                List.of(new TaskSpec.OutputBlock(output, "float64")));
    }

    /** The request with its signed payload's text changed by {@code edit}, signature kept. */
    private static byte[] tampered(byte[] request, java.util.function.UnaryOperator<String> edit) throws Exception {
        ObjectNode envelope = (ObjectNode) JSON.readTree(request);
        envelope.put("signed", edit.apply(envelope.get("signed").asText()));
        return JSON.writeValueAsBytes(envelope);
    }

    @Test
    void aSignedSpecVerifiesAsItWasSent() {
        TaskSpec spec = scale("jobs/job1/B/0_0");

        assertThat(signer.verify(signer.sign(spec))).isEqualTo(spec);
    }

    @Test
    void everyForgeryIsRefusedSayingWhatIsWrongAndNeverShowingTheKey() throws Exception {
        byte[] good = signer.sign(scale("jobs/job1/B/0_0"));
        TaskSigner other = TaskSigner.fromBase64(TaskSigner.newKey(), "another deployment");
        Map<byte[], String> forgeries = new java.util.LinkedHashMap<>();
        forgeries.put(TaskCodec.encode(scale("jobs/job1/B/0_0")), "not signed");
        forgeries.put(tampered(good, s -> s.replace("jobs/job1/B/0_0", "jobs/other/B/0_0")), "altered");
        forgeries.put(tampered(good, s -> s.replace("\"2.0\"", "\"1.0E300\"")), "altered");
        forgeries.put(tampered(good, s -> s.replaceFirst("\"expires\":\\d+", "\"expires\":99999999999")), "altered");
        forgeries.put(other.sign(scale("jobs/job1/B/0_0")), "signed with key " + other.keyId() + ", not this deployment's key "
                + signer.keyId());
        forgeries.put(signedAt(Instant.now().minus(TaskSigner.DEFAULT_VALIDITY).minusSeconds(90)), "expired at");
        forgeries.put("{\"signed\":\"{}\",\"signature\":\"***\"}".getBytes(StandardCharsets.UTF_8), "not base64");
        forgeries.put("not json".getBytes(StandardCharsets.UTF_8), "not JSON");
        forgeries.put("[]".getBytes(StandardCharsets.UTF_8), "not signed");

        for (Map.Entry<byte[], String> f : forgeries.entrySet()) {
            assertThatThrownBy(() -> signer.verify(f.getKey())).as(f.getValue())
                    .isInstanceOf(MalformedTaskException.class).hasMessageContaining(f.getValue())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
        }
        assertThat(signer.toString()).doesNotContain(key).contains(signer.keyId());
    }

    private byte[] signedAt(Instant when) {
        return TaskSigner.fromBase64(key, "the past", Clock.fixed(when, ZoneOffset.UTC), TaskSigner.DEFAULT_VALIDITY)
                .sign(scale("jobs/job1/B/0_0"));
    }

    @Test
    void aBadKeyIsRefusedWithoutEchoingIt() {
        String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> TaskSigner.fromBase64(shortKey, "NUMPYWREN_X")).hasMessageContaining("16 bytes")
                .hasMessageContaining("NUMPYWREN_X").satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortKey));
        assertThatThrownBy(() -> TaskSigner.fromBase64("s3cr3t!!", "NUMPYWREN_X")).hasMessageContaining("not base64")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> TaskSigner.fromBase64(" ", "NUMPYWREN_X")).hasMessageContaining("empty");
    }

    @Test
    void aWorkerRunsOnlySignedSpecsAndAForgedOneTouchesNoBlock() throws Exception {
        InMemoryBlockStore store = new InMemoryBlockStore();
        store.put("in/A/0_0", BlockCodec.encode(Block.ofRows(new double[] {1, 2}, new double[] {3, 4})));
        TaskExecutor worker = new TaskExecutor(store, LinearAlgebraProviders.configured(), "w");

        TaskResult forged = TaskCodec.decodeResult(worker.executeSigned(
                TaskCodec.encode(scale("jobs/job1/B/0_0")), signer));
        TaskResult altered = TaskCodec.decodeResult(worker.executeSigned(
                tampered(signer.sign(scale("jobs/job1/B/0_0")), s -> s.replace("B/0_0", "C/0_0")), signer));
        assertThat(List.of(forged, altered)).allSatisfy(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
            assertThat(r.error().type()).isEqualTo("forged-spec");
        });
        assertThat(store.list("jobs/")).isEmpty();

        TaskResult signed = TaskCodec.decodeResult(worker.executeSigned(signer.sign(scale("jobs/job1/B/0_0")), signer));
        assertThat(signed.ok()).as("%s", signed.error()).isTrue();
        assertThat(BlockCodec.decode("jobs/job1/B/0_0", store.get("jobs/job1/B/0_0")).data()).containsExactly(2, 6, 4, 8);
    }

    @Test
    void aJobWhoseNamespaceOverlapsAnInputsIsRefused() {
        InMemoryBlockStore store = new InMemoryBlockStore();
        TaskExecutor worker = new TaskExecutor(store, LinearAlgebraProviders.configured(), "w");
        for (String[] ns : new String[][] {{"data/A", "data/A/0_0"}, {"data", "data/A/0_0"}, {"data/A/x", "data/A/x/0_0"}}) {
            store.replace("data/A/0_0", BlockCodec.encode(Block.ofRows(new double[] {1})));
            TaskSpec spec = new TaskSpec(TaskSpec.VERSION, "j", "t", 1, ns[0], List.of("data/A"), "scale",
                    Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of("data/A/0_0"),
                    List.of(new TaskSpec.OutputBlock(ns[1], "float64")));

            TaskResult r = worker.execute(spec);

            assertThat(r.ok()).as(ns[0]).isFalse();
            assertThat(r.error().message()).contains("overlaps its input namespace 'data/A'");
            assertThat(BlockCodec.decode("data/A/0_0", store.get("data/A/0_0")).data()).containsExactly(1);
        }
    }
}
