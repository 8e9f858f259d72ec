package io.numpywren.aws;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LambdaCostEstimateTest {
    private static final long MIB = 1L << 20;

    @Test
    void eachTermFollowsFromTheReportAndThePrices() {
        // 100 attempts busy 400 s at 2048 MB; 16 MiB blocks (above the 8 MiB part size: 2 parts,
        // so 4 requests each); 300 blocks read, 120 written; 10 blocks held for an hour.
        long block = 16 * MIB;
        LambdaCostEstimate.Prices prices = new LambdaCostEstimate.Prices(1.0, 0.001, 0.01, 0.002, 0.5);
        LambdaCostEstimate e = LambdaCostEstimate.of(100, 400.0, 2048, 300 * block, 120 * block, block, 8 * MIB, 10,
                3600.0, prices);
        assertThat(e.invocations()).isEqualTo(100);
        assertThat(e.gbSeconds()).isCloseTo(800.0, within(1e-9));
        assertThat(e.putRequests()).isEqualTo(120 * 4);
        assertThat(e.getRequests()).isEqualTo(300);
        double gbMonths = 10 * 16.0 / 1024 / (30 * 24);
        assertThat(e.storageGbMonths()).isCloseTo(gbMonths, within(1e-12));
        double expected = 100 / 1e6 * 1.0 + 800 * 0.001 + 480 / 1e3 * 0.01 + 300 / 1e3 * 0.002 + gbMonths * 0.5;
        assertThat(e.dollars()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void smallBlocksAreOnePutEach() {
        LambdaCostEstimate e = LambdaCostEstimate.of(10, 1.0, 1024, 50 * MIB, 20 * MIB, MIB, 8 * MIB, 0, 1.0,
                LambdaCostEstimate.Prices.US_EAST_1);
        assertThat(e.putRequests()).isEqualTo(20);
        assertThat(e.getRequests()).isEqualTo(50);
        assertThat(e.storageGbMonths()).isZero();
    }

    @Test
    void pricesComeFromSettingsAndBadOnesAreNamed() {
        LambdaCostEstimate.Prices p = LambdaCostEstimate.Prices.from(Map.of("prices.lambda-per-gb-second", "0.00002"));
        assertThat(p.lambdaPerGbSecond()).isEqualTo(0.00002);
        assertThat(p.s3GetPerThousand()).isEqualTo(LambdaCostEstimate.Prices.US_EAST_1.s3GetPerThousand());
        assertThatThrownBy(() -> LambdaCostEstimate.Prices.from(Map.of("prices.s3-per-gb-month", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numpywren.backends.aws: prices.s3-per-gb-month must be a price in dollars").hasMessageContaining("'-1'");
    }
}
