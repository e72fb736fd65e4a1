using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>
/// A sweep's grid, planned but not built. A trial is a position in the cartesian product: experiment after experiment,
/// within one the axes in the order of its grid, the last axis varying fastest. Per position the grid holds only the
/// trial's 128-bit id (<see cref="TrialKey"/>), plus one set of the distinct ids; a trial's TrialSpec (config,
/// hyperparameters, group, id text) is built from its position when it is asked for — handed out to a node, released by
/// an adaptive search — and dropped with its lease. So a grid of a million trials costs the coordinator about 44 bytes a
/// trial (16 in the array, about 28 in the set), not a spec, a config and an id string each (docs/benchmarks.md,
/// "Coordinator memory for 1,000,000 trials").
/// Two experiments that describe the same trial produce the same id; the later position is a repeat and is skipped, so
/// each trial is run once, under the first experiment that names it.
/// </summary>
internal sealed class TrialGrid
{
    private readonly SweepFile _sweep;
    private readonly SweepId _sweepId;
    private readonly string? _run;
    /// <summary>The first position of each experiment, and one past the last position at the end.</summary>
    private readonly int[] _starts;
    private readonly TrialKey[] _keys;
    private readonly HashSet<TrialKey> _distinct;
    private readonly HashSet<int> _repeats = [];

    public TrialGrid(SweepFile sweep, string? runDirectory)
    {
        _sweep = sweep ?? throw new ArgumentNullException(nameof(sweep));
        _sweepId = new SweepId(sweep.Name);
        _run = runDirectory is null ? null : Path.GetFullPath(runDirectory);
        if (sweep.TrialCount > Array.MaxLength)
            throw new GridTooLargeException($"{sweep.Path}: the grid has {sweep.TrialCount} trials; one sweep holds at most {Array.MaxLength}: split it into several sweeps");
        _starts = new int[sweep.Experiments.Count + 1];
        for (var e = 0; e < sweep.Experiments.Count; e++)
            _starts[e + 1] = _starts[e] + (int)sweep.Experiments[e].Grid.TrialCount;
        _keys = new TrialKey[_starts[^1]];
        _distinct = new HashSet<TrialKey>(_keys.Length);
        for (var p = 0; p < _keys.Length; p++)
        {
            var (experiment, hyper) = Decode(p);
            _keys[p] = TrialKey.For(ConfigOf(experiment, hyper));
            if (!_distinct.Add(_keys[p])) _repeats.Add(p);
        }
    }

    /// <summary>How many distinct trials the grid has.</summary>
    public int Count => _distinct.Count;

    /// <summary>How many positions the product has: <see cref="Count"/> plus the repeats.</summary>
    public int Positions => _keys.Length;

    /// <summary>Every distinct trial's id.</summary>
    public IReadOnlyCollection<TrialKey> Keys => _distinct;

    public bool Contains(TrialKey key) => _distinct.Contains(key);

    /// <summary>Whether a result's trial id is one of this grid's (text that is no trial id never is).</summary>
    public bool Contains(TrialId id) => TrialKey.TryParse(id, out var key) && _distinct.Contains(key);

    /// <summary>Whether the trial at this position was already planned at an earlier one.</summary>
    public bool IsRepeat(int position) => _repeats.Count > 0 && _repeats.Contains(position);

    public TrialKey KeyAt(int position) => _keys[position];

    /// <summary>The positions of the distinct trials, in the planner's order.</summary>
    public IEnumerable<int> DistinctPositions()
    {
        for (var p = 0; p < _keys.Length; p++)
            if (!IsRepeat(p)) yield return p;
    }

    /// <summary>Every distinct trial in the planner's order, each spec built as the walk reaches it.</summary>
    public IEnumerable<TrialSpec> Trials() => DistinctPositions().Select(At);

    /// <summary>The spec of the trial at a position, built now.</summary>
    public TrialSpec At(int position)
    {
        var (e, hyper) = Decode(position);
        var program = e.Program is not null;
        return new TrialSpec(_sweepId, _keys[position].Id, e.Name, TrialPlanner.GroupKey(e, hyper, _sweep.Estimate.Tune), ConfigOf(e, hyper),
            _sweep.Limits.TrialTimeout.TotalSeconds, _sweep.Limits.MaxDeliveries, program ? _sweep.Folder : null, program ? _run : null);
    }

    private TrialConfig ConfigOf(Experiment e, Hyperparameters hyper) =>
        new() { Model = e.Model, Target = e.Target, Data = e.Data, Training = _sweep.Training, Hyper = hyper, Program = e.Program };

    /// <summary>The experiment and axis values at a position: its index within the experiment in mixed radix, the last axis the lowest digit.</summary>
    private (Experiment Experiment, Hyperparameters Hyper) Decode(int position)
    {
        var e = 0;
        while (position >= _starts[e + 1]) e++;
        var experiment = _sweep.Experiments[e];
        var grid = experiment.Grid;
        Span<int> index = stackalloc int[grid.Axes.Count];
        var rest = position - _starts[e];
        for (var a = grid.Axes.Count - 1; a >= 0; a--)
        {
            index[a] = rest % grid.Values[a].Count;
            rest /= grid.Values[a].Count;
        }
        var hyper = new Hyperparameters();
        for (var a = 0; a < grid.Axes.Count; a++)
            hyper = grid.Axes[a].With(hyper, grid.Values[a][index[a]]);
        return (experiment, hyper);
    }
}

/// <summary>A grid with more trials than one sweep can hold.</summary>
internal sealed class GridTooLargeException(string message) : BadInputException(message);
