package io.numpywren.aws;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.BadInputTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.util.Set;

/** The BadInput suite on the Lambda stand-in and S3Mock. */
class AwsBadInputTckTest extends BadInputTck {
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

    @Test
    void declaresWhatTheLambdaBackendCanDo() {
        AwsTck.assertDeclaredCapabilitiesHold(capabilities(), AwsTck.backend());
    }
}
