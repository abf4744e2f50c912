package io.ballast.bench;

import io.ballast.bench.process.NodeCluster;

import java.util.List;

/**
 * One cluster's share of the suite: the nodes to start, and the rows to measure on them before they are stopped.
 *
 * @param name           for the progress log
 * @param scenarios      the scenarios it measures rows of
 * @param configurations the configurations it measures rows of (of those scenarios)
 * @param nodeArgs       one entry per node: that node's options
 * @param body           the measurements
 */
record Stage(String name, List<Scenario> scenarios, List<Configuration> configurations, List<List<String>> nodeArgs,
             Body body) {

    Stage {
        scenarios = List.copyOf(scenarios);
        configurations = List.copyOf(configurations);
        nodeArgs = List.copyOf(nodeArgs);
    }

    /** Measures rows on a running cluster; may fail, which costs the rows it has not recorded yet. */
    @FunctionalInterface
    interface Body {
        void run(NodeCluster cluster) throws Exception;
    }

    /** Whether {@code row} is one of this stage's. */
    boolean owns(Scenario scenario, Configuration configuration) {
        return scenarios.contains(scenario) && configurations.contains(configuration)
                && scenario.configurations().contains(configuration);
    }
}
