package io.liteboxd.proxy.servlet.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * After a select that found many keys ready, the next calm select moves the channels to a fresh NIO selector; every
 * kept-alive connection goes on being served on it, and a selector that never saw a burst keeps its NIO selector.
 */
class RenewingSelectorTest {

    private static final int CONNECTIONS = 40;

    private final List<RenewingSelector> selectors = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private Server server;
    private ServerConnector connector;

    /** Set by a test: runs on the selector thread just before the move, as another thread's update would. */
    private volatile Runnable duringMove;

    private void start(int burst) throws Exception {
        server = new Server();
        connector = new ServerConnector(server, 1, 1) {
            @Override
            protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int count) {
                return new ServerConnectorManager(executor, scheduler, count) {
                    @Override
                    protected ManagedSelector newSelector(int id) {
                        RenewingSelector selector = new RenewingSelector(this, id, burst, 2, 0) {
                            @Override
                            protected void handleSelectFailure(Selector selector, Throwable failure)
                                    throws java.io.IOException {
                                Runnable hook = duringMove;
                                if (hook != null) {
                                    hook.run();
                                }
                                super.handleSelectFailure(selector, failure);
                            }
                        };
                        selectors.add(selector);
                        return selector;
                    }
                };
            }
        };
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, StandardCharsets.US_ASCII.encode("ok"), callback);
                return true;
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aBurstOfReadyKeysMovesTheChannelsToAFreshSelectorAndEveryConnectionIsStillServed() throws Exception {
        start(CONNECTIONS / 4);
        List<Socket> sockets = open();
        RenewingSelector selector = selectors.get(0);
        Selector before = selector.getSelector();
        burst(selector, sockets);
        // A calm select (one request) makes the move due; the one after it moves.
        for (int i = 0; i < 3; i++) {
            send(sockets.get(0));
            assertThat(answer(sockets.get(0))).endsWith("ok");
        }
        assertThat(selector.getSelector()).isNotSameAs(before);
        assertThat(before.isOpen()).as("the old NIO selector is closed").isFalse();
        serveEach(sockets, "a connection moved to the new selector");
    }

    @Test
    void anUpdateSubmittedDuringTheMoveIsTakenWithoutWaitingForAnotherEvent() throws Exception {
        start(CONNECTIONS / 4);
        List<Socket> sockets = open();
        RenewingSelector selector = selectors.get(0);
        Selector before = selector.getSelector();
        // Another thread submits an update while the channels move (whenever after the burst that is): it wakes
        // the selector being left.
        CountDownLatch updated = new CountDownLatch(1);
        duringMove = () -> {
            duringMove = null;
            Thread other = new Thread(() -> selector.submit(s -> updated.countDown()));
            other.start();
            try {
                other.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        burst(selector, sockets);
        send(sockets.get(0));
        assertThat(answer(sockets.get(0))).endsWith("ok");
        // No further I/O: the update must run on its own.
        boolean ran = updated.await(5, TimeUnit.SECONDS);
        assertThat(selector.getSelector()).as("the channels moved").isNotSameAs(before);
        assertThat(ran).as("the update submitted during the move ran").isTrue();
    }

    @Test
    void withoutABurstTheSelectorStays() throws Exception {
        start(CONNECTIONS * 10);
        List<Socket> sockets = open();
        Selector before = selectors.get(0).getSelector();
        for (int round = 0; round < 3; round++) {
            serveEach(sockets, "round " + round);
        }
        assertThat(selectors.get(0).getSelector()).isSameAs(before);
    }

    /** Holds the selector thread while every connection sends a request: its next select finds them all ready. */
    private static void burst(RenewingSelector selector, List<Socket> sockets) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        selector.submit(s -> {
            held.countDown();
            await(release);
        });
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        for (Socket socket : sockets) {
            send(socket);
        }
        // Whatever the machine's load, most of the requests are in by then: a quarter of them makes a burst.
        Thread.sleep(500);
        release.countDown();
        for (Socket socket : sockets) {
            assertThat(answer(socket)).endsWith("ok");
        }
    }

    /** Opens the test's connections, closed after it. */
    private List<Socket> open() throws Exception {
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket socket = new Socket("127.0.0.1", connector.getLocalPort());
            socket.setSoTimeout(10_000);
            sockets.add(socket);
        }
        return sockets;
    }

    /** One request on each connection, in turn, each answered. */
    private static void serveEach(List<Socket> sockets, String what) throws Exception {
        for (Socket socket : sockets) {
            send(socket);
            assertThat(answer(socket)).as(what).endsWith("ok");
        }
    }

    private static void send(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one response of a 2-byte body. */
    private static String answer(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            text.append((char) c);
            int head = text.indexOf("\r\n\r\n");
            if (head >= 0 && text.length() == head + 4 + 2) {
                return text.toString();
            }
        }
        return text.toString();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
