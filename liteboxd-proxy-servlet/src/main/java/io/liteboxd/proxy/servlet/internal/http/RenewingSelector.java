package io.liteboxd.proxy.servlet.internal.http;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;

/**
 * A Jetty selector that moves its channels to a fresh NIO selector once a burst is over. The JDK keeps a selector's
 * selected keys in a hash set whose table never shrinks, and Jetty walks that set twice and clears it after every
 * select: after one select that found hundreds of keys ready (a burst of new connections), every later select walks
 * a table of that size to find the one or two keys it selected, for as long as the process lives. A gateway that had
 * held 5,000 WebSocket connections for a moment spent a third of its CPU there under an ordinary load afterwards.
 *
 * <p>When a select finds few keys ({@code calm} or fewer) after one since the last move found {@code burst} or
 * more, the next select first moves the channels to a new selector through Jetty's own recovery path for a failed
 * selector (each key registered again with its interest and attachment, the old selector closed; Jetty logs it at
 * INFO), at most once per {@code minInterval}. Readiness is reported by level, so a channel ready before the move is
 * reported again after it. A move costs one registration per channel.
 */
public class RenewingSelector extends ManagedSelector {

    /** Keys selected at once that leave the set's table (256 slots or more) costly to walk after every select. */
    static final int BURST = 128;
    /** A select that finds at most this many keys is one of an ordinary load: the burst is over. */
    static final int CALM = 16;
    static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int burst;
    private final int calm;
    private final long minIntervalNanos;
    private int peak;
    private long movedAt;
    private boolean moveDue;

    public RenewingSelector(SelectorManager manager, int id) {
        this(manager, id, BURST, CALM, MIN_INTERVAL_NANOS);
    }

    RenewingSelector(SelectorManager manager, int id, int burst, int calm, long minIntervalNanos) {
        super(manager, id);
        this.burst = burst;
        this.calm = calm;
        this.minIntervalNanos = minIntervalNanos;
        this.movedAt = System.nanoTime() - minIntervalNanos;
    }

    @Override
    protected int select(Selector selector) throws IOException {
        if (moveDue) {
            moveDue = false;
            handleSelectFailure(selector, new Renewal(peak));
            peak = 0;
            movedAt = System.nanoTime();
            // An update submitted during the move woke the old selector, and its submitter now counts on this thread
            // to take it: look without waiting, so that Jetty's next pass takes the updates before it waits.
            return nioSelect(getSelector(), true);
        }
        int selected = super.select(selector);
        // A failed select has moved the channels already (Jetty's recovery): count on the current selector.
        int keys = getSelector().selectedKeys().size();
        if (keys > peak) {
            peak = keys;
        } else if (peak >= burst && keys <= calm && System.nanoTime() - movedAt >= minIntervalNanos) {
            moveDue = true;
        }
        return selected;
    }

    /** Why the channels move, as Jetty's recovery path logs it. */
    private static final class Renewal extends Exception {
        Renewal(int peak) {
            super("not a failure: " + peak + " keys were selected at once, so the channels move to a fresh selector"
                    + " with a small selected-key table", null, false, false);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
