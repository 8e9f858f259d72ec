package io.numpywren.azure;

import io.numpywren.backend.SettingsReader;

import java.util.Map;

/**
 * What a job on Azure Functions (Flex Consumption, on-demand instances) and Blob Storage costs,
 * estimated from its report (see backend-azure/README.md, "What a job costs"): one execution per
 * task attempt; GB-seconds from the workers' busy time and the instance memory (Flex bills the
 * instance's whole memory while it executes); one write operation per block uploaded in one
 * request (a staged upload is one Put Block per staged block plus the Put Block List) and one read
 * operation per block read; and the peak intermediates held for the job's wall time. Cold starts,
 * the free monthly grant and always-ready instances are not counted.
 *
 * @param executions      task attempts
 * @param gbSeconds       billed execution time
 * @param writeOps        Blob Storage write operations
 * @param readOps         Blob Storage read operations
 * @param storageGbMonths the peak intermediates for the job's duration
 * @param dollars         the total at {@link Prices}
 */
public record AzureFunctionsCostEstimate(long executions, double gbSeconds, long writeOps, long readOps,
                                         double storageGbMonths, double dollars) {
    private static final double GB = 1L << 30;
    private static final double SECONDS_PER_MONTH = 30.0 * 24 * 3600;

    /**
     * Prices in US dollars. The defaults (numpywren.backends.azure.prices) are Flex Consumption's
     * on-demand rates and Hot LRS block blobs in East US, as quoted in backend-azure/README.md; set
     * your region's.
     */
    public record Prices(double perMillionExecutions, double perGbSecond, double writePerTenThousand,
                         double readPerTenThousand, double perGbMonth) {
        public static final Prices EAST_US = new Prices(0.40, 0.000026, 0.05, 0.004, 0.018);

        /** From flattened backend settings ({@code prices.per-gb-second} and so on); absent keys keep the default. */
        public static Prices from(Map<String, String> settings) {
            SettingsReader r = new SettingsReader("numpywren.backends.azure", settings);
            Prices prices = new Prices(
                    r.price("prices.per-million-executions", EAST_US.perMillionExecutions),
                    r.price("prices.per-gb-second", EAST_US.perGbSecond),
                    r.price("prices.blob-write-per-ten-thousand", EAST_US.writePerTenThousand),
                    r.price("prices.blob-read-per-ten-thousand", EAST_US.readPerTenThousand),
                    r.price("prices.blob-per-gb-month", EAST_US.perGbMonth));
            r.throwIfProblems();
            return prices;
        }
    }

    /**
     * @param attempts          tasks + retries + speculative copies + lease re-dispatches
     * @param busySeconds       the report's worker-seconds busy
     * @param memoryMb          an instance's memory
     * @param bytesRead         the report's bytes read
     * @param bytesWritten      the report's bytes written
     * @param blockBytes        bytes of one stored block (header included)
     * @param singleUploadBytes blocks above it are uploaded as staged blocks of this size
     * @param peakIntermediates the report's peak intermediate blocks
     * @param wallSeconds       the job's wall time
     */
    public static AzureFunctionsCostEstimate of(long attempts, double busySeconds, int memoryMb, long bytesRead,
                                                long bytesWritten, long blockBytes, long singleUploadBytes,
                                                long peakIntermediates, double wallSeconds, Prices prices) {
        if (blockBytes <= 0 || singleUploadBytes <= 0) {
            throw new IllegalArgumentException("block and upload sizes must be positive, got " + blockBytes + " and "
                    + singleUploadBytes);
        }
        double gbSeconds = busySeconds * memoryMb / 1024.0;
        long blocksWritten = Math.round((double) bytesWritten / blockBytes);
        long opsPerUpload = blockBytes > singleUploadBytes ? (blockBytes + singleUploadBytes - 1) / singleUploadBytes + 1 : 1;
        long writes = blocksWritten * opsPerUpload;
        long reads = Math.round((double) bytesRead / blockBytes);
        double gbMonths = peakIntermediates * blockBytes / GB * wallSeconds / SECONDS_PER_MONTH;
        double dollars = attempts / 1e6 * prices.perMillionExecutions()
                + gbSeconds * prices.perGbSecond()
                + writes / 1e4 * prices.writePerTenThousand()
                + reads / 1e4 * prices.readPerTenThousand()
                + gbMonths * prices.perGbMonth();
        return new AzureFunctionsCostEstimate(attempts, gbSeconds, writes, reads, gbMonths, dollars);
    }
}
