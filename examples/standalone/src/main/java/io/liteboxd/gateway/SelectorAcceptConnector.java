package io.liteboxd.gateway;

import io.liteboxd.proxy.servlet.internal.http.RenewingSelector;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A connector without acceptor threads whose selectors accept new connections and set them up themselves, as nginx's
 * workers do. Jetty's selector registers an accepted channel and then hands the creation of its endpoint and
 * connection to a pool thread, which hands the new endpoint back to the selector to wait for its first bytes: two
 * wake-ups on the way of every new connection (every WebSocket handshake, every browser connection). Creating an
 * HTTP/1 endpoint does not block (objects, and a read interest registered with the same selector), so here the
 * selector runs that task itself.
 */
final class SelectorAcceptConnector extends ServerConnector {

    SelectorAcceptConnector(Server server, ConnectionFactory factory) {
        super(server, 0, -1, factory);
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        return new ServerConnectorManager(executor, scheduler, selectors) {
            @Override
            protected ManagedSelector newSelector(int id) {
                return new RenewingSelector(this, id);
            }

            @Override
            protected void execute(Runnable task) {
                // Only the accept task is both a selector update and a task: it is executed from the selector's own
                // update loop. Everything else (the selector loops themselves) goes to the pool.
                if (task instanceof ManagedSelector.SelectorUpdate) {
                    task.run();
                } else {
                    super.execute(task);
                }
            }
        };
    }
}
