package io.numpywren.matrix;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.storage.InMemoryBlockStore;

import java.nio.file.Path;

/** The store implementations the matrix tests run against. */
enum TestStores {
    IN_MEMORY {
        @Override
        BlockStore open(Path tempDir) {
            return new InMemoryBlockStore();
        }
    },
    FILE_SYSTEM {
        @Override
        BlockStore open(Path tempDir) {
            return new FileSystemBlockStore(tempDir.resolve("store"));
        }
    };

    abstract BlockStore open(Path tempDir);
}
