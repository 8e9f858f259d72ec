package io.numpywren.cli;

import io.numpywren.aws.LambdaCostEstimate;
import io.numpywren.azure.AzureFunctionsCostEstimate;
import io.numpywren.azure.AzureSettings;
import io.numpywren.azure.BlobBlockStore;
import io.numpywren.aws.S3BlockStore;
import io.numpywren.codec.BlockCodec;
import io.numpywren.gcp.CloudFunctionsCostEstimate;
import io.numpywren.gcp.GcpSettings;
import io.numpywren.gcp.GcsBlockStore;
import com.typesafe.config.Config;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.PlatformModel;
import io.numpywren.scheduler.Numpywren;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What a run cost on a cloud backend, by its report and the prices in that backend's settings. */
final class CostEstimates {
    /** The report's line, and what --json records. */
    record Estimate(String line, Object details) {
    }

    private CostEstimates() {
    }

    static Optional<Estimate> of(Numpywren nw, JobReport r, int block) {
        return of(nw.config(), r, block, null);
    }

    /**
     * The estimate from the prices in {@code config}; a worker's memory (and vCPUs) from {@code model}
     * when planning, else from the backend's settings.
     */
    static Optional<Estimate> of(Config config, JobReport r, int block, PlatformModel model) {
        long blockBytes = (long) block * block * 8 + BlockCodec.HEADER_BYTES;
        long attempts = r.tasks() + r.retries() + r.speculativeCopies() + r.leaseExpiries();
        switch (r.backend()) {
            case "aws" -> {
                Map<String, String> settings = Numpywren.settings(config, "numpywren.backends.aws");
                LambdaCostEstimate c = LambdaCostEstimate.of(attempts, r.workerSecondsBusy(),
                        model != null ? model.memoryMb() : config.getInt("numpywren.backends.aws.memory"), r.bytesRead(), r.bytesWritten(), blockBytes,
                        S3BlockStore.DEFAULT_PART_SIZE, r.peakIntermediateBlocks(), r.wallSeconds(),
                        LambdaCostEstimate.Prices.from(settings));
                return Optional.of(new Estimate(String.format(Locale.ROOT, "$%.4f (Lambda: %d invocations, %.1f GB-s; "
                        + "S3: %d PUT, %d GET requests; no cold starts counted)", c.dollars(), c.invocations(),
                        c.gbSeconds(), c.putRequests(), c.getRequests()), c));
            }
            case "gcp" -> {
                Map<String, String> settings = Numpywren.settings(config, "numpywren.backends.gcp");
                int memory;
                int cpu;
                if (model != null) {
                    memory = model.memoryMb();
                    cpu = (int) Math.ceil(model.vcpus());
                } else {
                    GcpSettings gcp = GcpSettings.from(settings);
                    memory = gcp.memoryMib();
                    cpu = gcp.cpu();
                }
                CloudFunctionsCostEstimate c = CloudFunctionsCostEstimate.of(attempts, r.workerSecondsBusy(),
                        memory, cpu, r.bytesRead(), r.bytesWritten(), blockBytes,
                        GcsBlockStore.DEFAULT_RESUMABLE_THRESHOLD, GcsBlockStore.DEFAULT_CHUNK_BYTES,
                        r.peakIntermediateBlocks(), r.wallSeconds(), CloudFunctionsCostEstimate.Prices.from(settings));
                return Optional.of(new Estimate(String.format(Locale.ROOT, "$%.4f (Cloud Functions: %d requests, "
                        + "%.1f vCPU-s, %.1f GiB-s; Cloud Storage: %d Class A, %d Class B operations; no cold starts "
                        + "or free tier counted)", c.dollars(), c.requests(), c.vcpuSeconds(), c.gibSeconds(),
                        c.classAOps(), c.classBOps()), c));
            }
            case "azure" -> {
                Map<String, String> settings = Numpywren.settings(config, "numpywren.backends.azure");
                AzureFunctionsCostEstimate c = AzureFunctionsCostEstimate.of(attempts, r.workerSecondsBusy(),
                        model != null ? model.memoryMb() : AzureSettings.from(settings).memoryMb(), r.bytesRead(), r.bytesWritten(), blockBytes,
                        BlobBlockStore.DEFAULT_SINGLE_UPLOAD_BYTES, r.peakIntermediateBlocks(), r.wallSeconds(),
                        AzureFunctionsCostEstimate.Prices.from(settings));
                return Optional.of(new Estimate(String.format(Locale.ROOT, "$%.4f (Azure Functions: %d executions, "
                        + "%.1f GB-s; Blob Storage: %d write, %d read operations; no cold starts or free grant counted)",
                        c.dollars(), c.executions(), c.gbSeconds(), c.writeOps(), c.readOps()), c));
            }
            default -> {
                return Optional.empty();
            }
        }
    }
}
