using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Which trials of the grid a sweep runs, and in what order: all of them (<see cref="GridTrials"/>), or those an
/// adaptive search over the sample size asks for (<see cref="AdaptiveTrials"/>). The sweep actor owns its source and
/// is the only caller; a source never sees leases or nodes, only which trials are settled and which are recorded.
/// A source builds a TrialSpec only when it hands the trial out (or, for a search, releases its probe): the grid itself
/// is held as ids (<see cref="TrialGrid"/>).
/// </summary>
internal interface ITrialSource
{
    /// <summary>Every trial of the grid: a result for any other trial id is not this sweep's.</summary>
    TrialGrid Grid { get; }

    /// <summary>The trials released so far (all of the grid for a grid sweep): the total that progress counts.</summary>
    IEnumerable<TrialKey> Released { get; }

    /// <summary>A released trial to hand out that is not settled (recorded, being written or leased); null when none now.</summary>
    TrialSpec? Next(Func<TrialKey, bool> settled);

    /// <summary>Whether a released trial may still be waiting to be handed out.</summary>
    bool HasQueued { get; }

    /// <summary>A result is durable: returns the ids of the trials this releases (an adaptive search's next probes), often none.</summary>
    IReadOnlyList<TrialKey> Recorded(TrialResult result);

    /// <summary>One line on where the search stands, for progress; null for a grid sweep.</summary>
    string? Summary { get; }
}

/// <summary>The whole grid, in the planner's order: a cursor over its positions.</summary>
internal sealed class GridTrials(TrialGrid grid) : ITrialSource
{
    private int _cursor;

    public TrialGrid Grid => grid;

    public IEnumerable<TrialKey> Released => grid.Keys;

    public bool HasQueued => _cursor < grid.Positions;

    public string? Summary => null;

    public TrialSpec? Next(Func<TrialKey, bool> settled)
    {
        while (_cursor < grid.Positions)
        {
            var position = _cursor++;
            // Settled is asked by id, so a run that resumes skips its recorded trials without building their specs.
            if (!grid.IsRepeat(position) && !settled(grid.KeyAt(position))) return grid.At(position);
        }
        return null;
    }

    public IReadOnlyList<TrialKey> Recorded(TrialResult result) => [];
}
