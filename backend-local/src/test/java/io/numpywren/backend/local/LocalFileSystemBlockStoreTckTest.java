package io.numpywren.backend.local;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.tck.BlockStoreTck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The block store contract for the file-system store. */
class LocalFileSystemBlockStoreTckTest extends BlockStoreTck {

    @TempDir
    Path tmp;

    @Override
    protected BlockStore newStore() {
        return new FileSystemBlockStore(tmp.resolve("store"));
    }

    /** No operation of any test, valid or rejected, created anything beside the store's root. */
    @AfterEach
    void nothingWasWrittenOutsideTheRoot() throws IOException {
        try (Stream<Path> children = Files.list(tmp)) {
            assertThat(children.map(p -> p.getFileName().toString())).containsExactly("store");
        }
    }
}
