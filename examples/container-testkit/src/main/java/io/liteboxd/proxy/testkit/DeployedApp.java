package io.liteboxd.proxy.testkit;

import java.net.URI;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * One way of deploying the web.xml example application that {@link DeployedAppContract} is held to (a WAR in a
 * container, or the zero-code initializer), named as display names show it.
 *
 * @param name     the container and the way the application is deployed
 * @param deployer deploys it
 */
public record DeployedApp(String name, Deployer deployer) {

    public DeployedApp {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(deployer, "deployer");
    }

    /** How a module deploys the application. */
    @FunctionalInterface
    public interface Deployer {
        /**
         * Deploys the application at {@link DeployedAppContract#CONTEXT} on 127.0.0.1 with the container's WebSocket
         * support.
         */
        Deployed deploy() throws Exception;
    }

    /** A deployed application; closing it undeploys it and stops the container. */
    public interface Deployed extends AutoCloseable {
        /** The server's base URI, {@code http://127.0.0.1:PORT}, without the context path. */
        URI uri();

        /** Cases only this deployment has, run against it by the suite; none by default. */
        default Stream<DynamicTest> ownCases() {
            return Stream.empty();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
