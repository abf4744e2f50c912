package io.ballast.bench.report;

/** Whether a goal was met, as the report prints it. */
public enum Verdict {

    MET("MET"),
    NOT_MET("NOT MET"),
    NOT_EVALUATED("NOT EVALUATED");

    private final String text;

    Verdict(String text) {
        this.text = text;
    }

    public static Verdict of(boolean met) {
        return met ? MET : NOT_MET;
    }

    @Override
    public String toString() {
        return text;
    }
}
