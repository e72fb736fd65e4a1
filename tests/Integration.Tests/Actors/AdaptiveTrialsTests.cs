using SweepCluster.Analysis;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Integration.Tests.Embedded;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Integration.Tests.Actors;

/// <summary>
/// The adaptive trial source with a fake trainer: results whose success the test chooses per n, so that a recovery
/// lost again at a larger n (which real training rarely shows on purpose) is seen, probed in full and estimated right.
/// </summary>
public sealed class AdaptiveTrialsTests
{
    private static TrialGrid Plan(TempDir tmp) => TrialPlanner.Plan(SweepFileParser.Load(tmp.Write("s.yaml", """
        name: fake
        experiment:
          model: { kind: linear-nl }
          target: { kind: linear, coefficients: [1.0, 0.0], intercept: 1 }
          data: { input_dim: 2, inputs: gaussian, test_size: 1 }
        training: { optimizer: gd, max_steps: 1 }
        grid:
          init_scale: [0.1]
          learning_rate: [0.01, 0.1]
          sample_size: { range: [1, 24] }
          seed: { range: [0, 2] }
        estimate:
          search: adaptive
          threshold: 1.0e-6
        """)));

    private static TrialResult Fake(TrialSpec t, bool recovers) => new(t, TrialStatus.Ok, 0, recovers ? 1e-9 : 1e-2, null, 1, 4,
        "linear-nl", 0.001, new NodeId("fake"), 1, DateTime.UtcNow, DateTime.UtcNow, null);

    /// <summary>Hands out everything released, records each result, until the source has nothing more to give.</summary>
    private static List<TrialResult> Drive(ITrialSource source, Func<int, bool> recovers, List<TrialResult>? recorded = null)
    {
        recorded ??= [];
        var done = recorded.Select(r => TrialKey.Of(r.Spec.Id)).ToHashSet();
        while (source.Next(done.Contains) is { } trial)
        {
            var result = Fake(trial, recovers(trial.Config.Hyper.SampleSize));
            done.Add(TrialKey.Of(trial.Id));
            recorded.Add(result);
            source.Recorded(result);
        }
        return recorded;
    }

    private static int? Estimate(IEnumerable<TrialResult> results, AnalysisSettings settings) =>
        Assert.Single(Estimator.Estimate(ResultTableRows(results), settings)).EmpiricalSize;

    private static List<ResultRecord> ResultTableRows(IEnumerable<TrialResult> results) =>
        ResultTable.Read(ResultTable.ToTable(results.ToList(), GridAxes.All), "(test)", GridAxes.All).ToList();

    [Fact]
    public void A_recovery_lost_again_is_probed_in_full_and_estimated_as_the_full_grid()
    {
        using var tmp = new TempDir();
        var grid = Plan(tmp);
        var settings = new AnalysisSettings(Search: SearchMode.Adaptive);
        // Recovers from 6, loses it at 7 (right above the bracket, where the check looks), recovers again from 8.
        static bool Recovers(int n) => n >= 6 && n != 7;
        var source = new AdaptiveTrials(grid, settings, []);
        var recorded = Drive(source, Recovers);

        var state = Assert.Single(source.States.Values);
        Assert.True(state.Done);
        Assert.Equal(7, state.NonMonotoneAt);
        Assert.Equal(8, Estimate(recorded, settings));
        // Progress says where the search stands and the estimate so far.
        Assert.Matches(@"^search: \d+/24 sample sizes probed, 1/1 groups settled \(.* 8\)$", source.Summary);
        Assert.Equal(8, Estimate(grid.Trials().Select(t => Fake(t, Recovers(t.Config.Hyper.SampleSize))), settings));
        // Every n above the failure was probed; far fewer trials than the grid's all the same.
        Assert.All(Enumerable.Range(8, 17), n => Assert.Contains(n, state.Probed));
        Assert.True(recorded.Count < grid.Count, $"{recorded.Count} of {grid.Count}");
        Assert.Equal(recorded.Count, recorded.Select(r => r.Spec.Id).Distinct().Count());
    }

    [Fact]
    public void Started_again_from_recorded_rows_it_asks_for_exactly_what_an_uninterrupted_search_asks_for()
    {
        using var tmp = new TempDir();
        var grid = Plan(tmp);
        var settings = new AnalysisSettings(Search: SearchMode.Adaptive);
        static bool Recovers(int n) => n >= 9;
        var whole = Drive(new AdaptiveTrials(grid, settings, []), Recovers);

        for (var cut = 1; cut < whole.Count; cut += 5)
        {
            var before = whole.Take(cut).ToList();
            var resumed = new AdaptiveTrials(grid, settings, ResultTableRows(before));
            var after = Drive(resumed, Recovers, [.. before]);
            Assert.Equal(whole.Select(r => r.Spec.Id.Value).Order(StringComparer.Ordinal), after.Select(r => r.Spec.Id.Value).Order(StringComparer.Ordinal));
        }
    }
}
