using System.Diagnostics;
using SweepCluster.Analysis;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>
/// `estimate: { search: adaptive }` through the real `sweep`: the same estimates as the full grid from fewer trials,
/// and a run killed mid-search continues with the same decisions.
/// </summary>
public sealed class AdaptiveSearchTests
{
    /// <summary>Two tuned axes (width, learning rate), n = 1..16, 4 seeds: 256 trials in the full grid, theory 3.</summary>
    private const string TwoTunedAxes = """
        name: tuned
        experiment:
          model: { kind: two-layer, hidden_bias: true }
          target: { kind: teacher, neurons: [ { a: 1.0, w: [1.0], b: 0.3 } ] }
          data: { input_dim: 1, test_size: 200 }
        training: { max_steps: 20000, loss_tolerance: 1.0e-12 }
        grid:
          init_scale: [1.0e-3]
          width: [1, 2]
          learning_rate: [0.1, 0.3]
          sample_size: { range: [1, 16] }
          seed: { range: [0, 3] }
        estimate:
          threshold: 1.0e-4
          quorum: 0.5
          tune: [width, learning_rate]
        """;

    private static string Adaptive(string yaml) => yaml.Replace("\nestimate:\n", "\nestimate:\n  search: adaptive\n", StringComparison.Ordinal);

    private static (Dictionary<string, GroupEstimate> Estimates, IReadOnlyList<ResultRecord> Rows) Run(string file, string runs, string name)
    {
        var (code, output) = SweepCli.Run("run", file, "--runs", runs);
        Assert.True(code == 0, output);
        var dir = Path.Combine(runs, name);
        var rows = ResultsLoader.Load(dir, AnalysisSettings.Load(dir));
        return (Estimator.Estimate(rows, AnalysisSettings.Load(dir)).ToDictionary(e => e.Group), rows);
    }

    [Fact]
    public void Two_tuned_axes_give_the_full_grids_estimate_from_six_of_sixteen_sample_sizes()
    {
        using var tmp = new TempDir();
        var (grid, gridRows) = Run(tmp.Write("tuned.yaml", TwoTunedAxes), Path.Combine(tmp.Path, "grid"), "tuned");
        var (adaptive, rows) = Run(tmp.Write("tuned-adaptive.yaml", Adaptive(TwoTunedAxes)), Path.Combine(tmp.Path, "adaptive"), "tuned");

        Assert.Equal(256, gridRows.Count);
        Assert.Equal(3, Assert.Single(grid.Values).EmpiricalSize);
        Assert.Equal(3, Assert.Single(adaptive.Values).EmpiricalSize);
        // The top (16), a bisection (8, 4, 2, 3) and the check above the bracket (4 known, 5): 6 probes of 16 trials.
        Assert.Equal([2, 3, 4, 5, 8, 16], rows.Select(r => r.SampleSize).Distinct().Order());
        Assert.Equal(6 * 16, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.TrialId).Distinct().Count());
        // The same trials as the full grid's (same ids): a full-grid run afterwards reuses them.
        Assert.Subset(gridRows.Select(r => r.TrialId).ToHashSet(), rows.Select(r => r.TrialId).ToHashSet());
    }

    [Theory]
    [InlineData("sweeps/ci-e1.yaml", "ci-e1", 336)]
    [InlineData("sweeps/ci-e2.yaml", "ci-e2", 192)]
    public void The_seed_experiments_give_the_papers_numbers_with_adaptive_search(string sweep, string name, int fullGrid)
    {
        using var tmp = new TempDir();
        var file = tmp.Write($"{name}.yaml", Adaptive(File.ReadAllText(EmbeddedSweepTests.RepoFile(sweep))));
        var (estimates, rows) = Run(file, Path.Combine(tmp.Path, "runs"), name);

        // The same numbers SeedExperimentTests asserts for the full grid.
        foreach (var e in estimates.Values)
            Assert.True(e.TheoreticalSize == e.EmpiricalSize, $"{e.Group}: empirical {e.EmpiricalSize}, theory {e.TheoreticalSize}");
        if (name == "ci-e2")
        {
            Assert.Equal([7, 12, 15, 16], new[] { "M1 (rank 1)", "M3 (rank 2)", "M6 (rank 3)", "M7 (rank 4)" }.Select(g => estimates[g].EmpiricalSize));
            // 16 sample sizes: the top, a bisection of four and the check above: at most 7 of 16 per group.
            Assert.True(rows.Count <= 4 * 7 * 3, $"{rows.Count} trials");
        }
        else
        {
            Assert.Equal(14, estimates.Count);
            // n = 1..3 only: the top, then 1 and 2 decide; nothing can be skipped in so short a grid.
            Assert.Equal(fullGrid, rows.Count);
        }
        Assert.True(rows.Count <= fullGrid);
    }

    [Fact]
    public void Killed_mid_search_and_run_again_it_makes_the_same_decisions()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("tuned.yaml", Adaptive(TwoTunedAxes));
        var (_, uninterrupted) = Run(file, Path.Combine(tmp.Path, "whole"), "tuned");

        var runs = Path.Combine(tmp.Path, "killed");
        var results = Path.Combine(runs, "tuned", "results");
        var random = new Random(11);
        for (var kill = 0; kill < 3; kill++)
        {
            using var cli = SweepCli.Start("run", file, "--runs", runs, "--slots", "2", "--flush-rows", "8", "--flush-seconds", "0.1");
            var parts = Directory.Exists(results) ? Directory.GetFiles(results, "part-*.parquet").Length : 0;
            var clock = Stopwatch.StartNew();
            // Killed once a new part file is down (a probe partly or wholly recorded), a few milliseconds later.
            while (!cli.HasExited && (Directory.Exists(results) ? Directory.GetFiles(results, "part-*.parquet").Length : 0) <= parts && clock.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(5);
            Thread.Sleep(random.Next(0, 40));
            if (!cli.HasExited) cli.KillHard();
        }
        var (estimates, rows) = Run(file, runs, "tuned");

        Assert.Equal(3, Assert.Single(estimates.Values).EmpiricalSize);
        Assert.Equal(rows.Count, rows.Select(r => r.TrialId).Distinct().Count());
        Assert.Equal(uninterrupted.Select(r => r.TrialId).Order(StringComparer.Ordinal), rows.Select(r => r.TrialId).Order(StringComparer.Ordinal));
    }
}
