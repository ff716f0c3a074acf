package dev.sandpool.testing;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * On any test failure, writes a dump of every thread (virtual ones included) under
 * target/thread-dumps and attaches the threads that were running at that moment (those occupying
 * a carrier) to the failure, so that a stall shows its cause in the build's output. Registered for
 * every test through the service file and junit-platform.properties.
 */
public final class ThreadDumpOnFailure implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    private static final int MAX_FRAMES = 25;

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attach(context, failure);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attach(context, failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attach(context, failure);
    }

    private static Throwable attach(ExtensionContext context, Throwable failure) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "thread-dumps"));
            Path file = dir.resolve(context.getUniqueId().replaceAll("[^A-Za-z0-9.-]+", "_") + "-" + System.nanoTime() + ".txt");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            failure.addSuppressed(new RunningThreads(file, running(Files.readAllLines(file))));
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** The virtual threads runnable at the time of the dump (mounted, or waiting for a carrier), each with its top frames. */
    static String running(List<String> dump) {
        StringBuilder out = new StringBuilder();
        List<String> thread = new ArrayList<>();
        for (String line : dump) {
            if (line.startsWith("#")) {
                keepIfRunning(thread, out);
                thread.clear();
            }
            if (!line.isBlank()) {
                thread.add(line);
            }
        }
        keepIfRunning(thread, out);
        return out.toString();
    }

    private static void keepIfRunning(List<String> thread, StringBuilder out) {
        if (thread.isEmpty() || !thread.getFirst().contains(" virtual RUNNABLE")) {
            return;
        }
        thread.stream().limit(MAX_FRAMES + 1).forEach(l -> out.append(l).append('\n'));
    }

    private static final class RunningThreads extends Exception {
        RunningThreads(Path file, String running) {
            super("thread dump at failure: " + file.toAbsolutePath() + "\nvirtual threads running then:\n"
                    + (running.isEmpty() ? "(none)\n" : running), null, false, false);
        }
    }
}
