package io.ballast.node.edge;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Undertow's own report of a request whose handler threw ({@code UT005071 Undertow request failed}, on the
 * logger {@code io.undertow.request}): {@link RecoveryHandler} logs each such failure itself, once, with the request
 * id. Every other line of that logger passes. Named in the node's {@code logback.xml}; an application that embeds a
 * node with its own logging configuration can use it the same way.
 */
public final class UndertowFailureLogFilter extends Filter<ILoggingEvent> {

    static final String LOGGER = "io.undertow.request";
    static final String MESSAGE_ID = "UT005071";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (LOGGER.equals(event.getLoggerName()) && event.getMessage() != null
                && event.getMessage().startsWith(MESSAGE_ID)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
