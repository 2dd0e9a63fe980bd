package io.liteboxd.gateway;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Command-line entry point. {@link #run} returns the exit code instead of exiting so that tests can drive every
 * path that ends before the gateway is up; only {@link #main} calls {@link System#exit}.
 */
public final class GatewayMain {

    public static final int EXIT_OK = 0;
    /** The command line was fine but the gateway could not start (bad sandbox file, address in use, ...). */
    public static final int EXIT_FAILURE = 1;
    /** The command line itself was wrong. */
    public static final int EXIT_USAGE = 2;

    private static final String NAME = "liteboxd-gateway";

    private final PrintStream out;
    private final PrintStream err;
    private final Consumer<Thread> shutdownHooks;
    private final Map<String, String> env;

    /**
     * @param shutdownHooks where to register the thread that stops the gateway when the JVM is asked to exit
     *                      ({@code Runtime.getRuntime()::addShutdownHook} in production)
     * @param env           the environment ({@code System.getenv()} in production): {@code DEV_USE_K8S_PROXY},
     *                      {@code KUBECONFIG} and the in-cluster variables choose the mode; a parameter so that
     *                      tests do not depend on the machine they run on
     */
    public GatewayMain(PrintStream out, PrintStream err, Consumer<Thread> shutdownHooks, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.shutdownHooks = shutdownHooks;
        this.env = Objects.requireNonNull(env, "env");
    }

    public static void main(String[] args) {
        int code = new GatewayMain(System.out, System.err, Runtime.getRuntime()::addShutdownHook, System.getenv())
                .run(args);
        // After a normal stop the JVM may already be running shutdown hooks (SIGTERM), where System.exit
        // would block forever; returning lets the JVM finish on its own.
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /** Parses, starts and then blocks until the gateway stops; returns the process exit code. */
    public int run(String... args) {
        GatewayArgs.Command command;
        try {
            command = GatewayArgs.parse(args);
        } catch (UsageException e) {
            err.println(NAME + ": " + e.getMessage());
            err.println();
            err.print(GatewayArgs.usage());
            err.flush();
            return EXIT_USAGE;
        }
        if (command instanceof GatewayArgs.Help) {
            out.print(GatewayArgs.usage());
            out.flush();
            return EXIT_OK;
        }
        GatewayOptions options = ((GatewayArgs.Run) command).options();

        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(options, env);
        } catch (GatewayStartException e) {
            err.println(NAME + ": " + e.getMessage());
            err.flush();
            return EXIT_FAILURE;
        }
        // Stops gracefully on SIGTERM/SIGINT: in-flight requests get up to the stop timeout to finish.
        shutdownHooks.accept(new Thread(gateway::stop, NAME + "-shutdown"));
        out.print(Banner.render(gateway));
        out.flush();
        try {
            gateway.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway.stop();
        }
        return EXIT_OK;
    }
}
