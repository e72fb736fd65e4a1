using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Where a sweep stands: of the trials it runs (the whole grid, or those an adaptive search has asked for so far), how
/// many are recorded, by status; and, for an adaptive search, where the search stands.
/// </summary>
internal sealed record SweepCounts(int Total, int Ok, int Diverged, int Failed, int TimedOut, int DoneThisRun, TimeSpan Elapsed, string? Search = null)
{
    public int Done => Ok + Diverged + Failed + TimedOut;
    public int Remaining => Total - Done;

    /// <summary>The counts over these trials (each once), given what is recorded.</summary>
    public static SweepCounts Of(IEnumerable<TrialKey> trials, IReadOnlyDictionary<TrialKey, TrialStatus> recorded)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(recorded);
        int total = 0, ok = 0, diverged = 0, failed = 0, timedOut = 0;
        foreach (var trial in trials)
        {
            total++;
            if (!recorded.TryGetValue(trial, out var status)) continue;
            switch (status)
            {
                case TrialStatus.Ok: ok++; break;
                case TrialStatus.Diverged: diverged++; break;
                case TrialStatus.Failed: failed++; break;
                default: timedOut++; break;
            }
        }
        return new SweepCounts(total, ok, diverged, failed, timedOut, 0, TimeSpan.Zero);
    }

    /// <summary>These counts and more trials released (recorded before this run or not).</summary>
    public SweepCounts Plus(SweepCounts more) => this with
    {
        Total = Total + more.Total, Ok = Ok + more.Ok, Diverged = Diverged + more.Diverged, Failed = Failed + more.Failed,
        TimedOut = TimedOut + more.TimedOut,
    };

    public SweepCounts With(TrialStatus status) => status switch
    {
        TrialStatus.Ok => this with { Ok = Ok + 1, DoneThisRun = DoneThisRun + 1 },
        TrialStatus.Diverged => this with { Diverged = Diverged + 1, DoneThisRun = DoneThisRun + 1 },
        TrialStatus.Failed => this with { Failed = Failed + 1, DoneThisRun = DoneThisRun + 1 },
        _ => this with { TimedOut = TimedOut + 1, DoneThisRun = DoneThisRun + 1 },
    };
}

/// <summary>Where progress goes: a live bar on a terminal, periodic lines otherwise.</summary>
internal interface ISweepProgress
{
    void Report(SweepCounts counts);
}
