using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis.Tests;

public sealed class GroupSearchTests
{
    private static readonly AnalysisSettings Defaults = new(Search: SearchMode.Adaptive);
    private static readonly double[] Rates = [0.05, 0.1];
    private const int Seeds = 3;

    /// <summary>One group's full grid: n = 1..maxN × two learning rates × three seeds, as the planner makes it.</summary>
    internal static List<TrialSpec> Plan(int maxN = 20, string key = "g", double init = 1e-3) =>
        (from n in Enumerable.Range(1, maxN)
         from lr in Rates
         from seed in Enumerable.Range(0, Seeds)
         let config = Rows.NonlinearOnOnePlusX1 with { Hyper = new Hyperparameters { InitScale = init, Width = 4, LearningRate = lr, SampleSize = n, Seed = seed } }
         select new TrialSpec(new SweepId("s"), TrialId.For(config), "e1", key, config)).ToList();

    /// <summary>The trial's row: learning rate 0.1 recovers from n = 7 on every seed, 0.05 never.</summary>
    internal static ResultRecord Result(TrialSpec t, Func<int, bool>? recovers = null)
    {
        var h = t.Config.Hyper;
        var ok = h.LearningRate == 0.1 && (recovers ?? (n => n >= 7))(h.SampleSize);
        return Rows.Row(h.SampleSize, h.Seed, ok ? 1e-10 : 1e-2, h.InitScale, h.Width, h.LearningRate, group: t.Group) with { TrialId = t.Id.Value };
    }

    /// <summary>Runs the group's search to the end the way the coordinator does: hand out what it asks, record, ask again.</summary>
    internal static (SearchState State, List<ResultRecord> Recorded) Drive(List<TrialSpec> plan, Func<int, bool>? recovers = null, List<ResultRecord>? recorded = null)
    {
        recorded ??= [];
        while (true)
        {
            var state = GroupSearch.Replay(plan, recorded, Defaults);
            if (state.Done) return (state, recorded);
            Assert.NotEmpty(state.Next);
            recorded.AddRange(plan.Where(t => state.Next.Contains(t.Config.Hyper.SampleSize)).Select(t => Result(t, recovers)));
        }
    }

    [Fact]
    public void A_sample_size_counts_only_when_every_setting_and_seed_there_is_recorded()
    {
        var plan = Plan();
        var first = GroupSearch.Replay(plan, [], Defaults);
        Assert.Equal([20], first.Next); // the top first
        Assert.Empty(first.Probed);

        var top = plan.Where(t => t.Config.Hyper.SampleSize == 20).ToList();
        var recorded = top.Skip(1).Select(t => Result(t)).ToList();
        var waiting = GroupSearch.Replay(plan, recorded, Defaults);
        Assert.Equal([20], waiting.Next); // one seed of one setting is missing: no outcome yet
        Assert.Empty(GroupSearch.Outcomes(plan.Select(t => (t.Id, t.Config.Hyper.SampleSize)), recorded, Defaults));

        // The missing trial diverged: a recorded row all the same, a failed seed.
        recorded.Add(Result(top[0]) with { Status = TrialStatus.Diverged, TestError = double.NaN });
        var next = GroupSearch.Replay(plan, recorded, Defaults);
        Assert.Equal([20], next.Probed);
        Assert.Equal([10], next.Next);
        Assert.Equal(new Dictionary<int, bool> { [20] = true }, GroupSearch.Outcomes(plan.Select(t => (t.Id, t.Config.Hyper.SampleSize)), recorded, Defaults));
    }

    [Fact]
    public void The_search_finds_the_full_grids_estimate_with_fewer_trials()
    {
        var plan = Plan();
        var full = Assert.Single(Estimator.Estimate(plan.Select(t => Result(t)).ToList(), Defaults));
        var (state, recorded) = Drive(plan);
        var probed = Assert.Single(Estimator.Estimate(recorded, Defaults));

        Assert.Equal(7, full.EmpiricalSize);
        Assert.Equal(full.EmpiricalSize, probed.EmpiricalSize);
        Assert.Equal((6, 7), (state.LastFailed, state.FirstRecovered));
        Assert.Null(state.NonMonotoneAt);
        // The top, a bisection of 20 (5 probes) and the check of 8 and 9: 6 trials each.
        Assert.Equal([5, 6, 7, 8, 9, 10, 20], state.Probed);
        Assert.Equal(7 * 6, recorded.Count);
        Assert.Equal(20 - 7, state.Skipped.Count);
    }

