package dev.sandpool.load;

import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.FileCalls;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One client of the load test, with an identifier of its own: {@code executions} executions that
 * count up in the interpreter's state, with the file round trip halfway: a file of unique content
 * is uploaded, downloaded byte-exact at the end, and hashed by the interpreter in the last cell.
 * Every answer is checked; what is wrong is recorded, never thrown, so that one client's trouble
 * does not hide another's.
 */
final class LoadClient implements Runnable {
    private final AzureClient client;
    private final String pool;
    private final String identifier;
    private final int executions;
    private final byte[] content;
    private final Latencies latencies;
    private final Queue<String> failures;
    private final AtomicInteger lostFiles;

    LoadClient(AzureClient client, String pool, int number, int executions, Latencies latencies, Queue<String> failures,
               AtomicInteger lostFiles) {
        this.client = client;
        this.pool = pool;
        this.identifier = "load-client-" + number;
        this.executions = executions;
        this.latencies = latencies;
        this.failures = failures;
        this.lostFiles = lostFiles;
        Random random = new Random(number);
        byte[] noise = new byte[1024 + random.nextInt(31 * 1024)];
        random.nextBytes(noise);
        byte[] header = (identifier + "\n").getBytes();
        this.content = new byte[header.length + noise.length];
        System.arraycopy(header, 0, content, 0, header.length);
        System.arraycopy(noise, 0, content, header.length, noise.length);
    }

    @Override
    public void run() {
        String file = identifier + ".bin";
        String sha = sha256(content);
        for (int n = 1; n <= executions; n++) {
            boolean last = n == executions;
            String code = n == 1 ? "mine = '" + identifier + "'\nn = 1\n[mine, n]"
                    : last ? "n += 1\nimport hashlib\n[mine, n, hashlib.sha256(open('/mnt/data/" + file + "', 'rb').read()).hexdigest()]"
                    : "n += 1\n[mine, n]";
            String expected = "[\"" + identifier + "\"," + n + (last ? ",\"" + sha + "\"" : "") + "]";
            var answer = timed("execute", () -> client.execute(pool, identifier, code));
            if (answer == null) {
                continue;
            }
            String result = answer.properties().path("result").toString();
            if (answer.status() != 200 || !"Success".equals(answer.properties().path("status").asString())
                    || !expected.equals(result)) {
                failures.add(identifier + " execution " + n + ": HTTP " + answer.status() + " " + abbreviate(answer.body()));
                if (last) {
                    lostFiles.incrementAndGet(); // the interpreter did not see the file it was given
                }
            }
            if (n == executions / 2) {
                var upload = timed("upload", () -> FileCalls.upload(client, pool, identifier, file, content));
                if (upload != null && (upload.status() != 200
                        || upload.json().path("value").path(0).path("properties").path("size").asLong() != content.length)) {
                    failures.add(identifier + " upload: HTTP " + upload.status() + " " + abbreviate(upload.body()));
                }
            }
        }
        var download = timed("download", () -> FileCalls.download(client, pool, identifier, file));
        if (download == null || download.statusCode() != 200 || !java.util.Arrays.equals(download.body(), content)) {
            lostFiles.incrementAndGet();
            if (download != null) {
                failures.add(identifier + " download: HTTP " + download.statusCode() + ", " + download.body().length
                        + " bytes, expected " + content.length);
            }
        }
    }

    private <T> T timed(String kind, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } catch (RuntimeException e) {
            failures.add(identifier + " " + kind + ": " + e);
            return null;
        } finally {
            latencies.record(kind, System.nanoTime() - start);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
