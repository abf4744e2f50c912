package io.ballast.node.edge;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Only Undertow's own report of a failed request is dropped: the recovery logs it. */
class UndertowFailureLogFilterTest {

    private final LoggerContext context = new LoggerContext();
    private final UndertowFailureLogFilter filter = new UndertowFailureLogFilter();

    private FilterReply decide(String logger, String message) {
        LoggingEvent event = new LoggingEvent(getClass().getName(), context.getLogger(logger), Level.ERROR, message,
                null, null);
        return filter.decide(event);
    }

    @Test
    void dropsUndertowsRequestFailedLine() {
        assertEquals(FilterReply.DENY,
                decide("io.undertow.request", "UT005071: Undertow request failed HttpServerExchange{ GET /fail}"));
    }

    @Test
    void letsEverythingElseThrough() {
        assertEquals(FilterReply.NEUTRAL, decide("io.undertow.request", "UT005090: Unexpected failure"));
        assertEquals(FilterReply.NEUTRAL, decide("io.undertow", "UT005071: on another logger"));
        assertEquals(FilterReply.NEUTRAL,
                decide("io.ballast.node.edge.RecoveryHandler", "request 1 (GET /fail) failed; answered 500"));
    }
}