    [Fact]
    public void A_search_killed_mid_probe_continues_with_the_same_decisions()
    {
        var plan = Plan();
        var (fresh, all) = Drive(plan);
        // Killed after the third probe was half recorded: that half is kept, the rest of it is asked for again.
        var kept = all.Take(2 * 6 + 3).ToList();
        var resumed = GroupSearch.Replay(plan, kept, Defaults);
        Assert.Equal([all[2 * 6].SampleSize], resumed.Next);
        var (final, recorded) = Drive(plan, recorded: kept.ToList());
        Assert.Equal(fresh.Probed, final.Probed);
        Assert.Equal((fresh.LastFailed, fresh.FirstRecovered), (final.LastFailed, final.FirstRecovered));
        Assert.Equal(all.Select(r => r.TrialId).Order(), recorded.Select(r => r.TrialId).Distinct().Order());
    }

    [Fact]
    public void Rows_of_other_groups_and_repeated_rows_do_not_change_the_outcomes()
    {
        var plan = Plan();
        var other = Plan(key: "h", init: 1e-5); // another init: other trials, as two groups never share one
        var recorded = plan.Where(t => t.Config.Hyper.SampleSize == 20).Select(t => Result(t)).ToList();
        // The same trial recorded twice (a redelivery) keeps its first row, as the results loader does.
        recorded.Add(recorded[^1] with { TestError = 1 });
        // Another group at n = 10 with every trial recorded: not this group's probe.
        recorded.AddRange(Plan(key: "h", init: 1e-5).Where(t => t.Config.Hyper.SampleSize == 10).Select(t => Result(t)));
        var states = GroupSearch.ReplayAll(plan.Concat(other.Where(t => t.Config.Hyper.SampleSize != 10)), recorded, Defaults);
        Assert.Equal([20], states["g"].Probed);
        Assert.Equal([10], states["g"].Next);
        Assert.Empty(states["h"].Probed);
        Assert.Equal([20], states["h"].Next);
    }

    [Fact]
    public void Recovery_lost_again_above_the_bracket_is_reported_and_the_estimate_stays_the_full_grids()
    {
        // Recovers from 7 but not at 9: the full grid says 10.
        bool Dip(int n) => n >= 7 && n != 9;
        var plan = Plan();
        var full = Assert.Single(Estimator.Estimate(plan.Select(t => Result(t, Dip)).ToList(), Defaults));
        var (state, recorded) = Drive(plan, Dip);
        Assert.Equal(9, state.NonMonotoneAt);
        Assert.Equal(10, full.EmpiricalSize);
        Assert.Equal(full.EmpiricalSize, Assert.Single(Estimator.Estimate(recorded, Defaults)).EmpiricalSize);
        Assert.Equal((9, 10), (state.LastFailed, state.FirstRecovered));
    }

    [Fact]
    public void Probes_when_monotone_are_the_top_a_bisection_and_the_check()
    {
        Assert.Equal(1 + 6 + SampleSizeSearch.CheckAbove, GroupSearch.ProbesWhenMonotone(Enumerable.Range(1, 63)).Most);
        Assert.Equal((1, 1.0), GroupSearch.ProbesWhenMonotone([4]));
        var (most, mean) = GroupSearch.ProbesWhenMonotone(Enumerable.Range(1, 1000));
        Assert.Equal(1 + 10 + SampleSizeSearch.CheckAbove, most);
        Assert.InRange(mean, 10, most);
    }

    [Fact]
    public void A_group_without_planned_trials_is_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => GroupSearch.Replay([], [], Defaults));
    }
}
