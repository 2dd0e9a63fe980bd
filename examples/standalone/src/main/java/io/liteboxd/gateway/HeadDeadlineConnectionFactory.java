package io.liteboxd.gateway;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * HTTP/1.x connections whose request head (request line and header fields) must be complete within a deadline from
 * its first byte, as nginx's {@code client_header_timeout}. The idle timeout alone cannot stop a client that sends
 * one more header byte just before it expires, which holds a connection and its parser state forever.
 *
 * <p>No thread waits: the first byte of a head notes the time and, unless the connection's timer is already set,
 * sets it on the connector's scheduler; the end of the head clears the note. A timer that fires closes the
 * connection if the head it finds pending began a deadline ago (as Jetty does when its idle timeout expires during a
 * head: no response, there is no request to answer yet), sets itself again for the rest of the deadline of a younger
 * one, and lapses when none is pending. A busy kept-alive connection thus schedules about one timer per deadline
 * instead of scheduling and cancelling one per request, which showed up in the small-request profile.
 */
final class HeadDeadlineConnectionFactory extends HttpConnectionFactory {

    private final long deadlineMillis;

    /** @param deadline zero for no deadline */
    HeadDeadlineConnectionFactory(HttpConfiguration configuration, Duration deadline) {
        super(configuration);
        this.deadlineMillis = deadline.toMillis();
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        if (deadlineMillis <= 0) {
            return super.newConnection(connector, endPoint);
        }
        DeadlineConnection connection = new DeadlineConnection(getHttpConfiguration(), connector, endPoint,
                connector.getScheduler(), deadlineMillis);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    private static final class DeadlineConnection extends HttpConnection {
        private final Scheduler scheduler;
        private final long deadlineMillis;
        private final AtomicReference<Scheduler.Task> timer = new AtomicReference<>();
        /** When the pending head's first byte was parsed ({@link System#nanoTime}), or 0 while none is pending. */
        private volatile long headStarted;

        DeadlineConnection(HttpConfiguration configuration, Connector connector, EndPoint endPoint,
                           Scheduler scheduler, long deadlineMillis) {
            super(configuration, connector, endPoint);
            this.scheduler = scheduler;
            this.deadlineMillis = deadlineMillis;
        }

        /**
         * Runs this connection's own resumption on the calling thread when the server's handlers never block. Jetty
         * resumes reading a connection whose response completed on another thread (the relay completes it on the
         * upstream's selector) by handing the connection to the pool: a thread hand-off and, mostly, a read that
         * finds nothing, for every proxied request. Run in place, that read registers interest and the selector
         * picks the next request up. Every other task still goes to the pool.
         */
        @Override
        protected Executor getExecutor() {
            return inPlace;
        }

        private final Executor inPlace = task -> {
            if (task == this && getServer().getInvocationType() == InvocationType.NON_BLOCKING) {
                run();
            } else {
                super.getExecutor().execute(task);
            }
        };

        @Override
        protected RequestHandler newRequestHandler() {
            return new RequestHandler() {
                @Override
                public void messageBegin() {
                    // Called whenever the parser is between messages, with or without bytes: only bytes start a head.
                    if (isRequestBufferEmpty()) {
                        headStarted = 0;
                    } else {
                        headStarted = Math.max(1, System.nanoTime());
                        arm(deadlineMillis);
                    }
                    super.messageBegin();
                }

                @Override
                public boolean headerComplete() {
                    headStarted = 0;
                    return super.headerComplete();
                }

                @Override
                public void badMessage(HttpException failure) {
                    headStarted = 0;
                    super.badMessage(failure);
                }

                @Override
                public void earlyEOF() {
                    headStarted = 0;
                    super.earlyEOF();
                }
            };
        }

        /** Sets the timer unless it is set: one timer per connection at most. */
        private void arm(long delayMillis) {
            if (timer.get() != null) {
                return;
            }
            Scheduler.Task task = scheduler.schedule(this::expire, delayMillis, TimeUnit.MILLISECONDS);
            if (!timer.compareAndSet(null, task)) {
                task.cancel();
            }
        }

        private void expire() {
            // Cleared before the head is looked at: a head that begins meanwhile either is seen here or sees no timer
            // and sets one itself.
            timer.set(null);
            long started = headStarted;
            if (started == 0 || !getEndPoint().isOpen()) {
                return;
            }
            long left = deadlineMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (left > 0) {
                arm(left);
                return;
            }
            getEndPoint().close(new TimeoutException("request head not complete within " + deadlineMillis + " ms"));
        }

        private void disarm() {
            Scheduler.Task task = timer.getAndSet(null);
            if (task != null) {
                task.cancel();
            }
        }

        @Override
        public void onClose(Throwable cause) {
            disarm();
            super.onClose(cause);
        }
    }
}
