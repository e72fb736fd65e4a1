using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>A node's settings. A trial's time limit and delivery limit come with the trial from its sweep.</summary>
internal sealed record NodeOptions(NodeId Node, int Slots, TimeSpan HeartbeatInterval)
{
    public static NodeId DefaultNodeId() => new($"{Environment.MachineName}-{Environment.ProcessId}");
}
