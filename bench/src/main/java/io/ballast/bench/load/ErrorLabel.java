package io.ballast.bench.load;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short names for why a request failed, as the report counts them: {@code HTTP 503}, {@code refused}, … */
final class ErrorLabel {

    private ErrorLabel() {
    }

    static String ofStatus(int status) {
        return "HTTP " + status;
    }

    static String of(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return "connect timeout";
        }
        if (cause instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "refused";
        }
        if (cause instanceof java.io.IOException) {
            return "connection lost";
        }
        return cause.getClass().getSimpleName();
    }
}
