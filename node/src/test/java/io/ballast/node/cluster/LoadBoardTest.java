package io.ballast.node.cluster;

import io.ballast.protocol.LoadHeader;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadBoardTest {

    private final LoadBoard board = new LoadBoard();

    static LoadReport report(int inFlight, long incarnation, long sequence) {
        return new LoadReport("node-b", "http://127.0.0.2:8080", MemberState.UP, inFlight, 16, 0, 0, 0, 1.0, -1, 1,
                incarnation, sequence, true, 0, Map.of(), 0, 0, false);
    }

    private LoadReport latest() {
        return board.get("node-b").orElseThrow().report();
    }

    @Test
    void loadFromAnAnswerIsLaidOverTheReportWhenNewer() {
        board.update(report(1, 7, 1));
        board.update(new LoadHeader("node-b", 7, 2, 6, 16, 1, MemberState.UP, true, 0, 0, false));
        assertEquals(6, latest().inFlight());
        assertEquals(2, latest().sequence());
        board.update(new LoadHeader("node-b", 7, 1, 9, 16, 1, MemberState.UP, true, 0, 0, false));
        assertEquals(6, latest().inFlight(), "an older answer's load arrived late: ignored");
    }

    @Test
    void loadFromAnAnswerNeedsAReportOfTheSameIncarnation() {
        board.update(new LoadHeader("node-b", 7, 2, 6, 16, 1, MemberState.UP, true, 0, 0, false));
        assertEquals(Optional.empty(), board.get("node-b"), "no report yet: the header alone is none");
        board.update(report(1, 7, 1));
        board.update(new LoadHeader("node-b", 8, 2, 6, 16, 1, MemberState.UP, true, 0, 0, false));
        assertEquals(report(1, 7, 1), latest(), "a restarted node's header waits for its first report");
    }

    @Test
    void newerReportReplacesOlder() {
        board.update(report(1, 7, 1));
        board.update(report(2, 7, 2));
        assertEquals(report(2, 7, 2), latest());
    }

    @Test
    void olderReportArrivingLateIsIgnored() {
        board.update(report(2, 7, 5));
        board.update(report(9, 7, 4));
        board.update(report(9, 7, 5));
        assertEquals(report(2, 7, 5), latest());
    }

    @Test
    void restartedNodeReplacesItsPastSelfWhateverTheSequence() {
        board.update(report(2, 7, 500));
        board.update(report(0, 8, 1));
        assertEquals(report(0, 8, 1), latest());
    }

    @Test
    void estimateAddsForwardsSentSinceTheReportUntilANewerOneArrives() {
        board.update(report(3, 7, 1));
        LoadBoard.Entry entry = board.get("node-b").orElseThrow();
        entry.sent();
        entry.sent();
        assertEquals(5, entry.estimatedInFlight());
        board.update(report(0, 7, 0));
        assertEquals(5, board.get("node-b").orElseThrow().estimatedInFlight(), "a stale report keeps the count");
        board.update(report(4, 7, 2));
        assertEquals(4, board.get("node-b").orElseThrow().estimatedInFlight());
    }

    @Test
    void answeredForwardsNoLongerCountTowardsTheEstimate() {
        board.update(report(3, 7, 1));
        LoadBoard.Entry entry = board.get("node-b").orElseThrow();
        entry.sent();
        entry.sent();
        entry.finished();
        assertEquals(4, entry.estimatedInFlight());
        entry.finished();
        entry.finished();
        assertEquals(3, entry.estimatedInFlight(), "never below the report");
    }

    @Test
    void removedNodeIsGoneAndOthersAreUnknown() {
        board.update(report(1, 7, 1));
        board.remove("node-b");
        assertEquals(Optional.empty(), board.get("node-b"));
        assertEquals(Optional.empty(), board.get("node-z"));
    }

    @Test
    void ageCountsFromArrivalByThisNodesClock() {
        long before = System.nanoTime();
        board.update(report(1, 7, 1));
        long after = System.nanoTime();
        LoadBoard.Entry entry = board.get("node-b").orElseThrow();
        assertEquals(0, entry.ageMs(before), "never negative");
        long age = entry.ageMs(after + 2_000_000_000L);
        assertTrue(age >= 2_000 && age <= 2_000 + (after - before) / 1_000_000 + 1, Long.toString(age));
    }
}
