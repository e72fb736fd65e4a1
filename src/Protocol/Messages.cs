using SweepCluster.Training;

namespace SweepCluster.Protocol;

public enum TrialStatus { Ok, Diverged, Failed, Timeout }

/// <summary>Any message that travels between processes.</summary>
public interface IWireMessage;

/// <summary>
/// One trial to run. Experiment names the sweep's variant (model and target); Group is the key the estimate
/// groups by: the variant plus every grid axis that is neither tuned, the sample size nor the seed.
/// TimeoutSeconds is the sweep's time limit for the node to enforce; MaxDeliveries is the coordinator's (how many
/// holders may die with it before it is recorded as failed). A program trial (Config.Program set) also says where it
/// runs: ProgramDirectory, the sweep file's folder, and RunDirectory, the run folder its log and files go to
/// (logs/TRIAL_ID.log, trials/TRIAL_ID/), both absolute paths as the coordinator sees them (a cluster shares them
/// over its filesystem, docs/cluster.md). None of these is part of the id: they do not change what a finished trial
/// computes.
/// </summary>
public sealed record TrialSpec(
    SweepId Sweep,
    TrialId Id,
    string Experiment,
    string Group,
    TrialConfig Config,
    double TimeoutSeconds = 0,
    int MaxDeliveries = 0,
    string? ProgramDirectory = null,
    string? RunDirectory = null) : IWireMessage;

/// <summary>
/// A finished trial, whatever its status. It carries its spec so that any coordinator can record it, and its
/// loss curve when the sweep asked for one (training.curve_every). A program trial carries the metrics its program
/// wrote (a JSON object) and the GPU its slot gave it.
/// </summary>
public sealed record TrialResult(
    TrialSpec Spec,
    TrialStatus Status,
    double TrainLoss,
    double TestError,
    double? TestErrorUnobserved,
    long Steps,
    int ParamCount,
    string Model,
    double WallSeconds,
    NodeId Node,
    int Attempt,
    DateTime StartedAt,
    DateTime FinishedAt,
    string? Error,
    IReadOnlyList<CurvePoint>? Curve = null,
    string? Metrics = null,
    string? Gpu = null) : IWireMessage;

/// <summary>A node's periodic sign of life, sent to the coordinator it is registered with; BusyGpus names the GPU of each busy slot that has one.</summary>
public sealed record NodeHeartbeat(NodeId Node, string Host, int Slots, int BusySlots, long TrialsDone, DateTime At, IReadOnlyList<string>? BusyGpus = null) : IWireMessage;
