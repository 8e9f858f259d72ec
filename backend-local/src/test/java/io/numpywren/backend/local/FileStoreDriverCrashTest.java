package io.numpywren.backend.local;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import io.numpywren.tck.DriverCrashTck;

import java.util.Map;

/** The crash kit on the file store: a driver JVM killed with SIGKILL five times and resumed each time. */
class FileStoreDriverCrashTest extends DriverCrashTck {
    private String storeUrl() {
        return "file:" + dir.resolve("store");
    }

    @Override
    protected Map<String, String> driverSettings() {
        return Map.of("numpywren.store", storeUrl());
    }

    @Override
    protected BlockStore openStore() {
        return BlockStores.open(storeUrl(), section -> Map.of());
    }
}
