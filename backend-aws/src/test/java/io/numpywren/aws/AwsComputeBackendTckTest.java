package io.numpywren.aws;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.ComputeBackendTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

/** The ComputeBackend suite on the Lambda backend: the stand-in's worker JVMs, S3Mock for blocks. */
class AwsComputeBackendTckTest extends ComputeBackendTck {
    @Override
    protected BlockStore newStore() {
        return AwsTck.store();
    }

    @Override
    protected ComputeBackend newBackend(BlockStore store) {
        return AwsTck.backend();
    }

    @Override
    protected Set<TckCapability> capabilities() {
        return AwsTck.capabilities();
    }

    @Override
    protected Optional<OutsideAccess> outsideAccess() {
        return Optional.of(AwsTck.outsideAccess());
    }

    @Test
    void declaresWhatTheLambdaBackendCanDo() {
        AwsTck.assertDeclaredCapabilitiesHold(capabilities(), newBackend(store));
    }
}
