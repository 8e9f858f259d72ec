package io.numpywren.aws;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.AlgorithmTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.util.Set;

/** The Algorithm suite: every algorithm end to end through the scheduler on the Lambda stand-in and S3Mock. */
class AwsAlgorithmTckTest extends AlgorithmTck {
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
