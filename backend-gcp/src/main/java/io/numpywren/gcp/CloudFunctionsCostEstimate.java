package io.numpywren.gcp;

import io.numpywren.backend.SettingsReader;

import java.util.Map;

/**
 * What a job on Cloud Functions (2nd gen, billed as Cloud Run with CPU allocated during requests
 * only) and Cloud Storage costs, estimated from its report (see backend-gcp/README.md, "What a job
 * costs"): one request per task attempt; vCPU-seconds and GiB-seconds from the workers' busy time
 * and the function's vCPUs and memory; one Class A operation per block written in one request (a
 * resumable upload is one to start plus one per chunk) and one Class B operation per block read;
 * and the peak intermediates held for the job's wall time. Cold starts, the 100 ms rounding of
 * each request and free tiers are not counted.
 *
 * @param requests        task attempts
 * @param vcpuSeconds     billed CPU time
 * @param gibSeconds      billed memory time
 * @param classAOps       Cloud Storage Class A operations (uploads)
 * @param classBOps       Cloud Storage Class B operations (downloads)
 * @param storageGbMonths the peak intermediates for the job's duration
 * @param dollars         the total at {@link Prices}
 */
public record CloudFunctionsCostEstimate(long requests, double vcpuSeconds, double gibSeconds, long classAOps,
                                         long classBOps, double storageGbMonths, double dollars) {
    private static final double GB = 1L << 30;
    private static final double SECONDS_PER_MONTH = 30.0 * 24 * 3600;

    /**
     * Prices in US dollars. The defaults (numpywren.backends.gcp.prices) are Tier 1 regions'
     * (us-central1 among them) and Standard storage in us-central1, as quoted in
     * backend-gcp/README.md; set your region's.
     */
    public record Prices(double perMillionRequests, double perVcpuSecond, double perGibSecond,
                         double classAPerThousand, double classBPerThousand, double perGbMonth) {
        public static final Prices TIER_1 = new Prices(0.40, 0.000024, 0.0000025, 0.005, 0.0004, 0.020);

        /** From flattened backend settings ({@code prices.per-vcpu-second} and so on); absent keys keep the default. */
        public static Prices from(Map<String, String> settings) {
            SettingsReader r = new SettingsReader("numpywren.backends.gcp", settings);
            Prices prices = new Prices(
                    r.price("prices.per-million-requests", TIER_1.perMillionRequests),
                    r.price("prices.per-vcpu-second", TIER_1.perVcpuSecond),
                    r.price("prices.per-gib-second", TIER_1.perGibSecond),
                    r.price("prices.storage-class-a-per-thousand", TIER_1.classAPerThousand),
                    r.price("prices.storage-class-b-per-thousand", TIER_1.classBPerThousand),
                    r.price("prices.storage-per-gb-month", TIER_1.perGbMonth));
            r.throwIfProblems();
            return prices;
        }
    }

    /**
     * @param attempts           tasks + retries + speculative copies + lease re-dispatches
     * @param busySeconds        the report's worker-seconds busy
     * @param memoryMib          the function's memory
     * @param cpu                the function's vCPUs
     * @param bytesRead          the report's bytes read
     * @param bytesWritten       the report's bytes written
     * @param blockBytes         bytes of one stored block (header included)
     * @param resumableThreshold blocks above it are uploaded resumably
     * @param chunkBytes         a resumable upload's chunk
     * @param peakIntermediates  the report's peak intermediate blocks
     * @param wallSeconds        the job's wall time
     */
    public static CloudFunctionsCostEstimate of(long attempts, double busySeconds, int memoryMib, int cpu,
                                                long bytesRead, long bytesWritten, long blockBytes,
                                                long resumableThreshold, long chunkBytes, long peakIntermediates,
                                                double wallSeconds, Prices prices) {
        if (blockBytes <= 0 || chunkBytes <= 0) {
            throw new IllegalArgumentException("block and chunk sizes must be positive, got " + blockBytes + " and "
                    + chunkBytes);
        }
        double vcpuSeconds = busySeconds * cpu;
        double gibSeconds = busySeconds * memoryMib / 1024.0;
        long blocksWritten = Math.round((double) bytesWritten / blockBytes);
        long opsPerUpload = blockBytes > resumableThreshold ? 1 + (blockBytes + chunkBytes - 1) / chunkBytes : 1;
        long classA = blocksWritten * opsPerUpload;
        long classB = Math.round((double) bytesRead / blockBytes);
        double gbMonths = peakIntermediates * blockBytes / GB * wallSeconds / SECONDS_PER_MONTH;
        double dollars = attempts / 1e6 * prices.perMillionRequests()
                + vcpuSeconds * prices.perVcpuSecond()
                + gibSeconds * prices.perGibSecond()
                + classA / 1e3 * prices.classAPerThousand()
                + classB / 1e3 * prices.classBPerThousand()
                + gbMonths * prices.perGbMonth();
        return new CloudFunctionsCostEstimate(attempts, vcpuSeconds, gibSeconds, classA, classB, gbMonths, dollars);
    }
}
