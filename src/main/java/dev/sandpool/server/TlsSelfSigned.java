package dev.sandpool.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own certificate, made once into {@code <dataDir>/tls/} and reused on later starts so
 * that clients keep trusting it. The JDK cannot build a certificate through public API and
 * BouncyCastle is not on the classpath, so the JDK's own {@code keytool} makes it; it is then kept
 * as a PEM pair, the form curl, Python and reverse proxies read.
 */
final class TlsSelfSigned {
    private static final Logger LOG = LoggerFactory.getLogger(TlsSelfSigned.class);
    static final String DIRECTORY = "tls";
    static final String CERTIFICATE = "certificate.pem";
    static final String PRIVATE_KEY = "private-key.pem";
    static final int VALIDITY_DAYS = 825;
    // Renewing at start-up, well before expiry, keeps a long-running server from expiring mid-run.
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String ALIAS = "sandpool";

    private TlsSelfSigned() {}

    static Path certificateFile(Path dataDir) {
        return dataDir.resolve(DIRECTORY).resolve(CERTIFICATE);
    }

    static TlsSetup.Credentials loadOrCreate(Path dataDir, String host) {
        Path dir = dataDir.resolve(DIRECTORY);
        Path certificate = dir.resolve(CERTIFICATE);
        Path key = dir.resolve(PRIVATE_KEY);
        Set<String> names = subjectAltNames(host);
        if (Files.exists(certificate) && Files.exists(key)) {
            try {
                TlsSetup.Credentials existing = TlsSetup.read(certificate, key);
                String unfit = unfit(existing.chain().getFirst(), names);
                if (unfit == null) {
                    return existing;
                }
                LOG.warn("replacing the self-signed certificate {}: {}; clients must trust the new one", certificate, unfit);
            } catch (RuntimeException e) {
                LOG.warn("replacing the unusable self-signed certificate {}: {}", certificate, e.getMessage());
            }
        }
        try {
            return generate(dir, names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate a self-signed certificate into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** keytool's {@code SAN=} entries: loopback under every name a local client may use, and the configured host. */
    static Set<String> subjectAltNames(String host) {
        Set<String> names = new LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.isEmpty() || bare.equals("0.0.0.0") || bare.equals("::")) {
            // A wildcard address is no name a client can dial; the machine's name is the likeliest one.
            try {
                String hostname = InetAddress.getLocalHost().getHostName();
                if (!IPV4.matcher(hostname).matches() && !hostname.contains(":")) {
                    names.add("dns:" + hostname.toLowerCase(Locale.ROOT));
                }
            } catch (UnknownHostException e) {
                LOG.debug("no host name to put in the self-signed certificate", e);
            }
        } else if (IPV4.matcher(bare).matches() || bare.contains(":")) {
            names.add("ip:" + canonicalIp(bare));
        } else {
            names.add("dns:" + bare.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** Why an existing certificate cannot be reused, or null. */
    private static String unfit(X509Certificate certificate, Set<String> wanted) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now().plus(RENEW_BEFORE))) {
            return "it expires on " + notAfter;
        }
        Set<String> present = new LinkedHashSet<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == 2) {
                    present.add("dns:" + value.toLowerCase(Locale.ROOT));
                } else if (type == 7) {
                    present.add("ip:" + canonicalIp(value));
                }
            }
        } catch (CertificateParsingException e) {
            return "its names cannot be read";
        }
        List<String> missing = new ArrayList<>();
        for (String name : wanted) {
            String canonical = name.startsWith("ip:") ? "ip:" + canonicalIp(name.substring(3)) : name;
            if (!present.contains(canonical)) {
                missing.add(name);
            }
        }
        return missing.isEmpty() ? null : "it does not name " + String.join(", ", missing);
    }

    private static String canonicalIp(String literal) {
        try {
            // A literal is parsed, never looked up.
            return InetAddress.ofLiteral(literal).getHostAddress();
        } catch (IllegalArgumentException e) {
            return literal;
        }
    }

    private static TlsSetup.Credentials generate(Path dir, Set<String> names) throws IOException {
        Files.createDirectories(dir);
        // The directory stays readable: certificate.pem is what users hand to their clients.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = Files.createTempDirectory(dir, ".keytool-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path keystore = work.resolve("keystore.p12");
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            runKeytool(keystore, work.resolve("keytool.log"), password, names);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, password.toCharArray());
            }
            PrivateKey key = (PrivateKey) store.getKey(ALIAS, password.toCharArray());
            X509Certificate certificate = (X509Certificate) store.getCertificate(ALIAS);
            // Key before certificate: a crash in between leaves a pair that does not match, which the next start replaces.
            writeAtomically(dir.resolve(PRIVATE_KEY), TlsPem.encode("PRIVATE KEY", key.getEncoded()), "rw-------");
            writeAtomically(dir.resolve(CERTIFICATE), TlsPem.encode("CERTIFICATE", certificate.getEncoded()), "rw-r--r--");
            LOG.info("generated a self-signed certificate for {} into {}", names, dir);
            return new TlsSetup.Credentials(key, List.of(certificate));
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool's keystore cannot be read: " + e.getMessage(), e);
        } finally {
            dev.sandpool.sandbox.Trees.deleteRecursively(work);
        }
    }

    private static void runKeytool(Path keystore, Path log, String password, Set<String> names) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = List.of(Files.isExecutable(keytool) ? keytool.toString() : "keytool",
                "-genkeypair", "-noprompt",
                "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                // Backdated a day so that a client whose clock lags does not see a certificate from the future.
                "-startdate", "-1d", "-validity", Integer.toString(VALIDITY_DAYS),
                "-dname", "CN=Sandpool self-signed",
                "-ext", "SAN=" + String.join(",", names),
                "-ext", "KU:critical=digitalSignature",
                "-ext", "EKU=serverAuth",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                // From the environment, not the command line, where any local user could read it.
                "-storepass:env", "SANDPOOL_KEYSTORE_PASSWORD");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SANDPOOL_KEYSTORE_PASSWORD", password);
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool failed (exit " + process.exitValue() + "): "
                    + Files.readString(log, StandardCharsets.UTF_8).strip());
        }
    }

    private static void writeAtomically(Path file, String content, String permissions) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        // Again after creation: the umask may have taken bits away that the certificate's readers need.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
