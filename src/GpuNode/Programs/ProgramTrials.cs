using System.Diagnostics;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// A leased trial of the user's program (TrialConfig.Program set), from its spec to its result row: where it runs
/// on this node, the run itself through ProgramTrialRunner on the slot's GPU, and the row it becomes. Called on the
/// slot's own thread (BatchRunner), which it blocks until the program ends.
/// </summary>
internal static class ProgramTrials
{
    /// <summary>
    /// Runs the trial; null when the node stopped meanwhile (the program's group was killed, the trial is handed
    /// back). Whatever goes wrong with the program, or with starting it, is a failed row, never an exception.
    /// </summary>
    public static TrialResult? Run(Lease lease, NodeId node, GpuId? gpu, CancellationToken stopping)
    {
        var spec = lease.Trial;
        var startedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        ProgramOutcome outcome;
        try
        {
            outcome = For(spec, gpu) is { } trial
                ? ProgramTrialRunner.RunAsync(trial, stopping).GetAwaiter().GetResult()
                : ProgramOutcome.Failed("the trial names no program folder (TrialSpec.ProgramDirectory); a coordinator sets it to the sweep file's folder", clock.Elapsed, gpu);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the program's fault but this node's (no setsid, a run folder it cannot write): the row says which.
            outcome = ProgramOutcome.Failed($"node {node} could not run the program: {e.Message}", clock.Elapsed, gpu);
        }
        return Result(spec, outcome, node, lease.Attempt, startedAt);
    }

    /// <summary>
    /// The program run of a spec: the command in the sweep file's folder with the sweep's env, the trial JSON, its log
    /// and folder under the run folder (RunFolderOnThisNode), the slot's GPU and the sweep's time limit (zero or less:
    /// none). Null when the spec names no program folder.
    /// </summary>
    public static ProgramTrial? For(TrialSpec spec, GpuId? gpu)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var program = spec.Config.Program ?? throw new ArgumentException($"trial {spec.Id} is not a program trial", nameof(spec));
        if (spec.ProgramDirectory is not { Length: > 0 } folder) return null;
        var invocation = new ProgramInvocation(program.Command, folder, program.EnvPairs().ToDictionary(StringComparer.Ordinal));
        return ProgramTrial.InRunFolder(invocation, ProgramTrial.TrialJson(spec), RunFolderOnThisNode(spec), gpu, TimeLimit(spec.TimeoutSeconds));
    }

    /// <summary>
    /// The run folder the coordinator named when this node sees it (the same machine, or a shared filesystem: embedded
    /// runs and Slurm clusters); otherwise runs/SWEEP under this node's current folder, so that a node without the
    /// shared folder still keeps its trials' logs and files (docs/cluster.md).
    /// </summary>
    public static string RunFolderOnThisNode(TrialSpec spec) =>
        spec.RunDirectory is { Length: > 0 } shared && Directory.Exists(shared)
            ? shared
            : Path.GetFullPath(Path.Combine("runs", spec.Sweep.Value));

    /// <summary>The spec's limit in seconds; zero or less is no limit, as for the engine's trials (TrialRunner).</summary>
    internal static TimeSpan TimeLimit(double seconds) =>
        seconds > 0 && seconds * 1000 < int.MaxValue - 1 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;

    /// <summary>
    /// The row of a program trial: the outcome's status, losses, steps and error, param_count when the program
    /// reported a whole one, every metric as JSON, and the slot's GPU.
    /// </summary>
    public static TrialResult Result(TrialSpec spec, ProgramOutcome outcome, NodeId node, int attempt, DateTime startedAt) =>
        new(spec, outcome.Status, outcome.TrainLoss, outcome.TestError, null, outcome.Steps ?? 0,
            ParamCount(outcome.Metrics), ModelKinds.Describe(spec.Config), outcome.Wall.TotalSeconds, node, attempt,
            startedAt, DateTime.UtcNow, outcome.Error, null, outcome.MetricsJson, outcome.Gpu?.Value);


    private static int ParamCount(IReadOnlyDictionary<string, double> metrics) =>
        metrics.TryGetValue(ProgramContract.ParamCount, out var count) && count >= 0 && count <= int.MaxValue && Math.Floor(count) == count
            ? (int)count
            : 0;
}
