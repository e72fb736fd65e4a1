using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Which trials of the grid a sweep runs, and in what order: all of them (<see cref="GridTrials"/>), or those an
/// adaptive search over the sample size asks for (<see cref="AdaptiveTrials"/>). The sweep actor owns its source and
/// is the only caller; a source never sees leases or nodes, only which trials are settled and which are recorded.
/// </summary>
internal interface ITrialSource
{
    /// <summary>Every trial of the grid: a result for any other trial id is not this sweep's.</summary>
    IReadOnlyCollection<TrialId> Grid { get; }

    /// <summary>The trials released so far (all of the grid for a grid sweep): the total that progress counts.</summary>
    IEnumerable<TrialSpec> Released { get; }

    /// <summary>A released trial to hand out that is not settled (recorded, being written or leased); null when none now.</summary>
    TrialSpec? Next(Func<TrialId, bool> settled);

    /// <summary>Whether a released trial may still be waiting to be handed out.</summary>
    bool HasQueued { get; }

    /// <summary>A result is durable: returns the trials this releases (an adaptive search's next probes), often none.</summary>
    IReadOnlyList<TrialSpec> Recorded(TrialResult result);

    /// <summary>One line on where the search stands, for progress; null for a grid sweep.</summary>
    string? Summary { get; }
}

/// <summary>The whole grid, in the planner's order.</summary>
internal sealed class GridTrials(IReadOnlyList<TrialSpec> grid) : ITrialSource
{
    private readonly HashSet<TrialId> _ids = grid.Select(t => t.Id).ToHashSet();
    private int _cursor;

    public IReadOnlyCollection<TrialId> Grid => _ids;

    public IEnumerable<TrialSpec> Released => grid;

    public bool HasQueued => _cursor < grid.Count;

    public string? Summary => null;

    public TrialSpec? Next(Func<TrialId, bool> settled)
    {
        while (_cursor < grid.Count)
        {
            var trial = grid[_cursor++];
            if (!settled(trial.Id)) return trial;
        }
        return null;
    }

    public IReadOnlyList<TrialSpec> Recorded(TrialResult result) => [];
}
