using SweepCluster.Analysis;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>The CI-sized seed experiments (sweeps/ci-e1.yaml, ci-e2.yaml) run through `sweep` and give the papers' numbers.</summary>
public sealed class SeedExperimentTests
{
    private static Dictionary<string, GroupEstimate> Run(string sweep, string name)
    {
        using var tmp = new TempDir();
        var runs = Path.Combine(tmp.Path, "runs");
        var (code, output) = SweepCli.Run("run", EmbeddedSweepTests.RepoFile(sweep), "--runs", runs);
        Assert.True(code == 0, output);
        var dir = Path.Combine(runs, name);
        return Estimator.Estimate(ResultsLoader.Load(dir, AnalysisSettings.Load(dir)), AnalysisSettings.Load(dir)).ToDictionary(e => e.Group);
    }

    [Fact]
    public void E1ReparameterizedLinearModelsRecoverAtTheirOptimisticSizes()
    {
        var estimates = Run("sweeps/ci-e1.yaml", "ci-e1");
        Assert.Equal(14, estimates.Count);
        Assert.Equal(2, estimates["f_NL on 1+x1"].EmpiricalSize);
        Assert.Equal(3, estimates["f_L on 1+x1"].EmpiricalSize);
        foreach (var e in estimates.Values)
        {
            // f_NL recovers 1, x1 and 1+x1 from two samples; everything else needs three.
            var expected = e.Group.StartsWith("f_NL", StringComparison.Ordinal) && !e.Group.Contains("x2", StringComparison.Ordinal) ? 2 : 3;
            Assert.True(expected == e.EmpiricalSize, $"{e.Group}: empirical {e.EmpiricalSize}, expected {expected}");
            Assert.Equal(expected, e.TheoreticalSize);
        }
    }

    [Fact]
    public void E2MatrixCompletionRecoversAt2rdMinusRSquared()
    {
        var estimates = Run("sweeps/ci-e2.yaml", "ci-e2");
        Assert.Equal([7, 12, 15, 16], new[] { "M1 (rank 1)", "M3 (rank 2)", "M6 (rank 3)", "M7 (rank 4)" }.Select(g => estimates[g].EmpiricalSize));
        Assert.Equal([7, 12, 15, 16], new[] { "M1 (rank 1)", "M3 (rank 2)", "M6 (rank 3)", "M7 (rank 4)" }.Select(g => estimates[g].TheoreticalSize));
    }
}
