package io.liteboxd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Latency distributions as a PNG, drawn with java.awt (headless; no plotting library needed): percentile on a
 * "nines" axis (0, 50, 90, 99, 99.9, 99.99) against latency on a log axis, one line per contender.
 */
public final class Chart {

    static final Map<String, Color> COLORS = Map.of(
            "direct", new Color(0x55, 0x55, 0x55),
            "gateway", new Color(0xd6, 0x27, 0x28),
            "tomcat", new Color(0xff, 0x7f, 0x0e),
            "nginx", new Color(0x2c, 0xa0, 0x2c),
            "node", new Color(0x1f, 0x77, 0xb4),
            "jetty-proxy", new Color(0x94, 0x67, 0xbd),
            "smiley", new Color(0x8c, 0x56, 0x4b),
            // The same servlets in Tomcat: lighter shades of their Jetty versions' colours.
            "jetty-proxy-tomcat", new Color(0xc5, 0xb0, 0xd5),
            "smiley-tomcat", new Color(0xc4, 0x9c, 0x94));

    private static final int W = 1400;
    private static final int H = 620;

    private Chart() {
    }

    /** Renders both panels; false if there was nothing to draw. */
    public static boolean render(JsonNode results, Path png) throws IOException {
        Map<String, double[][]> ws = series(results, "rate.ws64.p99", "rate.ws64", "distribution");
        Map<String, double[][]> http = series(results, "http.get.p99", "wrk", "dist");
        if (ws.isEmpty() && http.isEmpty()) {
            return false;
        }
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            panel(g, 0, "WebSocket round trip, 64 B at a fixed rate", ws);
            panel(g, W / 2, "HTTP small GET (wrk, 50 connections)", http);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", png.toFile());
        return true;
    }

    /** For each contender, the distribution of the run whose {@code p99Key} is closest to the median. */
    static Map<String, double[][]> series(JsonNode results, String p99Key, String rawKey, String distKey) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (String c : Report.ORDER) {
            Double median = Report.median(results, c, p99Key);
            if (median == null) {
                continue;
            }
            JsonNode best = null;
            double bestDiff = Double.MAX_VALUE;
            for (JsonNode run : results.path("runs")) {
                JsonNode v = run.path("figures").path(c).path(p99Key);
                JsonNode dist = run.path("raw").path(c).path(rawKey).path(distKey);
                if (v.isNumber() && dist.isArray() && dist.size() > 0 && Math.abs(v.asDouble() - median) < bestDiff) {
                    bestDiff = Math.abs(v.asDouble() - median);
                    best = dist;
                }
            }
            if (best == null) {
                continue;
            }
            List<double[]> points = new ArrayList<>();
            for (JsonNode p : best) {
                points.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble()});
            }
            out.put(c, points.toArray(new double[0][]));
        }
        return out;
    }

    private static double nines(double percentile) {
        double p = Math.min(percentile, 99.995);
        return -Math.log10(1 - p / 100.0);
    }

    private static void panel(Graphics2D g, int x0, String title, Map<String, double[][]> series) {
        int left = x0 + 80;
        int right = x0 + W / 2 - 30;
        int top = 60;
        int bottom = H - 70;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        g.drawString(title, left, 35);
        if (series.isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString("not measured", left, top + 40);
            return;
        }
        double minMs = Double.MAX_VALUE;
        double maxMs = 0;
        for (double[][] s : series.values()) {
            for (double[] p : s) {
                if (p[1] > 0) {
                    minMs = Math.min(minMs, p[1]);
                    maxMs = Math.max(maxMs, p[1]);
                }
            }
        }
        double yLo = Math.floor(Math.log10(Math.max(minMs, 1e-3)));
        double yHi = Math.ceil(Math.log10(Math.max(maxMs, minMs * 10)));
        if (yHi <= yLo) {
            yHi = yLo + 1;
        }
        double xHi = nines(99.995);
        // grid and axes
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double e = yLo; e <= yHi + 1e-9; e++) {
            for (int mult : new int[] {1, 2, 5}) {
                double v = Math.log10(mult) + e;
                if (v > yHi + 1e-9) {
                    continue;
                }
                int y = (int) Math.round(bottom - (v - yLo) / (yHi - yLo) * (bottom - top));
                g.setColor(mult == 1 ? new Color(0xcc, 0xcc, 0xcc) : new Color(0xee, 0xee, 0xee));
                g.drawLine(left, y, right, y);
                g.setColor(Color.DARK_GRAY);
                String label = formatMs(Math.pow(10, v));
                g.drawString(label, left - 8 - fm.stringWidth(label), y + 5);
            }
        }
        double[] ticks = {50, 90, 99, 99.9, 99.99};
        for (double t : ticks) {
            int x = (int) Math.round(left + nines(t) / xHi * (right - left));
            g.setColor(new Color(0xdd, 0xdd, 0xdd));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.DARK_GRAY);
            String label = (t == Math.rint(t) ? String.valueOf((int) t) : String.valueOf(t)) + "%";
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString("percentile", (left + right) / 2 - 30, bottom + 45);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString("latency (ms)", -(top + bottom) / 2 - 35, x0 + 20);
        rotated.dispose();
        // lines
        g.setStroke(new BasicStroke(2.2f));
        int legendY = top + 20;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            Color color = COLORS.getOrDefault(e.getKey(), Color.BLACK);
            g.setColor(color);
            int px = -1;
            int py = -1;
            for (double[] p : e.getValue()) {
                if (p[1] <= 0) {
                    continue;
                }
                int x = (int) Math.round(left + nines(p[0]) / xHi * (right - left));
                double ly = Math.max(yLo, Math.min(yHi, Math.log10(p[1])));
                int y = (int) Math.round(bottom - (ly - yLo) / (yHi - yLo) * (bottom - top));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.fillRect(left + 15, legendY - 9, 22, 4);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), left + 44, legendY - 3);
            legendY += 20;
        }
    }

    private static String formatMs(double ms) {
        if (ms >= 1) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        return new java.math.BigDecimal(ms).round(new java.math.MathContext(1)).stripTrailingZeros().toPlainString();
    }
}
