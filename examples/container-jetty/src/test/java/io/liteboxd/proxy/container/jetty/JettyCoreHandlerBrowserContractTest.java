package io.liteboxd.proxy.container.jetty;

/**
 * The browser-facing contract (query-token and share-link logins and their cookies, Origin checks) with
 * {@code JettyHttpHandler} in front of the servlet context, as in {@link JettyCoreHandlerContractTest}.
 */
class JettyCoreHandlerBrowserContractTest extends JettyBrowserContractTest {

    @Override
    protected JettyGatewayContractTest newContainer() {
        return new JettyCoreHandlerContractTest();
    }
}
