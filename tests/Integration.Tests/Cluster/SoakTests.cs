namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>
/// Random SIGKILLs of nodes and of the coordinator (each restarted, as systemd or a Slurm requeue would) while a sweep
/// of short trials runs; it must end with every trial exactly once. The CI size is small; SWEEP_SOAK_KILLS raises the
/// number of kills of each kind (docs/benchmarks.md records a long run). max_deliveries is high: a trial that
/// happens to be on three killed nodes is bad luck here, not a poison trial.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SoakTests
{
    [Fact]
    public async Task Random_sigkills_of_nodes_and_coordinator_end_with_every_trial_exactly_once()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("SWEEP_SOAK_KILLS"), out var k) ? k : 3;
        var seeds = Math.Max(60, kills * 20);
        await using var cluster = new ClusterHarness(NodeFaultTests.SlowSweep("soak", seeds, run: "run: { max_deliveries: 50 }")) { TrialDelayMilliseconds = 400, NodeBatching = false };
        var seed = Environment.TickCount;
        var random = new Random(seed);
        cluster.StartSupervisedNode("n1", slots: 2);
        cluster.StartSupervisedNode("n2", slots: 2);
        cluster.StartSupervisedNode("n3", slots: 2);
        var coordinator = cluster.StartCoordinator("coordinator 1");
        var restarts = 1;
        var plan = Enumerable.Repeat(true, kills).Concat(Enumerable.Repeat(false, kills)).OrderBy(_ => random.Next()).ToList();
        var done = 0;
        foreach (var killCoordinator in plan)
        {
            await Task.Delay(random.Next(1500, 3500));
            if (coordinator.HasExited) break;
            if (killCoordinator)
            {
                coordinator.KillHard();
                coordinator = cluster.StartCoordinator($"coordinator {++restarts}");
            }
            else
            {
                var victim = cluster.Processes.Where(p => p.Name.StartsWith('n') && !p.HasExited).OrderBy(_ => random.Next()).FirstOrDefault();
                victim?.KillHard();
            }
            done++;
        }
        Assert.True(await coordinator.WaitForExitAsync(240) == 0, $"seed {seed}\n" + cluster.AllOutput());
        Assert.True(done >= plan.Count / 2, $"seed {seed}: the sweep ended after {done} kills; make it longer");
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
    }
}
