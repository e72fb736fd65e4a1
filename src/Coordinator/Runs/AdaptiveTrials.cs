using System.Globalization;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;

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
    /// <summary>One group's search; its trials are grid positions by sample size, built into specs only when released.</summary>
    private sealed class Group(string key, Dictionary<int, List<int>> positionsAt)
    {
        public string Key { get; } = key;
        public SampleSizeSearch Search { get; } = new(positionsAt.Keys);
        public Dictionary<int, List<int>> PositionsAt { get; } = positionsAt;
        public List<ResultRecord> Rows { get; } = [];
        public Dictionary<int, int> RecordedAt { get; } = [];
        public HashSet<int> ReleasedAt { get; } = [];
        public SearchState? State { get; set; }
    }

    private readonly TrialGrid _grid;
    private readonly AnalysisSettings _settings;
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<TrialKey, (Group Group, int N)> _where = [];
    private readonly List<TrialKey> _released = [];
    private readonly Queue<int> _queue = new();

    public AdaptiveTrials(TrialGrid grid, AnalysisSettings settings, IEnumerable<ResultRecord> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        _grid = grid ?? throw new ArgumentNullException(nameof(grid));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        // One walk over the grid sorts its positions by group and sample size; the specs it builds are dropped at once.
        var byGroup = new Dictionary<string, Dictionary<int, List<int>>>(StringComparer.Ordinal);
        foreach (var position in grid.DistinctPositions())
        {
            var spec = grid.At(position);
            if (!byGroup.TryGetValue(spec.Group, out var positionsAt)) byGroup[spec.Group] = positionsAt = [];
            var n = spec.Config.Hyper.SampleSize;
            if (!positionsAt.TryGetValue(n, out var positions)) positionsAt[n] = positions = [];
            positions.Add(position);
        }
        foreach (var (key, positionsAt) in byGroup)
        {
            var group = new Group(key, positionsAt);
            _groups.Add(key, group);
            foreach (var (n, positions) in positionsAt)
                foreach (var p in positions) _where[grid.KeyAt(p)] = (group, n);
        }
        foreach (var row in recorded)
            if (TrialKey.TryParse(new TrialId(row.TrialId), out var key) && _where.TryGetValue(key, out var at)) Add(at.Group, at.N, row);
        foreach (var group in _groups.Values) Advance(group);
    }

    public TrialGrid Grid => _grid;

    public IEnumerable<TrialKey> Released => _released;

    public bool HasQueued => _queue.Count > 0;

    /// <summary>Where each group's search stands (after the last replay).</summary>
    public IReadOnlyDictionary<string, SearchState> States => _groups.Values.Where(g => g.State is not null).ToDictionary(g => g.Key, g => g.State!);

    public string? Summary
    {
        get
        {
            var probed = _groups.Values.Sum(g => g.ReleasedAt.Count);
            var sizes = _groups.Values.Sum(g => g.PositionsAt.Count);
            var settled = _groups.Values.Where(g => g.State?.Done == true).ToList();
            var line = $"search: {probed}/{sizes} sample sizes probed, {settled.Count}/{_groups.Count} groups settled";
            if (settled.Count == 0) return line;
            // The estimates so far, in the groups' order; a settled group that never recovers reads "none".
            var estimates = settled.Take(8).Select(g => $"{g.Key} {g.State!.FirstRecovered?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            return $"{line} ({string.Join(", ", estimates)}{(settled.Count > 8 ? ", …" : "")})";
        }
    }

    public TrialSpec? Next(Func<TrialKey, bool> settled)
    {
        while (_queue.TryDequeue(out var position))
            if (!settled(_grid.KeyAt(position))) return _grid.At(position);
        return null;
    }

    public IReadOnlyList<TrialKey> Recorded(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!TrialKey.TryParse(result.Spec.Id, out var key) || !_where.TryGetValue(key, out var at)) return [];
        foreach (var row in ResultTable.Read(ResultTable.ToTable([result], _settings.Axes), "(a result in memory)", _settings.Axes))
            Add(at.Group, at.N, row);
        return Complete(at.Group, at.N) ? Advance(at.Group) : [];
    }

    // The sweep actor records each trial once, and ResultsLoader keeps one row per trial: no row comes twice.
    private static void Add(Group group, int n, ResultRecord row)
    {
        group.Rows.Add(row);
        group.RecordedAt[n] = group.RecordedAt.GetValueOrDefault(n) + 1;
    }

    private static bool Complete(Group group, int n) => group.RecordedAt.GetValueOrDefault(n) == group.PositionsAt[n].Count;

    /// <summary>The group's planned trials as the search replays them: (id, sample size) for each, in grid order.</summary>
    private IEnumerable<(TrialId Id, int SampleSize)> Plan(Group group) =>
        group.PositionsAt.SelectMany(at => at.Value.Select(p => (_grid.KeyAt(p).Id, at.Key)));

    /// <summary>Replays the group's search over its complete probes and releases the probes it asks for next.</summary>
    private List<TrialKey> Advance(Group group)
    {
        group.State = group.Search.Replay(GroupSearch.Outcomes(Plan(group), group.Rows, _settings));
        var released = new List<TrialKey>();
        foreach (var n in group.State.Next)
            if (group.ReleasedAt.Add(n)) Release(group.PositionsAt[n], released);
        // Probes already recorded (a run started again) are counted as released too; their trials are settled.
        foreach (var n in group.State.Probed)
            if (group.ReleasedAt.Add(n)) Release(group.PositionsAt[n], released);
        _released.AddRange(released);
        return released;
    }

    private void Release(List<int> positions, List<TrialKey> released)
    {
        foreach (var p in positions)
        {
            released.Add(_grid.KeyAt(p));
            _queue.Enqueue(p);
        }
    }
}
