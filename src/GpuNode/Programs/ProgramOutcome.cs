using SweepCluster.GpuNode.Gpus;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// The end of one program trial, with the result row's status: Ok (exit 0 and a finite test_error), Diverged (exit 0
/// and a test_error that is NaN or infinite: the program wrote NaN, null or "NaN"), Failed (a non-zero exit, a signal,
/// or a missing or invalid result file), Timeout (still running at its time limit: its whole process group was
/// killed). Metrics holds every number of the result object (test_error, train_loss and steps
/// included); MetricsJson is that object as the program wrote it (NaN literals made strings), null without one.
/// ExitCode is the status the program exited with; Signal the signal that ended it, when one did (see Describe).
/// </summary>
internal sealed record ProgramOutcome(
    TrialStatus Status,
    double TestError,
    double TrainLoss,
    long? Steps,
    IReadOnlyDictionary<string, double> Metrics,
    string? MetricsJson,
    int? ExitCode,
    int? Signal,
    string? Error,
    TimeSpan Wall,
    GpuId? Gpu)
{
    /// <summary>A trial that failed without an exit status of its program (it never started, or its folder is missing).</summary>
    public static ProgramOutcome Failed(string error, TimeSpan wall, GpuId? gpu) =>
        new(TrialStatus.Failed, double.NaN, double.NaN, null, new Dictionary<string, double>(), null, null, null, error, wall, gpu);
}
