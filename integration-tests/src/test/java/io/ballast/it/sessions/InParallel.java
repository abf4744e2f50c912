package io.ballast.it.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** A few clients at once: enough to be quick, few enough for a shared two-core machine. */
public final class InParallel {

    /** How many clients run at once unless told otherwise. */
    public static final int CLIENTS = 4;

    private InParallel() {
    }

    /**
     * Runs {@code task} for 0 … {@code count}-1 on {@link #CLIENTS} threads and returns the results in order; the
     * first failure fails the whole, after every task has ended.
     */
    public static <T> List<T> map(int count, IntFunction<T> task) {
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<T>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(threads.submit(() -> task.apply(index)));
            }
            List<T> results = new ArrayList<>(count);
            Throwable failure = null;
            for (Future<T> future : futures) {
                try {
                    results.add(future.get());
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause();
                    results.add(null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (failure instanceof Error error) {
                throw error;
            }
            if (failure != null) {
                throw new AssertionError(failure.getMessage(), failure);
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }
}
