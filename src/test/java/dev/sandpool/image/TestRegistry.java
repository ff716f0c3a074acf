package dev.sandpool.image;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on 127.0.0.1 and a free port, storing into a
 * directory the test owns, optionally with htpasswd (bcrypt) basic auth. Close it to stop the
 * process by its handle. It never listens on anything but loopback and has no pull-through proxy.
 */
public final class TestRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final int port;
    private final Path dir;

    private TestRegistry(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** A registry without authentication. */
    public static TestRegistry start(Path dir) throws IOException {
        return start(dir, Optional.empty(), Optional.empty());
    }

    /** A registry that accepts only {@code username}/{@code password}. */
    public static TestRegistry startWithAuth(Path dir, String username, String password) throws IOException {
        return start(dir, Optional.of(username), Optional.of(password));
    }

    private static TestRegistry start(Path dir, Optional<String> username, Optional<String> password)
            throws IOException {
        Files.createDirectories(dir);
        String auth = "";
        if (username.isPresent()) {
            Path htpasswd = dir.resolve("htpasswd");
            Files.writeString(htpasswd, username.get() + ":" + bcrypt(password.orElseThrow()) + "\n");
            auth = "auth:\n  htpasswd:\n    realm: sandpool-test\n    path: " + htpasswd + "\n";
        }
        IOException last = null;
        // a free port can be taken between probing and binding; try a few
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                      secret: sandpool-test-secret
                    %s""".formatted(dir.resolve("storage"), port, auth));
            Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile()))
                    .start();
            TestRegistry registry = new TestRegistry(process, port, dir);
            if (registry.awaitReady(Duration.ofSeconds(15))) {
                return registry;
            }
            registry.close();
            last = new IOException("docker-registry did not answer on 127.0.0.1:" + port + "; log: "
                    + Files.readString(dir.resolve("registry.log")));
        }
        throw last;
    }

    /** {@code 127.0.0.1:port}, the registry part of a reference. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** {@code docker://127.0.0.1:port/<repository>} */
    public String ref(String repository) {
        return "docker://" + hostPort() + "/" + repository;
    }

    /** Pushes a built image; {@code creds} is {@code user:password} or null. */
    public void push(TestImages.Built image, String repository, String creds) {
        if (creds == null) {
            TestImages.copy(image.skopeoRef(), ref(repository));
        } else {
            // the test's own throwaway password on a test command line; the store never does this
            TestImages.copy(image.skopeoRef(), ref(repository), "--dest-creds", creds);
        }
    }

    public Path log() {
        return dir.resolve("registry.log");
    }

    private boolean awaitReady(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() < end && process.isAlive()) {
                try {
                    HttpResponse<Void> response = client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                                    .timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200 || response.statusCode() == 401) {
                        return true;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** A port on 127.0.0.1 that nothing listened on a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A bcrypt hash for the htpasswd file: {@code htpasswd -B} (apache2-utils) with the password on
     * stdin; without it, glibc's crypt through Debian's python3 (whose crypt module does bcrypt).
     */
    static String bcrypt(String password) throws IOException {
        Path htpasswd = Path.of("/usr/bin/htpasswd");
        ProcessBuilder builder = Files.isExecutable(htpasswd)
                ? new ProcessBuilder(htpasswd.toString(), "-niB", "-C", "5", "u")
                : new ProcessBuilder("/usr/bin/python3", "-W", "ignore", "-c",
                        "import crypt,sys; print('u:' + crypt.crypt(sys.stdin.readline().rstrip('\\n'),"
                                + " crypt.mksalt(crypt.METHOD_BLOWFISH)))");
        Process p = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((password + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("u:$2")) {
                throw new IOException("cannot make a bcrypt hash (needs htpasswd from apache2-utils): " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out.substring(2);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
