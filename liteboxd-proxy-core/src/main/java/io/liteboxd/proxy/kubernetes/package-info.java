/**
 * Kubernetes integration: find sandbox pods with an informer ({@link
 * io.liteboxd.proxy.kubernetes.KubernetesSandboxResolver}), check tokens from pod annotations or stored digests,
 * and reach sandboxes through the API server's pod proxy ({@link io.liteboxd.proxy.kubernetes.ApiServerProxyConnector})
 * with the kubeconfig's credentials ({@link io.liteboxd.proxy.kubernetes.KubernetesAccess}).
 *
 * <p>Needs {@code io.kubernetes:client-java} on the class path; the core module declares it optional, so add it
 * to your own build when you use this package.
 */
package io.liteboxd.proxy.kubernetes;
