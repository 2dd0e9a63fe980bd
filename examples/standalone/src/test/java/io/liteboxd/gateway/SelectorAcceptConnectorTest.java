package io.liteboxd.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * A new connection's endpoint is created by the selector that accepted it, not handed to a pool thread and back;
 * the connector still serves requests, one connection after another.
 */
class SelectorAcceptConnectorTest {

    @Test
    void theSelectorThatAcceptsCreatesTheConnection() throws Exception {
        Server server = new Server();
        SelectorAcceptConnector connector = new SelectorAcceptConnector(server,
                new HttpConnectionFactory(new HttpConfiguration()));
        connector.setHost("127.0.0.1");
        List<StackTraceElement[]> opened = new CopyOnWriteArrayList<>();
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                opened.add(Thread.currentThread().getStackTrace());
            }
        });
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
                response.write(true, StandardCharsets.US_ASCII.encode("ok"), callback);
                return true;
            }
        });
        server.start();
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(get(connector.getLocalPort())).startsWith("HTTP/1.1 200").endsWith("ok");
            }
            assertThat(opened).hasSize(3);
            for (StackTraceElement[] stack : opened) {
                assertThat(Arrays.stream(stack).map(StackTraceElement::getClassName))
                        .as("the thread that created the connection runs the selector's loop")
                        .contains("org.eclipse.jetty.io.ManagedSelector$SelectorProducer");
            }
        } finally {
            server.stop();
        }
    }

    private static String get(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
