using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>Where a sweep stands: trials of its grid that are recorded, by status.</summary>
internal sealed record SweepCounts(int Total, int Ok, int Diverged, int Failed, int TimedOut, int DoneThisRun, TimeSpan Elapsed)
{
    public int Done => Ok + Diverged + Failed + TimedOut;
    public int Remaining => Total - Done;

    public static SweepCounts Of(IEnumerable<TrialSpec> grid, IReadOnlyDictionary<TrialId, TrialStatus> recorded)
    {
        int total = 0, ok = 0, diverged = 0, failed = 0, timedOut = 0;
        foreach (var trial in grid)
        {
            total++;
            if (!recorded.TryGetValue(trial.Id, out var status)) continue;
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
