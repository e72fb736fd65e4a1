using static SweepCluster.Analysis.Tests.Rows;

namespace SweepCluster.Analysis.Tests;

public sealed class SampleSizeSearchTests
{
    private static readonly AnalysisSettings Defaults = new();

    /// <summary>Runs a search to the end against a truth table, the way a sweep does: probe what it asks, record, ask again.</summary>
    private static (SearchState State, List<int> Order) Drive(SampleSizeSearch search, Func<int, bool> truth)
    {
        var recorded = new Dictionary<int, bool>();
        var order = new List<int>();
        while (true)
        {
            var state = search.Replay(recorded);
            if (state.Done) return (state, order);
            Assert.NotEmpty(state.Next);
            foreach (var n in state.Next)
            {
                Assert.False(recorded.ContainsKey(n), $"n = {n} was asked for twice");
                recorded[n] = truth(n);
                order.Add(n);
            }
        }
    }

    /// <summary>The full grid's definition: the smallest n from which every n of the given list recovers.</summary>
    private static int? FullGrid(IEnumerable<int> sizes, Func<int, bool> truth)
    {
        int? estimate = null;
        foreach (var n in sizes.OrderDescending())
        {
            if (!truth(n)) break;
            estimate = n;
        }
        return estimate;
    }

    [Fact]
    public void Monotone_recovery_gives_the_full_grids_estimate_with_few_probes()
    {
        var sizes = Enumerable.Range(1, 63).ToArray();
        var search = new SampleSizeSearch(sizes);
        for (var boundary = 1; boundary <= 64; boundary++) // 64: never recovered
        {
            bool Truth(int n) => n >= boundary;
            var (state, _) = Drive(search, Truth);
            Assert.Equal(FullGrid(sizes, Truth), FullGrid(state.Probed, Truth));
            Assert.Null(state.NonMonotoneAt);
            // The top, a bisection of 63 (6 probes) and the check of two above the bracket.
            Assert.True(state.Probed.Count <= 1 + 6 + SampleSizeSearch.CheckAbove, $"boundary {boundary}: {state.Probed.Count} probes");
            Assert.Equal(63, state.Probed.Count + state.Skipped.Count);
            if (boundary <= 63)
            {
                Assert.Equal(boundary, state.FirstRecovered);
                Assert.Equal(boundary == 1 ? null : boundary - 1, state.LastFailed);
            }
            else
            {
                Assert.Equal([63], state.Probed);
                Assert.Equal(63, state.LastFailed);
                Assert.Null(state.FirstRecovered);
            }
        }
    }

    [Fact]
    public void A_recovery_lost_again_right_above_the_bracket_is_detected_and_probed_in_full()
    {
        var sizes = Enumerable.Range(1, 40).ToArray();
        // Recovers from 10, loses it at 12, recovers again from 13: the full grid says 13.
        bool Truth(int n) => n >= 10 && n != 12;
        var (state, _) = Drive(new SampleSizeSearch(sizes), Truth);
        Assert.Equal(12, state.NonMonotoneAt);
        Assert.Equal(13, FullGrid(sizes, Truth));
        Assert.Equal(13, FullGrid(state.Probed, Truth));
        Assert.Equal(12, state.LastFailed);
        Assert.Equal(13, state.FirstRecovered);
        // Every n above the failure was probed, as the full grid's definition needs.
        Assert.All(Enumerable.Range(13, 28), n => Assert.Contains(n, state.Probed));
    }

