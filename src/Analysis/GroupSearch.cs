using SweepCluster.Protocol;

namespace SweepCluster.Analysis;

/// <summary>
/// Where one group's adaptive search stands, read from the group's planned trials and what is recorded: the one place
/// that turns recorded rows into the outcomes <see cref="SampleSizeSearch"/> decides on, used by the coordinator (which
/// trials to hand out next) and by the report (which n were probed), so the two cannot disagree.
///
/// A sample size has an outcome only when its probe is complete: every planned trial of the group at that n (every
/// tuned setting × seed) has a recorded row, whatever its status. The outcome is then <see cref="Estimator"/>'s: whether
/// the best setting at that n recovers on a quorum of its seeds. A half-recorded n has no outcome yet, so a run killed
/// mid-probe and started again decides exactly as one that was never killed.
/// </summary>
public static class GroupSearch
{
    /// <summary>The search state of every group among the planned trials, by group key.</summary>
    public static IReadOnlyDictionary<string, SearchState> ReplayAll(
        IEnumerable<TrialSpec> planned, IReadOnlyList<ResultRecord> recorded, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(recorded);
        var byId = Index(recorded);
        return planned.GroupBy(t => t.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Replay(Plan(g), byId, settings), StringComparer.Ordinal);
    }

    /// <summary>The search state of one group, given that group's planned trials (the full grid's) and the recorded rows.</summary>
    public static SearchState Replay(IEnumerable<TrialSpec> groupTrials, IReadOnlyList<ResultRecord> recorded, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(groupTrials);
        ArgumentNullException.ThrowIfNull(recorded);
        return Replay(Plan(groupTrials), Index(recorded), settings);
    }

    /// <summary>
    /// The outcome (recovered or not) of each sample size whose probe is complete. Rows of trials not planned for the
    /// group are ignored: they are another group's, or another sweep's.
    /// </summary>
    public static IReadOnlyDictionary<int, bool> Outcomes(
        IEnumerable<(TrialId Id, int SampleSize)> groupTrials, IReadOnlyList<ResultRecord> recorded, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(groupTrials);
        ArgumentNullException.ThrowIfNull(recorded);
        return Outcomes(groupTrials.ToList(), Index(recorded), settings);
    }

    /// <summary>
    /// How many sample sizes a search over these probes when recovery is monotone in n, over every place the boundary
    /// can be (below the grid, at each n, above it): the most, and the mean over those places. A non-monotone group can
    /// need every sample size.
    /// </summary>
    public static (int Most, double Mean) ProbesWhenMonotone(IEnumerable<int> sampleSizes)
    {
        var search = new SampleSizeSearch(sampleSizes);
        var sizes = search.SampleSizes;
        var counts = new List<int>();
        for (var boundary = 0; boundary <= sizes.Count; boundary++)
        {
            var recovered = new Dictionary<int, bool>();
            SearchState state;
            while (!(state = search.Replay(recovered)).Done)
                foreach (var n in state.Next) recovered[n] = n >= (boundary < sizes.Count ? sizes[boundary] : int.MaxValue);
            counts.Add(state.Probed.Count);
        }
        return (counts.Max(), counts.Average());
    }

    private static SearchState Replay(List<(TrialId Id, int SampleSize)> plan, Dictionary<string, ResultRecord> byId, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (plan.Count == 0) throw new ArgumentException("a group's search needs its planned trials; none were given");
        var search = new SampleSizeSearch(plan.Select(t => t.SampleSize).Distinct());
        return search.Replay(Outcomes(plan, byId, settings));
    }

    private static Dictionary<int, bool> Outcomes(List<(TrialId Id, int SampleSize)> plan, Dictionary<string, ResultRecord> byId, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var complete = new List<ResultRecord>();
        foreach (var probe in plan.GroupBy(t => t.SampleSize))
        {
            var rows = probe.Select(t => byId.GetValueOrDefault(t.Id.Value)).ToList();
            if (rows.TrueForAll(r => r is not null)) complete.AddRange(rows!);
        }
        return Estimator.PerSampleSize(complete, settings).PerN.ToDictionary(r => r.SampleSize, r => r.Recovered);
    }

    private static List<(TrialId Id, int SampleSize)> Plan(IEnumerable<TrialSpec> trials) =>
        trials.Select(t => (t.Id, t.Config.Hyper.SampleSize)).ToList();

    // A trial recorded twice (a redelivered result) counts once, by its first row, as ResultsLoader keeps it.
    private static Dictionary<string, ResultRecord> Index(IReadOnlyList<ResultRecord> rows)
    {
        var byId = new Dictionary<string, ResultRecord>(StringComparer.Ordinal);
        foreach (var r in rows) byId.TryAdd(r.TrialId, r);
        return byId;
    }
}
