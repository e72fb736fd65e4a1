using SweepCluster.GpuNode.Gpus;

namespace SweepCluster.GpuNode.Programs;

/// <summary>How a program trial ended. The names are the result rows' statuses.</summary>
internal enum ProgramStatus
{
    /// <summary>Exit 0 and a result object with a finite test_error.</summary>
    Ok,
    /// <summary>Exit 0 and a result whose test_error is NaN or infinite (the program wrote NaN, null or "NaN").</summary>
    Diverged,
    /// <summary>A non-zero exit, a signal, or a missing or invalid result file.</summary>
    Failed,
    /// <summary>Still running at its time limit: its whole process group was killed.</summary>
    Timeout,
}

/// <summary>
/// The end of one program trial. Metrics holds every number of the result object (test_error, train_loss and steps
/// included); MetricsJson is that object as the program wrote it (NaN literals made strings), null without one.
/// ExitCode is the status the program exited with; Signal the signal that ended it, when one did (see Describe).
/// </summary>
internal sealed record ProgramOutcome(
    ProgramStatus Status,
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
        new(ProgramStatus.Failed, double.NaN, double.NaN, null, new Dictionary<string, double>(), null, null, null, error, wall, gpu);
}
