package io.liteboxd.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles and medians. */
public final class Stats {

    /** The percentiles kept for the latency chart (denser towards the tail). */
    public static final double[] CHART_PERCENTILES = {
        0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5, 99, 99.25, 99.5, 99.75,
        99.9, 99.95, 99.99, 100
    };

    private Stats() {
    }

    /** Nearest-rank percentile of sorted values (0 for none). */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        if (p <= 0) {
            return sorted[0];
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    /** Median of the non-null values; NaN when there are none. */
    public static double median(List<Double> values) {
        double[] v = values.stream().filter(x -> x != null && !x.isNaN()).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
