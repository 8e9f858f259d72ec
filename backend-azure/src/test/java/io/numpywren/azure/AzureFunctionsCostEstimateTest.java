package io.numpywren.azure;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AzureFunctionsCostEstimateTest {
    private static final long MIB = 1L << 20;

    @Test
    void eachTermFollowsFromTheReportAndThePrices() {
        // 100 attempts busy 400 s at 2048 MB; 20 MiB blocks above the 8 MiB single upload: 3 staged
        // blocks and a Put Block List, 4 writes each; 300 blocks read, 120 written; 10 held for an hour.
        long block = 20 * MIB;
        AzureFunctionsCostEstimate.Prices prices = new AzureFunctionsCostEstimate.Prices(1.0, 0.001, 0.01, 0.002, 0.5);
        AzureFunctionsCostEstimate e = AzureFunctionsCostEstimate.of(100, 400.0, 2048, 300 * block, 120 * block, block,
                8 * MIB, 10, 3600.0, prices);
        assertThat(e.executions()).isEqualTo(100);
        assertThat(e.gbSeconds()).isCloseTo(800.0, within(1e-9));
        assertThat(e.writeOps()).isEqualTo(120 * 4);
        assertThat(e.readOps()).isEqualTo(300);
        double gbMonths = 10 * 20.0 / 1024 / (30 * 24);
        assertThat(e.storageGbMonths()).isCloseTo(gbMonths, within(1e-12));
        double expected = 100 / 1e6 * 1.0 + 800 * 0.001 + 480 / 1e4 * 0.01 + 300 / 1e4 * 0.002 + gbMonths * 0.5;
        assertThat(e.dollars()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void smallBlocksAreOneWriteEach() {
        AzureFunctionsCostEstimate e = AzureFunctionsCostEstimate.of(10, 1.0, 4096, 50 * MIB, 20 * MIB, MIB, 8 * MIB, 0,
                1.0, AzureFunctionsCostEstimate.Prices.EAST_US);
        assertThat(e.writeOps()).isEqualTo(20);
        assertThat(e.readOps()).isEqualTo(50);
        assertThat(e.gbSeconds()).isCloseTo(4.0, within(1e-12));
        assertThat(e.storageGbMonths()).isZero();
    }

    @Test
    void pricesComeFromSettingsAndBadOnesAreNamed() {
        AzureFunctionsCostEstimate.Prices p = AzureFunctionsCostEstimate.Prices.from(Map.of("prices.per-gb-second", "0.00002"));
        assertThat(p.perGbSecond()).isEqualTo(0.00002);
        assertThat(p.readPerTenThousand()).isEqualTo(AzureFunctionsCostEstimate.Prices.EAST_US.readPerTenThousand());
        assertThatThrownBy(() -> AzureFunctionsCostEstimate.Prices.from(Map.of("prices.blob-per-gb-month", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numpywren.backends.azure: prices.blob-per-gb-month must be a price in dollars");
    }
}
