package dev.sandpool.interpreter;

import java.time.Duration;

/** One cell to run: the code, how long it may run, and the cap on each of stdout and stderr. */
public record ExecutionRequest(String code, Duration timeout, long maxOutputBytes) {}
