package dev.sandpool.server;

import dev.sandpool.config.ConfigException;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.config.TlsConfig;
import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code server.tls} as Helidon's {@link Tls}: the operator's PEM files, or the server's own self-signed pair. */
public final class TlsSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TlsSetup.class);

    private TlsSetup() {}

    record Credentials(PrivateKey key, List<X509Certificate> chain) {}

    /** A disabled {@link Tls} when TLS is off, so that the server builder needs no branch. */
    public static Tls forServer(ServerConfig server) {
        TlsConfig tls = server.tls();
        if (!tls.enabled()) {
            return Tls.builder().enabled(false).build();
        }
        Credentials credentials = tls.isSelfSigned()
                ? TlsSelfSigned.loadOrCreate(server.dataDir(), server.host())
                : provided(tls);
        return Tls.builder()
                .privateKey(credentials.key())
                .privateKeyCertChain(credentials.chain())
                .build();
    }

    /** The PEM certificate clients must trust when the server made its own (curl --cacert, SSL_CERT_FILE). */
    public static Path selfSignedCertificate(Path dataDir) {
        return TlsSelfSigned.certificateFile(dataDir);
    }

    private static Credentials provided(TlsConfig tls) {
        try {
            Credentials credentials = read(tls.certificate(), tls.privateKey());
            X509Certificate leaf = credentials.chain().getFirst();
            if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
                LOG.warn("server.tls.certificate {} expired on {}; clients will refuse it",
                        tls.certificate(), leaf.getNotAfter().toInstant());
            }
            return credentials;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Both files, checked to belong together; a mismatch would otherwise surface only as every
     * client's handshake failing.
     *
     * @throws IllegalArgumentException naming the config key of the file at fault
     */
    static Credentials read(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain;
        try {
            chain = TlsPem.certificates(Files.readString(certificateFile));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("server.tls.certificate: cannot read a PEM certificate from "
                    + certificateFile + ": " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            key = TlsPem.privateKey(Files.readString(keyFile));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("server.tls.privateKey: cannot read a PEM private key from "
                    + keyFile + ": " + e.getMessage(), e);
        }
        if (!belongTogether(key, chain.getFirst().getPublicKey())) {
            throw new IllegalArgumentException("server.tls.privateKey: " + keyFile
                    + " is not the key of the first certificate in " + certificateFile);
        }
        return new Credentials(key, chain);
    }

    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            // RSASSA-PSS needs parameters to sign with; such keys are rare enough to go unchecked.
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
                && !(algorithm.equals("EdDSA") && publicKey.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