    [Fact]
    public void Random_patterns_never_give_a_wrong_estimate_without_saying_the_probes_disagree()
    {
        var random = new Random(7);
        var sizes = Enumerable.Range(0, 30).Select(i => 2 + 3 * i).ToArray();
        var detected = 0;
        for (var trial = 0; trial < 2000; trial++)
        {
            var boundary = random.Next(sizes.Length + 1);
            var dips = new HashSet<int>(Enumerable.Range(0, random.Next(3)).Select(_ => random.Next(sizes.Length)));
            var truth = sizes.Select((n, i) => (n, ok: i >= boundary && !dips.Contains(i))).ToDictionary(p => p.n, p => p.ok);
            var (state, _) = Drive(new SampleSizeSearch(sizes), n => truth[n]);
            var exact = FullGrid(sizes, n => truth[n]);
            var ours = FullGrid(state.Probed, n => truth[n]);
            if (state.NonMonotoneAt is not null)
            {
                detected++;
                Assert.Equal(exact, ours); // once a dip is seen, the search probes what the full grid needs
            }
            else
            {
                // Not detected: the probes themselves are monotone, and any disagreement is a dip in a skipped n.
                var probed = state.Probed.Select(n => truth[n]).ToList();
                Assert.True(probed.SkipWhile(ok => !ok).All(ok => ok), "undetected non-monotone probes");
                if (ours != exact) Assert.Contains(state.Skipped, n => !truth[n] && n > (ours ?? int.MaxValue));
            }
        }
        Assert.True(detected > 50, $"detected {detected}");
    }

    [Fact]
    public void Replaying_recorded_outcomes_makes_the_same_decisions_and_ignores_what_it_never_asked()
    {
        var sizes = Enumerable.Range(1, 50).ToArray();
        bool Truth(int n) => n >= 17;
        var search = new SampleSizeSearch(sizes);
        var (fresh, order) = Drive(search, Truth);
        Assert.Equal([50, 25, 12, 18, 15, 16, 17, 19], order); // the top, a bisection, the check of 18 (known) and 19

        // A run killed after some probes and started again: the recorded part is replayed, the rest continues.
        var partial = order.Take(3).ToDictionary(n => n, Truth);
        var resumed = search.Replay(partial);
        Assert.False(resumed.Done);
        Assert.Equal([order[3]], resumed.Next);

        // Everything recorded already (an earlier full-grid run): the same probes decide, the search is over at once.
        var all = search.Replay(sizes.ToDictionary(n => n, Truth));
        Assert.True(all.Done);
        Assert.Equal(fresh.Probed, all.Probed);
        Assert.Equal(fresh.FirstRecovered, all.FirstRecovered);
    }

    [Fact]
    public void The_estimator_over_the_probed_rows_equals_the_estimator_over_the_full_grid()
    {
        var sizes = Enumerable.Range(1, 24).ToArray();
        // Success grows with n: at n the first n / 3 of 6 seeds recover (quorum 1/2 from n = 9).
        IEnumerable<ResultRecord> RowsAt(int n) => Seeds(n, 6, Math.Min(6, n / 3));
        var full = Assert.Single(Estimator.Estimate(sizes.SelectMany(RowsAt).ToList(), Defaults));

        var search = new SampleSizeSearch(sizes);
        var recorded = new List<ResultRecord>();
        for (var state = search.Replay(new Dictionary<int, bool>()); !state.Done; state = search.Replay(Outcomes(recorded)))
            foreach (var n in state.Next) recorded.AddRange(RowsAt(n));
        var probed = Assert.Single(Estimator.Estimate(recorded, Defaults));

        Assert.Equal(9, full.EmpiricalSize);
        Assert.Equal(full.EmpiricalSize, probed.EmpiricalSize);
        Assert.True(probed.Trials < full.Trials / 2, $"{probed.Trials} trials of {full.Trials}");
    }

    private static Dictionary<int, bool> Outcomes(List<ResultRecord> rows) =>
        Assert.Single(Estimator.Estimate(rows, Defaults)).Rows.ToDictionary(r => r.SampleSize, r => r.Recovered);

    [Fact]
    public void Sample_sizes_must_be_given_once()
    {
        Assert.Throws<ArgumentException>(() => new SampleSizeSearch([]));
        Assert.Throws<ArgumentException>(() => new SampleSizeSearch([3, 1, 3]));
    }
}
