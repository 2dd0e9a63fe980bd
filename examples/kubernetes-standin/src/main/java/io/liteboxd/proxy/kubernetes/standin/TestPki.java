package io.liteboxd.proxy.kubernetes.standin;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority made at test time, with the certificates a Kubernetes control plane would
 * have: a CA, a server certificate for 127.0.0.1/localhost, and client certificates. EC P-256 keys keep generation
 * fast. Nothing is written to disk unless a test does so.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its private key. */
    public record Identity(X509Certificate certificate, KeyPair keys) {

        /** The certificate in PEM. */
        public String certificatePem() {
            return pem(certificate);
        }

        /** The private key in PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
        public String privateKeyPem() {
            return pem(keys.getPrivate());
        }
    }

    private final Identity ca;

    private TestPki(Identity ca) {
        this.ca = ca;
    }

    /** A new CA named {@code cn}. */
    public static TestPki create(String cn) {
        try {
            KeyPair keys = newKeys();
            X500Name name = new X500Name("CN=" + cn);
            X509v3CertificateBuilder b = builder(name, name, keys);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestPki(new Identity(sign(b, keys), keys));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create test CA", e);
        }
    }

    public Identity ca() {
        return ca;
    }

    public String caPem() {
        return ca.certificatePem();
    }

    /** A server certificate valid for 127.0.0.1, ::1 and localhost. */
    public Identity server() {
        try {
            KeyPair keys = newKeys();
            X509v3CertificateBuilder b = builder(issuer(), new X500Name("CN=kube-apiserver"), keys);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, InetAddress.getByName("::1").getHostAddress()),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new Identity(sign(b, ca.keys()), keys);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue server certificate", e);
        }
    }

    /** A client certificate with the given common name (the Kubernetes user name). */
    public Identity client(String cn) {
        try {
            KeyPair keys = newKeys();
            X509v3CertificateBuilder b = builder(issuer(), new X500Name("CN=" + cn), keys);
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            return new Identity(sign(b, ca.keys()), keys);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue client certificate", e);
        }
    }

    /**
     * Server-side TLS: presents {@code identity} and trusts client certificates issued by this CA.
     */
    public SSLContext serverContext(Identity identity) {
        try {
            char[] pw = "changeit".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", identity.keys().getPrivate(), pw,
                    new X509Certificate[] {identity.certificate(), ca.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trustFactory().getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build server TLS context", e);
        }
    }

    /** Client-side TLS trusting only this CA, without a client certificate. */
    public SSLContext clientContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustFactory().getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build client TLS context", e);
        }
    }

    private TrustManagerFactory trustFactory() throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    private X500Name issuer() {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        // Backdated a little so that a clock step during a test cannot make the certificate "not yet valid".
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof java.security.PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
