using System.Text.RegularExpressions;

namespace SweepCluster.Integration.Tests.Cluster;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster processes";
}

/// <summary>
/// Real `sweep run --listen` and `sweep-node` processes on loopback, something killed, stopped or frozen in the
/// middle, and every trial exactly once in the Parquet results at the end.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeFaultTests
{
    /// <summary>Small real trials (a 4-neuron net, 20k steps of full-batch GD); tests that must kill something while
    /// trials run also hold each trial with the nodes' delay hook, so that a faster engine cannot outrun them.</summary>
    internal static string SlowSweep(string name, int seeds, string run = "") => $$"""
        name: {{name}}
        experiment:
          model: { kind: two-layer, activation: tanh, hidden_bias: true }
          target:
            kind: teacher
            activation: tanh
            neurons:
              - { a: 1.2, w: [1.5], b: 0.5 }
          data: { input_dim: 1, inputs: gaussian, test_size: 10 }
        training:
          optimizer: gd
          max_steps: 20000
          loss_tolerance: 0
          precision: float64
        grid:
          init_scale: [1.0e-3]
          width: [4]
          learning_rate: [0.05]
          sample_size: [8]
          seed: { range: [0, {{seeds - 1}}] }
        {{run}}
        """;

    internal const int Patience = 120;

    [Fact]
    public async Task A_node_killed_in_the_middle_of_a_trial_loses_nothing()
    {
        await using var cluster = new ClusterHarness(SlowSweep("node-kill", seeds: 16)) { TrialDelayMilliseconds = 1500 };
        var coordinator = cluster.StartCoordinator();
        var victim = cluster.StartNode("victim", slots: 2);
        // Once the victim is busy: a node that joins first takes a batch of every trial on its second pull.
        Assert.True(await Signals.WaitUntilAsync(() => ClusterHarness.IsBusy(victim, 2), Patience), cluster.AllOutput());
        cluster.StartNode("survivor", slots: 2);
        victim.KillHard();

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        // The trials the victim held ran again elsewhere: their rows say it was their second delivery.
        Assert.Contains(rows, r => r.Attempt == 2 && r.Node == "survivor");
        Assert.Contains("node victim at", coordinator.Output);
        cluster.AssertNoSecretInOutput();
    }

    [Fact]
    public async Task A_node_stopped_with_sigterm_hands_its_trials_back_and_exits_cleanly()
    {
        // What Slurm does at the end of a job's time limit, and systemctl stop.
        await using var cluster = new ClusterHarness(SlowSweep("node-term", seeds: 12)) { TrialDelayMilliseconds = 1500 };
        var coordinator = cluster.StartCoordinator();
        var leaving = cluster.StartNode("leaving", slots: 2);
        // Once leaving is busy with its first pull (one trial per slot): a node that joins first would take a batch
        // of every trial on its second pull.
        Assert.True(await Signals.WaitUntilAsync(() => ClusterHarness.IsBusy(leaving, 2), Patience), cluster.AllOutput());
        cluster.StartNode("staying", slots: 2);
        Signals.Terminate(leaving.Pid);
        Assert.True(await leaving.WaitForExitAsync(60) == 0, leaving.Output);

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.Contains(rows, r => r.Attempt == 2 && r.Node == "staying");
        // Usually both of its trials; one may have finished between the busy log line and the signal.
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(coordinator.Output, @"node leaving handed back [12] trials"), cluster.AllOutput());
    }

    [Fact]
    public async Task A_node_started_before_the_coordinator_waits_for_it_and_status_lists_the_live_nodes()
    {
        await using var cluster = new ClusterHarness(SlowSweep("early-node", seeds: 8)) { TrialDelayMilliseconds = 1000 };
        var three = cluster.StartNode("node-three", slots: 3);
        cluster.StartNode("node-one", slots: 1);
        await Task.Delay(3000);
        var coordinator = cluster.StartCoordinator();
        Assert.True(await Signals.WaitUntilAsync(() => ClusterHarness.IsBusy(three, 3), Patience), cluster.AllOutput());

        // node-one registers on its own schedule (its first pull can come after node-three's): ask until both are listed.
        var status = cluster.StartStatus();
        Assert.True(await status.WaitForExitAsync(60) == 0, status.Output + cluster.AllOutput());
        for (var asked = 1; asked < 20 && !Regex.IsMatch(status.Output, @"nodes\s+2 registered"); asked++)
        {
            await Task.Delay(500);
            status = cluster.StartStatus();
            Assert.True(await status.WaitForExitAsync(60) == 0, status.Output + cluster.AllOutput());
        }
        Assert.Matches(@"nodes\s+2 registered", status.Output);
        Assert.Matches(@"node-three\s+\S+\s+3\s+\d\s+\d+\s+[\d.]+ s ago", status.Output);
        Assert.Matches(@"node-one\s+\S+\s+1\s+\d\s+\d+\s+[\d.]+ s ago", status.Output);

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        cluster.AssertNoSecretInOutput();
    }

    [Fact]
    public async Task A_poison_trial_that_kills_every_node_ends_as_one_failed_row_and_the_rest_completes()
    {
        // max_deliveries 2: two deliveries kill their node, the third is recorded as failed without running it.
        // One slot per node: a trial running beside the poison on a multi-slot node dies with it and is counted
        // too (docs/cluster.md, "Poison trials"), which this test is not about.
        await using var cluster = new ClusterHarness(SlowSweep("poison", seeds: 8, run: "run: { max_deliveries: 2 }"));
        var poison = cluster.Trials[3].Id.Value;
        var crash = new Dictionary<string, string> { ["SWEEP_TEST_CRASH_ON"] = poison };
        var coordinator = cluster.StartCoordinator();
        cluster.StartSupervisedNode("n1", slots: 1, crash);
        cluster.StartSupervisedNode("n2", slots: 1, crash);

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        var failed = Assert.Single(rows, r => r.Status == "failed");
        Assert.Equal(poison, failed.TrialId);
        Assert.Equal(3, failed.Attempt);
        Assert.All(rows.Where(r => r.TrialId != poison), r => Assert.Equal("ok", r.Status));
        // Each of the two fatal deliveries took a node process with it.
        Assert.True(cluster.Processes.Count(p => p.Name != "coordinator" && p.HasExited && p.ExitCode != 0) >= 2, cluster.AllOutput());
    }

    [Fact]
    public async Task A_frozen_node_whose_trials_ran_elsewhere_has_its_late_results_dropped()
    {
        await using var cluster = new ClusterHarness(SlowSweep("frozen", seeds: 8)) { TrialDelayMilliseconds = 2500 };
        var coordinator = cluster.StartCoordinator();
        var frozen = cluster.StartNode("frozen", slots: 2);
        Assert.True(await Signals.WaitUntilAsync(() => ClusterHarness.IsBusy(frozen, 2), Patience), cluster.AllOutput());
        cluster.StartNode("awake", slots: 4);
        Signals.Freeze(frozen.Pid);
        // Past the failure detector and the downing decision (TestAkkaConfig): its trials are leased to "awake".
        Assert.True(await Signals.WaitUntilAsync(() => coordinator.Output.Contains("node frozen at", StringComparison.Ordinal), 30), cluster.AllOutput());
        await Task.Delay(4000);
        Signals.Thaw(frozen.Pid);

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.Contains(rows, r => r.Attempt == 2 && r.Node == "awake");
    }
}
