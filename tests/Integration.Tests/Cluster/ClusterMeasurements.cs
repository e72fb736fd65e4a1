using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Integration.Tests.Broker;
using Xunit.Abstractions;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>
/// The two numbers of docs/benchmarks.md ("Cluster"), measured on real processes; each is also a test of the
/// behaviour it measures. Print them with:
/// dotnet test tests/Integration.Tests --filter "FullyQualifiedName~ClusterMeasurements" --logger "console;verbosity=detailed"
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed partial class ClusterMeasurements(BrokerFixture broker, ITestOutputHelper output)
{
    private const int Patience = 150;

    [Fact]
    public async Task Four_nodes_run_a_sweep_of_no_op_trials_each_exactly_once()
    {
        const int trials = 1000;
        // One step on one sample: the trial itself costs microseconds, so this measures the cluster's overhead.
        await using var cluster = new ClusterHarness(broker, $$"""
            name: noop
            experiment:
              model: { kind: linear-nl }
              target: { kind: linear, coefficients: [1.0, 0.0], intercept: 1 }
              data: { input_dim: 2, inputs: gaussian, test_size: 1 }
            training: { optimizer: gd, max_steps: 1 }
            grid:
              init_scale: [0.1]
              learning_rate: [0.01]
              sample_size: [1]
              seed: { range: [0, {{trials - 1}}] }
            """);
        for (var i = 1; i <= 4; i++) cluster.StartNode($"n{i}", slots: 4);
        var clock = Stopwatch.StartNew();
        var coordinator = cluster.StartCoordinator();
        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        clock.Stop();

        Assert.Equal(trials, cluster.AssertEveryTrialExactlyOnce().Count);
        var summary = SummaryLine().Matches(coordinator.Output).Last();
        output.WriteLine($"no-op sweep, {trials} trials, 1 coordinator + 4 nodes x 4 slots on loopback: " +
            $"{summary.Groups["rate"].Value} trials/s as the coordinator counts them (first trial published to last result durable); " +
            $"{trials / clock.Elapsed.TotalSeconds:F0} trials/s over the coordinator's whole life ({clock.Elapsed.TotalSeconds:F1} s, process start included)");
    }

    [Fact]
    public async Task The_trial_of_a_killed_node_runs_on_another_node_within_moments()
    {
        const int kills = 4;
        // One trial that runs for minutes, passed from node to node: each holder is SIGKILLed once an idle spare
        // is up, and the spare's heartbeat (every 10 ms) says when it is running the trial.
        await using var cluster = new ClusterHarness(broker, """
            name: handover
            experiment:
              model: { kind: two-layer, activation: tanh, hidden_bias: true }
              target:
                kind: teacher
                activation: tanh
                neurons:
                  - { a: 1.2, w: [1.5], b: 0.5 }
              data: { input_dim: 1, inputs: gaussian, test_size: 10 }
            training: { optimizer: gd, max_steps: 100000000, loss_tolerance: 0 }
            grid:
              init_scale: [1.0e-3]
              width: [4]
              learning_rate: [0.05]
              sample_size: [8]
              seed: [0]
            run: { max_deliveries: 10 }
            """);
        await using var listener = await RabbitEventsListener.StartAsync(cluster.Options, new ListLogger(), CancellationToken.None);
        LiveNodeState? State(string node) => listener.Nodes(TimeSpan.FromMinutes(5)).Where(n => n.Heartbeat.Node.Value == node)
            .Select(n => new LiveNodeState(n.Heartbeat.BusySlots, n.ReceivedAt)).Cast<LiveNodeState?>().FirstOrDefault();

        // Each spare first runs a tiny trial of another sweep, as a node in a real cluster has run trials before:
        // a fresh process spends its first few hundred milliseconds compiling the JSON and training code.
        await using var warmups = await RabbitSweepTransport.ConnectAsync(cluster.Options, new("warmup"), new ListLogger(), CancellationToken.None);
        using var stopWarmups = new CancellationTokenSource();
        await using var warmupResults = warmups.ReadResultsAsync(stopWarmups.Token).GetAsyncEnumerator(stopWarmups.Token);

        cluster.StartCoordinator();
        var holder = cluster.StartNode("node0", slots: 1);
        Assert.True(await TestMessages.WaitUntilAsync(() => Task.FromResult(State("node0")?.Busy == 1), Patience), cluster.AllOutput());

        var handovers = new List<double>();
        for (var i = 1; i <= kills; i++)
        {
            var spareName = $"node{i}";
            var spare = cluster.StartNode(spareName, slots: 1, fastHeartbeat: true);
            await warmups.PublishTrialAsync(TestMessages.Trial("warmup", i), CancellationToken.None);
            var warmedUp = await warmupResults.NextAsync(Patience);
            Assert.Equal(spareName, warmedUp.Message.Node.Value);
            await warmedUp.AckAsync();
            // Idle, and consuming: a heartbeat can come before the node's consumer is registered.
            Assert.True(await TestMessages.WaitUntilAsync(async () => State(spareName) is { Busy: 0 }
                && (await listener.TrialsQueueAsync(CancellationToken.None)).Consumers == 2, Patience), cluster.AllOutput());

            var clock = Stopwatch.StartNew();
            holder.KillHard();
            while (State(spareName)?.Busy != 1 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(1);
            clock.Stop();
            Assert.True(State(spareName)?.Busy == 1, cluster.AllOutput());
            handovers.Add(clock.Elapsed.TotalMilliseconds);
            holder = spare;
        }

        handovers.Sort();
        await stopWarmups.CancelAsync();
        output.WriteLine($"SIGKILL of the node running a trial -> that trial running on an idle node, {kills} handovers: " +
            $"median {handovers[kills / 2]:F0} ms, min {handovers[0]:F0} ms, max {handovers[^1]:F0} ms " +
            "(seen through the new node's heartbeat, sent every 10 ms)");
    }

    private sealed record LiveNodeState(int Busy, DateTime At);

    [GeneratedRegex(@"(?<done>\d+)/(?<total>\d+) trials, (?<rate>[\d.]+)/s")]
    private static partial Regex SummaryLine();
}
