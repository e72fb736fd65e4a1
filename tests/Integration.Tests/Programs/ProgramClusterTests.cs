using System.Diagnostics;
using System.Text.Json;
using SweepCluster.Integration.Tests.Cluster;

namespace SweepCluster.Integration.Tests.Programs;

/// <summary>Program trials on a cluster of real processes: a coordinator and two GPU nodes sharing the sweep folder.</summary>
public sealed class ProgramClusterTests
{
    [Fact]
    public async Task Program_trials_run_on_the_gpus_of_every_node_and_land_once_with_their_logs_in_the_run_folder()
    {
        await using var cluster = new ClusterHarness("""
            name: fake-cluster
            experiment:
              program: { command: [python3, fake.py], env: { FAKE_SLEEP: "0.1" } }
            grid:
              width: [2]
              depth: [1, 2]
              sample_size: { range: [1, 6] }
              seed: [0, 1]
            estimate: { threshold: 1.0e-3 }
            """, new Dictionary<string, string> { ["fake.py"] = FakeProgram.Script });

        var coordinator = cluster.StartCoordinator();
        cluster.StartNode("gpu-a", 0, gpus: "0,1");
        cluster.StartNode("gpu-b", 0, gpus: "2");
        var code = await coordinator.WaitForExitAsync(180);

        Assert.True(code == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        var programRows = ProgramSweepTests.ReadRows(cluster.RunFolder);
        Assert.All(programRows, r =>
        {
            Assert.Equal("ok", r.Status);
            using var m = JsonDocument.Parse(r.Metrics!);
            Assert.Equal(r.Gpu, m.RootElement.GetProperty("gpu_seen").GetString());
            Assert.True(File.Exists(Path.Combine(cluster.RunFolder, "logs", $"{r.Id}.log")), $"no log for {r.Id}");
        });
        var byNode = rows.GroupBy(r => r.Node).ToDictionary(g => g.Key, g => programRows.Where(p => g.Any(r => r.TrialId == p.Id)).Select(p => p.Gpu).Distinct().Order().ToList());
        Assert.Equal(["0", "1"], byNode["gpu-a"]);
        Assert.Equal(["2"], byNode["gpu-b"]);
        Assert.Contains("Empirical optimistic sample size", coordinator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sigkilled_node_leaves_no_program_and_its_trials_finish_elsewhere_and_status_showed_its_busy_gpus()
    {
        await using var cluster = new ClusterHarness("""
            name: fake-kill
            experiment:
              program: { command: [python3, fake.py] }
            grid:
              width: [2]
              depth: [1]
              sample_size: { range: [1, 4] }
            """, new Dictionary<string, string> { ["fake.py"] = FakeProgram.Script });
        var slow = Path.Combine(cluster.Folder, "slow");
        File.WriteAllText(slow, "");
        var runDir = cluster.RunFolder;

        var coordinator = cluster.StartCoordinator();
        var doomed = cluster.StartNode("doomed", 0, gpus: "4,5");
        var clock = Stopwatch.StartNew();
        while (FakeProgram.Pids(runDir).Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(50);
        var pids = FakeProgram.Pids(runDir);
        Assert.True(pids.Count >= 2, cluster.AllOutput());

        // `sweep status --coordinator` shows the node's busy GPUs, as its heartbeats reach the coordinator.
        string status = "";
        clock.Restart();
        while (!status.Contains("4,5", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var query = cluster.StartStatus();
            await query.WaitForExitAsync(30);
            status = query.Output;
        }
        Assert.Contains("doomed", status, StringComparison.Ordinal);
        Assert.Contains("4,5", status, StringComparison.Ordinal);

        doomed.KillHard();
        clock.Restart();
        while (pids.Any(FakeProgram.IsAlive) && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.All(pids, pid => Assert.False(FakeProgram.IsAlive(pid), $"program {pid} outlived its SIGKILLed node"));

        File.Delete(slow);
        cluster.StartNode("rescuer", 2);
        var code = await coordinator.WaitForExitAsync(180);
        Assert.True(code == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
    }
}
