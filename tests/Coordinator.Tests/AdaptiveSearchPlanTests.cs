using System.Globalization;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

/// <summary>
/// The adaptive search over the shipped sweep files' real plans (groups, tuned axes, trial ids from the planner), with
/// outcomes chosen by the test instead of training: the property the coordinator relies on, without a cluster.
/// </summary>
public sealed class AdaptiveSearchPlanTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// Each setting of each group recovers from its own n on (the boundary, fixed per setting by a hash of the group and
    /// setting), odd seeds one n later: monotone in n, with the best setting differing between sample sizes.
    /// </summary>
    private static ResultRecord Fake(TrialSpec t, List<int> sizes)
    {
        var h = t.Config.Hyper;
        var setting = string.Join(",", GridAxes.Tunable.Select(a => a.Get(h).ToString("R", CultureInfo.InvariantCulture)));
        var hash = 2166136261u;
        foreach (var c in t.Group + "|" + setting) hash = (hash ^ c) * 16777619u;
        var boundary = (int)(hash % (uint)(sizes.Count + 1)); // an index into the sizes; Count: never
        var at = sizes.IndexOf(h.SampleSize);
        var ok = at >= boundary + h.Seed % 2 && boundary < sizes.Count;
        var axes = new AxisValues(GridAxes.All, GridAxes.All.Select(a => a.Get(h)).ToList());
        return new ResultRecord(t.Id.Value, TrialStatus.Ok, t.Experiment, t.Group, "m", "t", axes, 10, ok ? 1e-12 : 1, null, CanonicalJson.Of(t.Config));
    }

    [Theory]
    [InlineData("ci-e1.yaml")]
    [InlineData("ci-e2.yaml")]
    [InlineData("e3-init-scale.yaml")]
    [InlineData("e5-fc-cnn.yaml")]
    public void TheSearchFindsTheFullGridsEstimatesWithFewerTrials(string file)
    {
        var sweep = SweepFileParser.Load(Path.Combine(SweepFileMutationTests.SweepsFolder(), file));
        var settings = sweep.Estimate with { Search = SearchMode.Adaptive };
        var trials = TrialPlanner.Expand(sweep);
        var sizes = trials.GroupBy(t => t.Group).ToDictionary(g => g.Key, g => g.Select(t => t.Config.Hyper.SampleSize).Distinct().Order().ToList());
        var full = Estimator.Estimate(trials.Select(t => Fake(t, sizes[t.Group])).ToList(), settings);

        // The coordinator's loop: hand out the trials of every n a group's search asks for, record them, ask again.
        var recorded = new List<ResultRecord>();
        var handedOut = new HashSet<TrialId>();
        IReadOnlyDictionary<string, SearchState> states;
        while ((states = GroupSearch.ReplayAll(trials, recorded, settings)).Values.Any(s => !s.Done))
        {
            var next = trials.Where(t => states[t.Group].Next.Contains(t.Config.Hyper.SampleSize)).ToList();
            Assert.NotEmpty(next);
            Assert.All(next, t => Assert.True(handedOut.Add(t.Id), $"{t.Id} handed out twice"));
            recorded.AddRange(next.Select(t => Fake(t, sizes[t.Group])));
        }
        var probed = Estimator.Estimate(recorded, settings);

        Assert.Equal(full.Select(e => (e.Group, e.EmpiricalSize)), probed.Select(e => (e.Group, e.EmpiricalSize)));
        // Not a vacuous agreement: some groups recover, and some only above their smallest n.
        Assert.Contains(full, e => e.EmpiricalSize is { } n && n > sizes[e.Group][0]);
        output.WriteLine($"{file}: {recorded.Count} of {trials.Count} trials, estimates {string.Join(" ", full.Select(e => e.EmpiricalSize?.ToString(CultureInfo.InvariantCulture) ?? "-"))}");
        Assert.All(states.Values, s => Assert.Null(s.NonMonotoneAt));
        // No more than `sweep validate` promises for a monotone sweep, and fewer than the grid wherever it has more than 1 + 2 sizes.
        var bound = trials.GroupBy(t => t.Group).Sum(g => GroupSearch.ProbesWhenMonotone(sizes[g.Key]).Most * (g.Count() / sizes[g.Key].Count));
        Assert.InRange(recorded.Count, 1, bound);
        if (sizes.Values.Any(s => s.Count > 1 + SampleSizeSearch.CheckAbove + 1))
            Assert.True(recorded.Count < trials.Count, $"{recorded.Count} of {trials.Count} trials");
    }
}
