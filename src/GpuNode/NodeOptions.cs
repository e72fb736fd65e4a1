using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>
/// A node's settings. TrialTimeout and MaxDeliveries apply when a trial does not carry its sweep's own limits.
/// </summary>
internal sealed record NodeOptions(
    NodeId Node,
    int Slots,
    TimeSpan TrialTimeout,
    int MaxDeliveries,
    TimeSpan HeartbeatInterval)
{
    public static NodeId DefaultNodeId() => new($"{Environment.MachineName}-{Environment.ProcessId}");
}
