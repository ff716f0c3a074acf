package dev.sandpool.interpreter;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A one-thread timer for deadlines that are nearly always cancelled (an execution's watchdog, a
 * slow client's cut-off): a cancelled task leaves the queue at once, instead of staying there until
 * it would have been due (thousands of dead tasks per second under load, each waking the thread).
 */
public final class DeadlineTimer {
    private DeadlineTimer() {}

    public static ScheduledExecutorService create(String threadName) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name(threadName).factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
