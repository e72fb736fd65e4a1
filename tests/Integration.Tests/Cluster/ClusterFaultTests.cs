using RabbitMQ.Client;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Integration.Tests.Broker;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>
/// Issue 5's fault tests: real `sweep run --broker` and `sweep-node` processes on the shared throwaway broker,
/// something killed in the middle, and every trial exactly once in the Parquet results at the end.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterFaultTests(BrokerFixture broker)
{
    /// <summary>Small real trials (a 4-neuron net, 20k steps of full-batch GD); tests that must kill something while
    /// trials run also hold each trial with the nodes' delay hook, so that a faster engine cannot outrun them.</summary>
    private static string SlowSweep(string name, int seeds, string run = "") => $$"""
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

    private const int Patience = 150;

    [Fact]
    public async Task A_node_killed_in_the_middle_of_a_trial_loses_nothing()
    {
        await using var cluster = new ClusterHarness(broker, SlowSweep("node-kill", seeds: 16)) { TrialDelayMilliseconds = 1500 };
        await using var listener = await RabbitEventsListener.StartAsync(cluster.Options, new ListLogger(), CancellationToken.None);
        var coordinator = cluster.StartCoordinator();
        var victim = cluster.StartNode("victim", slots: 2);
        cluster.StartNode("survivor", slots: 2);

        // Killed only once its heartbeat says both its slots are running trials.
        Assert.True(await TestMessages.WaitUntilAsync(() => Task.FromResult(
            listener.Nodes(TimeSpan.FromMinutes(1)).Any(n => n.Heartbeat.Node.Value == "victim" && n.Heartbeat.BusySlots == 2)), Patience),
            cluster.AllOutput());
        victim.KillHard();

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        // The trials the victim held ran again elsewhere: their rows say it was their second delivery.
        Assert.Contains(rows, r => r.Attempt == 2 && r.Node == "survivor");
        cluster.AssertNoPasswordInOutput();
    }

    [Fact]
    public async Task Status_shows_the_sweep_and_the_live_nodes_with_their_slots()
    {
        await using var cluster = new ClusterHarness(broker, SlowSweep("status", seeds: 2));
        cluster.StartNode("node-three", slots: 3);
        cluster.StartNode("node-one", slots: 1);
        Assert.True(await cluster.StartCoordinator().WaitForExitAsync(Patience) == 0, cluster.AllOutput());

        var status = cluster.StartStatus();
        Assert.True(await status.WaitForExitAsync(60) == 0, status.Output);
        Assert.Matches(@"done\s+2\b", status.Output);
        Assert.Matches(@"nodes\s+2 heard from", status.Output);
        Assert.Matches(@"node-three\s+\S+\s+3\s+0\s+\d+\s+[\d.]+ s ago", status.Output);
        Assert.Matches(@"node-one\s+\S+\s+1\s+0\s+\d+\s+[\d.]+ s ago", status.Output);
        Assert.Contains($"broker amqp://{BrokerFixture.User}:***@127.0.0.1:", status.Output);
        cluster.AssertNoPasswordInOutput();
    }

    [Fact]
    public async Task A_coordinator_killed_and_restarted_loses_nothing_and_records_nothing_twice()
    {
        await using var cluster = new ClusterHarness(broker, SlowSweep("coordinator-kill", seeds: 16)) { TrialDelayMilliseconds = 1000 };
        var first = cluster.StartCoordinator("coordinator 1");
        cluster.StartNode("n1", slots: 2);
        cluster.StartNode("n2", slots: 2);

        Assert.True(await TestMessages.WaitUntilAsync(() => Task.FromResult(cluster.PartFileCount() > 0), Patience), cluster.AllOutput());
        Assert.False(first.HasExited, "the sweep ended before the coordinator could be killed: make the trials slower");
        first.KillHard();

        // Meanwhile the nodes finish the window the first coordinator published; those results wait in the broker.
        var second = cluster.StartCoordinator("coordinator 2");
        Assert.True(await second.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        cluster.AssertNoPasswordInOutput();
    }

    [Fact]
    public async Task A_broker_restarted_in_the_middle_of_the_sweep_loses_nothing()
    {
        await using var cluster = new ClusterHarness(broker, SlowSweep("broker-restart", seeds: 16)) { TrialDelayMilliseconds = 1000 };
        var coordinator = cluster.StartCoordinator();
        cluster.StartNode("n1", slots: 2);
        cluster.StartNode("n2", slots: 2);

        Assert.True(await TestMessages.WaitUntilAsync(() => Task.FromResult(cluster.PartFileCount() > 0), Patience), cluster.AllOutput());
        Assert.False(coordinator.HasExited, "the sweep ended before the broker restart: make the trials slower");
        await broker.StopAsync();
        await broker.StartAsync();

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.Contains("Reconnected to amqp://", cluster.AllOutput());
        cluster.AssertNoPasswordInOutput();
    }

    [Fact]
    public async Task A_poison_trial_that_kills_every_node_ends_as_one_failed_row_and_the_rest_completes()
    {
        // max_deliveries 2: two deliveries kill their node, the third is recorded as failed without running it.
        // One slot per node: a trial running beside the poison on a multi-slot node dies with it and is counted
        // too (docs/cluster.md, "Poison trials"), which this test is not about.
        await using var cluster = new ClusterHarness(broker, SlowSweep("poison", seeds: 8, run: "run: { max_deliveries: 2 }"));
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
    public async Task A_garbled_message_on_the_trials_queue_is_parked_and_the_sweep_completes()
    {
        await using var cluster = new ClusterHarness(broker, SlowSweep("garbled", seeds: 6));
        // Declared the way a node declares them, then garbage at the head of the queue, ahead of every trial.
        await (await RabbitNodeTransport.ConnectAsync(cluster.Options, new("test"), new ListLogger(), CancellationToken.None)).DisposeAsync();
        var factory = cluster.Options.CreateFactory("test garbler");
        factory.AutomaticRecoveryEnabled = false;
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.BasicPublishAsync("", RabbitTopology.TrialsQueue, mandatory: false,
                new BasicProperties { Persistent = true }, "{\"v\":99,\"kind\":\"trial\",\"body\":{}}"u8.ToArray());

        var coordinator = cluster.StartCoordinator();
        cluster.StartNode("n1", slots: 2);

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.Contains("Unreadable message on sweep.trials", cluster.AllOutput());
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync(RabbitTopology.ParkedQueue)).MessageCount);
    }
}
