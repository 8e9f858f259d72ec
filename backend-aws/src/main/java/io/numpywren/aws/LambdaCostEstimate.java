package io.numpywren.aws;

import io.numpywren.backend.SettingsReader;

import java.util.Map;

/**
 * What a job on Lambda and S3 costs, estimated from its report (see backend-aws/README.md, "What
 * a job costs"): one invocation per task attempt, GB-seconds from the workers' busy time and the
 * function's memory, one S3 PUT per block written (a multipart upload is 2 + parts requests) and
 * one GET per block read, and the peak intermediates held for the job's wall time. Cold starts
 * and the handler's own overhead are not in the report, so the estimate is a lower bound.
 *
 * @param invocations     task attempts
 * @param gbSeconds       billed Lambda duration
 * @param putRequests     S3 PUT-class requests (PUT, multipart create/part/complete)
 * @param getRequests     S3 GET requests
 * @param storageGbMonths the peak intermediates for the job's duration
 * @param dollars         the total at {@link Prices}
 */
public record LambdaCostEstimate(long invocations, double gbSeconds, long putRequests, long getRequests,
                                 double storageGbMonths, double dollars) {
    private static final double GB = 1L << 30;
    private static final double SECONDS_PER_MONTH = 30.0 * 24 * 3600;

    /**
     * Prices in US dollars. The defaults (numpywren.backends.aws.prices) are us-east-1's, x86_64,
     * S3 Standard, as quoted in backend-aws/README.md; set your region's.
     */
    public record Prices(double lambdaPerMillionRequests, double lambdaPerGbSecond, double s3PutPerThousand,
                         double s3GetPerThousand, double s3PerGbMonth) {
        public static final Prices US_EAST_1 = new Prices(0.20, 0.0000166667, 0.005, 0.0004, 0.023);

        /** From flattened backend settings ({@code prices.lambda-gb-second} and so on); absent keys keep the default. */
        public static Prices from(Map<String, String> settings) {
            SettingsReader r = new SettingsReader("numpywren.backends.aws", settings);
            Prices prices = new Prices(
                    r.price("prices.lambda-per-million-requests", US_EAST_1.lambdaPerMillionRequests),
                    r.price("prices.lambda-per-gb-second", US_EAST_1.lambdaPerGbSecond),
                    r.price("prices.s3-put-per-thousand", US_EAST_1.s3PutPerThousand),
                    r.price("prices.s3-get-per-thousand", US_EAST_1.s3GetPerThousand),
                    r.price("prices.s3-per-gb-month", US_EAST_1.s3PerGbMonth));
            r.throwIfProblems();
            return prices;
        }
    }

    /**
     * @param attempts          tasks + retries + speculative copies + lease re-dispatches
     * @param busySeconds       the report's worker-seconds busy
     * @param memoryMb          the function's memory
     * @param bytesRead         the report's bytes read
     * @param bytesWritten      the report's bytes written
     * @param blockBytes        bytes of one stored block (header included)
     * @param partBytes         the multipart part size; blocks above it are uploaded in parts
     * @param peakIntermediates the report's peak intermediate blocks
     * @param wallSeconds       the job's wall time
     */
    public static LambdaCostEstimate of(long attempts, double busySeconds, int memoryMb, long bytesRead,
                                        long bytesWritten, long blockBytes, long partBytes, long peakIntermediates,
                                        double wallSeconds, Prices prices) {
        if (blockBytes <= 0 || partBytes <= 0) {
            throw new IllegalArgumentException("block and part sizes must be positive, got " + blockBytes + " and "
                    + partBytes);
        }
        double gbSeconds = busySeconds * memoryMb / 1024.0;
        long blocksWritten = Math.round((double) bytesWritten / blockBytes);
        long requestsPerPut = blockBytes > partBytes ? 2 + (blockBytes + partBytes - 1) / partBytes : 1;
        long puts = blocksWritten * requestsPerPut;
        long gets = Math.round((double) bytesRead / blockBytes);
        double gbMonths = peakIntermediates * blockBytes / GB * wallSeconds / SECONDS_PER_MONTH;
        double dollars = attempts / 1e6 * prices.lambdaPerMillionRequests()
                + gbSeconds * prices.lambdaPerGbSecond()
                + puts / 1e3 * prices.s3PutPerThousand()
                + gets / 1e3 * prices.s3GetPerThousand()
                + gbMonths * prices.s3PerGbMonth();
        return new LambdaCostEstimate(attempts, gbSeconds, puts, gets, gbMonths, dollars);
    }
}
