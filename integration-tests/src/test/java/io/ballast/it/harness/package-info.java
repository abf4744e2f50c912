/**
 * Real Ballast nodes as separate processes on loopback or on hosts of their own, for tests that kill, stop, drain,
 * restart and partition them.
 *
 * <ul>
 *   <li>{@link io.ballast.it.harness.TestCluster}: the entry point, a JUnit 5 extension (or try-with-resources
 *       resource) that lays nodes out on a fresh loopback block with a fresh cluster name and free ports, starts
 *       them ({@code startStatic}, {@code startDns}, or {@code start} of any {@link io.ballast.it.harness.NodeSpec}),
 *       waits on them with a failure message that shows every view and log, and stops them all afterwards.</li>
 *   <li>{@link io.ballast.it.harness.NodeProcess}: one node process: HTTP, its view, signals, exit status, log.</li>
 *   <li>{@link io.ballast.it.harness.Await}: polling instead of sleeping, with limits counted from a given moment.</li>
 *   <li>{@link io.ballast.it.harness.Views}: predicates over {@code /_ballast/cluster} views.</li>
 *   <li>{@link io.ballast.it.harness.DnsServer}: a DNS server in the test (dnsjava) answering A records that the
 *       test can change, for DNS discovery.</li>
 *   <li>{@link io.ballast.it.harness.Chromium}: a real headless Chromium through Selenium, for the cluster page.</li>
 *   <li>{@link io.ballast.it.harness.TestHosts}: nodes on hosts of their own, each in a Linux network namespace on a
 *       bridge made for the test, whose links can be cut and healed; {@link io.ballast.it.harness.NetNamespaces}
 *       runs iproute2 and skips such tests without root (fails them under {@code CI=true}).</li>
 *   <li>{@link io.ballast.it.harness.TcpSockets}: the TCP sockets a node process holds, from {@code /proc}.</li>
 * </ul>
 *
 * <p>Node logs go to {@code <ballast.logs>/<test class>/<test method>/<node>.log}; failsafe sets
 * {@code ballast.logs} to {@code integration-tests/target/node-logs}.
 */
package io.ballast.it.harness;
