using System.Diagnostics;
using SweepCluster.Analysis;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>The embedded sweep end to end through the real `sweep` executable.</summary>
public sealed class EmbeddedSweepTests
{
    internal static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepCluster.sln")))
                return Path.Combine(dir.FullName, relative);
        throw new InvalidOperationException("the tests must run inside the repository");
    }

    /// <summary>A sweep of 240 cheap trials: long enough to be killed in the middle, short enough for CI.</summary>
    private const string Small = """
        name: small
        experiment:
          model: { kind: two-layer, hidden_bias: true }
          target: { kind: teacher, neurons: [ { a: 1.0, w: [1.0], b: 0.3 } ] }
          data: { input_dim: 1, test_size: 200 }
        training: { max_steps: 20000, loss_tolerance: 1.0e-12 }
        grid:
          init_scale: [1.0e-3]
          width: [2]
          learning_rate: [0.1, 0.3]
          sample_size: { range: [1, 12] }
          seed: { range: [0, 9] }
        """;

    [Fact]
    public void QuickstartRecoversTheOptimisticSizeAndARerunSkipsEverything()
    {
        using var tmp = new TempDir();
        var runs = Path.Combine(tmp.Path, "runs");
        var (code, output) = SweepCli.Run("run", RepoFile("sweeps/quickstart.yaml"), "--runs", runs);
        Assert.True(code == 0, output);
        Assert.Contains("Empirical optimistic sample size", output, StringComparison.Ordinal);

        var runDir = Path.Combine(runs, "quickstart");
        var rows = Results.Read(runDir);
        Assert.Equal(432, rows.Count);
        Assert.Equal(432, rows.Select(r => r.Id).Distinct().Count());
        var estimate = Assert.Single(Estimator.Estimate(ResultsLoader.Load(runDir, AnalysisSettings.Load(runDir)), AnalysisSettings.Load(runDir)));
        Assert.Equal(3, estimate.TheoreticalSize);
        Assert.Equal(3, estimate.EmpiricalSize);
        Assert.True(File.Exists(Path.Combine(runDir, "report.html")));
        Assert.True(File.Exists(Path.Combine(runDir, "sweep.yaml")));

        var parts = Directory.GetFiles(Path.Combine(runDir, "results"));
        (code, output) = SweepCli.Run("run", RepoFile("sweeps/quickstart.yaml"), "--runs", runs);
        Assert.True(code == 0, output);
        Assert.Contains("432 already recorded", output, StringComparison.Ordinal);
        Assert.Equal(parts, Directory.GetFiles(Path.Combine(runDir, "results")));
    }

    [Fact]
    public void KilledWithSigkillAtRandomMomentsAndRestartedRecordsEveryTrialExactlyOnce()
    {
        using var tmp = new TempDir();
        // 720 trials: batched, 240 finish before the first kill as often as not.
        var file = tmp.Write("small.yaml", Small.Replace("range: [0, 9]", "range: [0, 29]", StringComparison.Ordinal));
        var runs = Path.Combine(tmp.Path, "runs");
        string[] args = ["run", file, "--runs", runs, "--slots", "2", "--flush-rows", "7", "--flush-seconds", "0.1"];
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = 0;
        var results = Path.Combine(runs, "small", "results");
        int Parts() => Directory.Exists(results) ? Directory.GetFiles(results, "part-*.parquet").Length : 0;
        for (var round = 0; round < 3; round++)
        {
            using var cli = SweepCli.Start(args);
            // A random moment while it runs: once this run has written a part file of its own, up to 150 ms later
            // (on a quiet machine the whole sweep takes about a second and a half, so a fixed delay often misses it).
            var before = Parts();
            var clock = Stopwatch.StartNew();
            while (!cli.HasExited && Parts() == before && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(5);
            if (!WaitForExit(cli, TimeSpan.FromMilliseconds(random.Next(0, 150))))
            {
                cli.KillHard();
                kills++;
            }
        }
        var (code, output) = SweepCli.Run(args);
        Assert.True(code == 0, $"seed {seed}: {output}");

        var rows = Results.Read(Path.Combine(runs, "small"));
        Assert.True(kills > 0, $"seed {seed}: the sweep finished before any kill; the test proved nothing");
        Assert.Equal(720, rows.Select(r => r.Id).Distinct().Count());
        Assert.True(rows.Count == 720, $"seed {seed}: {rows.Count} rows for 720 trials after {kills} kills: a trial was recorded twice");
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(runs, "small", "results")), f => !f.EndsWith(".parquet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CtrlCStopsCleanlyAndKeepsWhatFinished()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("small.yaml", Small.Replace("max_steps: 20000", "max_steps: 200000", StringComparison.Ordinal).Replace("loss_tolerance: 1.0e-12", "loss_tolerance: 1.0e-30", StringComparison.Ordinal));
        var runs = Path.Combine(tmp.Path, "runs");
        using var cli = SweepCli.Start("run", file, "--runs", runs, "--slots", "2", "--flush-seconds", "0.1");
        var results = Path.Combine(runs, "small", "results");
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(results) && Directory.GetFiles(results, "part-*.parquet").Length > 0) && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(50);
        using (var kill = Process.Start("kill", ["-INT", cli.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var code = await cli.WaitForExitAsync(30);
        Assert.True(code == 130, cli.Output);
        Assert.Contains("run the same command again to continue", cli.Output, StringComparison.Ordinal);
        var rows = Results.Read(Path.Combine(runs, "small"));
        Assert.NotEmpty(rows);
        Assert.True(rows.Count < 240, "the sweep finished before it was interrupted");
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void ADivergingTrialIsARowWithStatusDiverged()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("diverge.yaml", Small
            .Replace("learning_rate: [0.1, 0.3]", "learning_rate: [0.1, 1000]", StringComparison.Ordinal)
            .Replace("init_scale: [1.0e-3]", "init_scale: [1.0]", StringComparison.Ordinal)
            .Replace("range: [1, 12]", "range: [4, 5]", StringComparison.Ordinal)
            .Replace("range: [0, 9]", "range: [0, 1]", StringComparison.Ordinal));
        var (code, output) = SweepCli.Run("run", file, "--runs", Path.Combine(tmp.Path, "runs"));
        Assert.True(code == 0, output);
        var rows = Results.Read(Path.Combine(tmp.Path, "runs", "small"));
        Assert.Equal(8, rows.Count);
        Assert.All(rows.Where(r => r.LearningRate == 1000), r =>
        {
            Assert.Equal("diverged", r.Status);
            Assert.Contains("diverged", r.Error, StringComparison.Ordinal);
        });
        Assert.All(rows.Where(r => r.LearningRate == 0.1), r => Assert.Equal("ok", r.Status));
    }

    [Fact]
    public void AHungTrialEndsAsTimeoutAndRetryFailedRunsItAgainInPlaceOfItsRow()
    {
        using var tmp = new TempDir();
        var slow = Small
            .Replace("training: { max_steps: 20000, loss_tolerance: 1.0e-12 }", "training: { max_steps: 2000000 }", StringComparison.Ordinal)
            .Replace("learning_rate: [0.1, 0.3]", "learning_rate: [0.1]", StringComparison.Ordinal)
            .Replace("range: [1, 12]", "range: [3, 3]", StringComparison.Ordinal)
            .Replace("range: [0, 9]", "range: [0, 1]", StringComparison.Ordinal);
        var runs = Path.Combine(tmp.Path, "runs");
        var (code, output) = SweepCli.Run("run", tmp.Write("a.yaml", slow + "\nrun: { trial_timeout_seconds: 0.2 }\n"), "--runs", runs);
        Assert.True(code == 0, output);
        var rows = Results.Read(Path.Combine(runs, "small"));
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("timeout", r.Status));
        Assert.All(rows, r => Assert.Contains("time limit", r.Error, StringComparison.Ordinal));

        // The limit is not part of a trial's identity: the same trials, given time, replace their timeout rows.
        (code, output) = SweepCli.Run("run", tmp.Write("b.yaml", slow + "\nrun: { trial_timeout_seconds: 600 }\n"), "--runs", runs, "--retry-failed");
        Assert.True(code == 0, output);
        Assert.Contains("2 failed or timed-out rows removed", output, StringComparison.Ordinal);
        var after = Results.Read(Path.Combine(runs, "small"));
        Assert.Equal(rows.Select(r => r.Id).Order(StringComparer.Ordinal), after.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.All(after, r => Assert.Equal("ok", r.Status));
    }

    [Fact]
    public void LossCurvesLandBesideTheResultsWhenAsked()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("curves.yaml", Small
            .Replace("training: { max_steps: 20000, loss_tolerance: 1.0e-12 }", "training: { max_steps: 2000, curve_every: 100 }", StringComparison.Ordinal)
            .Replace("range: [1, 12]", "range: [3, 4]", StringComparison.Ordinal)
            .Replace("range: [0, 9]", "range: [0, 1]", StringComparison.Ordinal));
        var (code, output) = SweepCli.Run("run", file, "--runs", Path.Combine(tmp.Path, "runs"));
        Assert.True(code == 0, output);
        var runDir = Path.Combine(tmp.Path, "runs", "small");
        var ids = Results.Read(runDir).Select(r => r.Id).ToHashSet();
        var points = Directory.GetFiles(Path.Combine(runDir, "curves"), "part-*.parquet").SelectMany(f =>
        {
            var t = SweepCluster.Parquet.ParquetFile.Read(f);
            var trial = (string?[])t.Columns[t.IndexOf("trial_id")];
            var step = (long?[])t.Columns[t.IndexOf("step")];
            return Enumerable.Range(0, t.RowCount).Select(i => (Id: trial[i]!, Step: step[i]!.Value));
        }).ToList();
        Assert.Equal(ids, points.Select(p => p.Id).ToHashSet());
        foreach (var trial in points.GroupBy(p => p.Id))
            Assert.Equal([0, 100, 200], trial.Select(p => p.Step).Take(3));
        Assert.Equal(8 * 21, points.Count);
    }

    private static bool WaitForExit(ChildProcess cli, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (cli.HasExited) return true;
            Thread.Sleep(20);
        }
        return false;
    }
}
