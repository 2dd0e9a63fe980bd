package io.liteboxd.proxy.servlet.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

/** IP literals resolve on the calling thread; names are still looked up, on another thread. */
class LiteralsFirstTest {

    @Test
    void literalsResolveInPlaceAndNamesOffTheCallingThread() throws Exception {
        HttpClient client = new HttpClient();
        UpstreamConnections.LiteralsFirst resolver = new UpstreamConnections.LiteralsFirst(client);
        client.setSocketAddressResolver(resolver);
        client.start();
        try {
            for (String literal : List.of("10.1.2.3", "[::1]")) {
                AtomicReference<Thread> resolvedOn = new AtomicReference<>();
                CompletableFuture<List<InetSocketAddress>> result = new CompletableFuture<>();
                resolver.resolve(literal, 8080, Map.of(), Promise.from(addresses -> {
                    resolvedOn.set(Thread.currentThread());
                    result.complete(addresses);
                }, result::completeExceptionally));
                assertThat(result).isDone();
                assertThat(resolvedOn.get()).isSameAs(Thread.currentThread());
                assertThat(result.get().get(0).isUnresolved()).isFalse();
                assertThat(result.get().get(0).getPort()).isEqualTo(8080);
            }

            AtomicReference<Thread> resolvedOn = new AtomicReference<>();
            CompletableFuture<List<InetSocketAddress>> result = new CompletableFuture<>();
            resolver.resolve("localhost", 80, Map.of(), Promise.from(addresses -> {
                resolvedOn.set(Thread.currentThread());
                result.complete(addresses);
            }, result::completeExceptionally));
            assertThat(result.get(10, TimeUnit.SECONDS)).isNotEmpty();
            assertThat(resolvedOn.get()).as("a name is looked up on the client's pool").isNotSameAs(
                    Thread.currentThread());
        } finally {
            client.stop();
        }
    }
}
