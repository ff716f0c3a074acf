import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Executions per second of {@code 1+1} with many sessions busy at once, each client on its own
 * keep-alive connection; and the machine's floor: as many python processes answering over pipes,
 * driven the same way.
 */
final class Throughput {
    record Result(double perSecond, Bench.Stats latency) {}

    interface Call {
        void run() throws Exception;
    }

    private Throughput() {}

    static Result server(String host, int port, String pool, int clients, Duration length) throws Exception {
        List<Http1> connections = new ArrayList<>();
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Http1 http = new Http1(host, port);
            connections.add(http);
            String identifier = "throughput-" + i;
            calls.add(() -> Bench.execute(http, pool, identifier));
        }
        try {
            for (Call call : calls) {
                call.run(); // allocates each session before the clock starts
            }
            return drive(calls, length);
        } finally {
            for (Http1 http : connections) {
                http.close();
            }
        }
    }

    static Result pipes(int clients, Duration length) throws Exception {
        List<Process> processes = new ArrayList<>();
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Process p = new ProcessBuilder("/usr/bin/python3", "-u", "-c",
                    "import sys\nfor line in sys.stdin:\n    print(eval(compile(line, '<x>', 'eval')), flush=True)").start();
            processes.add(p);
            OutputStream in = p.getOutputStream();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            calls.add(() -> {
                in.write("1+1\n".getBytes());
                in.flush();
                out.readLine();
            });
        }
        try {
            return drive(calls, length);
        } finally {
            processes.forEach(Process::destroy);
        }
    }

    /** Runs every call in a loop on its own virtual thread for {@code length}, after a warm-up of a fifth of it. */
    static Result drive(List<Call> calls, Duration length) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        CountDownLatch done = new CountDownLatch(calls.size());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (Call call : calls) {
            Thread.startVirtualThread(() -> {
                try {
                    while (!stop.get()) {
                        long t = System.nanoTime();
                        call.run();
                        if (measuring.get()) {
                            latencies.add(Bench.ms(t));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        Thread.sleep(length.dividedBy(5));
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(length);
        measuring.set(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        int count = latencies.size();
        stop.set(true);
        done.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a client failed", failures.getFirst());
        }
        return new Result(count / seconds, Bench.Stats.of(new ArrayList<>(latencies)));
    }
}
