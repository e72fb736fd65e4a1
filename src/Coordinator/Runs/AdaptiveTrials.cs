using System.Globalization;
using SweepCluster.Analysis;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// The trials of an adaptive sweep (estimate.search: adaptive): per group, a <see cref="SampleSizeSearch"/> over the
/// grid's sample sizes decides which n to probe, and a probe releases every trial of the group at that n (each tuned
/// setting × seed). When the last trial of a probe is recorded, the group's search is replayed over the outcomes of its
/// complete probes (<see cref="GroupSearch.Outcomes"/>, the same the report reads) and may release the next probes.
/// Groups are searched side by side, so every node has work while any group has a probe open.
/// The trials are the grid's own (the same ids): a full-grid run later reuses them, and a run killed and started again
/// replays the same decisions from the recorded rows.
/// </summary>
internal sealed class AdaptiveTrials : ITrialSource
{
    private sealed class Group(string key, SampleSizeSearch search, Dictionary<int, List<TrialSpec>> trialsAt)
    {
        public string Key { get; } = key;
        public SampleSizeSearch Search { get; } = search;
        public Dictionary<int, List<TrialSpec>> TrialsAt { get; } = trialsAt;
        public List<(TrialId Id, int SampleSize)> Plan { get; } = trialsAt.SelectMany(p => p.Value.Select(t => (t.Id, p.Key))).ToList();
        public List<ResultRecord> Rows { get; } = [];
        public Dictionary<int, int> RecordedAt { get; } = [];
        public HashSet<int> ReleasedAt { get; } = [];
        public SearchState? State { get; set; }
    }

    private readonly AnalysisSettings _settings;
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<TrialId, (Group Group, int N)> _where = [];
    private readonly List<TrialSpec> _released = [];
    private readonly Queue<TrialSpec> _queue = new();

    public AdaptiveTrials(IReadOnlyList<TrialSpec> grid, AnalysisSettings settings, IEnumerable<ResultRecord> recorded)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(recorded);
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        foreach (var byGroup in grid.GroupBy(t => t.Group, StringComparer.Ordinal))
        {
            var trialsAt = byGroup.GroupBy(SampleSizeOf).ToDictionary(g => g.Key, g => g.ToList());
            var group = new Group(byGroup.Key, new SampleSizeSearch(trialsAt.Keys), trialsAt);
            _groups.Add(group.Key, group);
            foreach (var (n, trials) in trialsAt)
                foreach (var t in trials) _where[t.Id] = (group, n);
        }
        foreach (var row in recorded)
            if (_where.TryGetValue(new TrialId(row.TrialId), out var at)) Add(at.Group, at.N, row);
        foreach (var group in _groups.Values) Advance(group);
    }

    public IReadOnlyCollection<TrialId> Grid => _where.Keys;

    public IEnumerable<TrialSpec> Released => _released;

    public bool HasQueued => _queue.Count > 0;

    /// <summary>Where each group's search stands (after the last replay).</summary>
    public IReadOnlyDictionary<string, SearchState> States => _groups.Values.Where(g => g.State is not null).ToDictionary(g => g.Key, g => g.State!);

    public string? Summary
    {
        get
        {
            var probed = _groups.Values.Sum(g => g.ReleasedAt.Count);
            var sizes = _groups.Values.Sum(g => g.TrialsAt.Count);
            var settled = _groups.Values.Where(g => g.State?.Done == true).ToList();
            var line = $"search: {probed}/{sizes} sample sizes probed, {settled.Count}/{_groups.Count} groups settled";
            if (settled.Count == 0) return line;
            // The estimates so far, in the groups' order; a settled group that never recovers reads "none".
            var estimates = settled.Take(8).Select(g => $"{g.Key} {g.State!.FirstRecovered?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            return $"{line} ({string.Join(", ", estimates)}{(settled.Count > 8 ? ", …" : "")})";
        }
    }

    public TrialSpec? Next(Func<TrialId, bool> settled)
    {
        while (_queue.TryDequeue(out var trial))
            if (!settled(trial.Id)) return trial;
        return null;
    }

    public IReadOnlyList<TrialSpec> Recorded(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_where.TryGetValue(result.Spec.Id, out var at)) return [];
        foreach (var row in ResultTable.Read(ResultTable.ToTable([result], _settings.Axes), "(a result in memory)", _settings.Axes))
            Add(at.Group, at.N, row);
        return Complete(at.Group, at.N) ? Advance(at.Group) : [];
    }

    private static int SampleSizeOf(TrialSpec t) => (int)GridAxes.SampleSize.Get(t.Config.Hyper);

    // The sweep actor records each trial once, and ResultsLoader keeps one row per trial: no row comes twice.
    private static void Add(Group group, int n, ResultRecord row)
    {
        group.Rows.Add(row);
        group.RecordedAt[n] = group.RecordedAt.GetValueOrDefault(n) + 1;
    }

    private static bool Complete(Group group, int n) => group.RecordedAt.GetValueOrDefault(n) == group.TrialsAt[n].Count;

    /// <summary>Replays the group's search over its complete probes and releases the probes it asks for next.</summary>
    private List<TrialSpec> Advance(Group group)
    {
        group.State = group.Search.Replay(GroupSearch.Outcomes(group.Plan, group.Rows, _settings));
        var released = new List<TrialSpec>();
        foreach (var n in group.State.Next)
        {
            if (!group.ReleasedAt.Add(n)) continue;
            released.AddRange(group.TrialsAt[n]);
        }
        // Probes already recorded (a run started again) are counted as released too; their trials are settled.
        foreach (var n in group.State.Probed)
            if (group.ReleasedAt.Add(n)) released.AddRange(group.TrialsAt[n]);
        _released.AddRange(released);
        foreach (var t in released) _queue.Enqueue(t);
        return released;
    }
}
