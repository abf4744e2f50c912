package io.ballast.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Every row of a bench run, one per scenario and configuration, whatever order they were measured in. */
public final class Results {

    private final Map<Scenario, Map<Configuration, Row>> rows = new EnumMap<>(Scenario.class);
    private final List<ScaleRow> scaleRows = new ArrayList<>();

    synchronized void put(Row row) {
        rows.computeIfAbsent(row.scenario(), s -> new EnumMap<>(Configuration.class)).put(row.configuration(), row);
    }

    synchronized boolean has(Scenario scenario, Configuration configuration) {
        return rows.getOrDefault(scenario, Map.of()).containsKey(configuration);
    }

    /** The row, or a failed one when it was never measured. */
    public synchronized Row row(Scenario scenario, Configuration configuration) {
        Row row = rows.getOrDefault(scenario, Map.of()).get(configuration);
        return row != null ? row : Row.failed(scenario, configuration, "not run");
    }

    /** The rows of {@code scenario}, in the order of its table. */
    public List<Row> rows(Scenario scenario) {
        List<Row> list = new ArrayList<>();
        for (Configuration configuration : scenario.configurations()) {
            list.add(row(scenario, configuration));
        }
        return list;
    }

    /** Every row, scenario by scenario. */
    public List<Row> all() {
        List<Row> list = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            list.addAll(rows(scenario));
        }
        return list;
    }

    synchronized void put(ScaleRow row) {
        scaleRows.add(row);
    }

    /** The scale scenario's rows, in the order they were measured. */
    public synchronized List<ScaleRow> scaleRows() {
        return List.copyOf(scaleRows);
    }

    public boolean anyFailed() {
        return all().stream().anyMatch(Row::isFailed) || scaleRows().stream().anyMatch(ScaleRow::isFailed);
    }
}
