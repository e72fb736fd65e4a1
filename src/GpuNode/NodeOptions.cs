using SweepCluster.GpuNode.Gpus;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>
/// A node's settings. A trial's time limit and delivery limit come with the trial from its sweep. Slots: trials
/// (or batches of trials, when Batching) trained at once, one core each. Gpus: the GPUs the slots hand to their
/// programs, SlotsPerGpu slots per GPU (then Slots is Gpus.Slots, see GpuOptions.SlotCount); null or none: CPU slots.
/// </summary>
internal sealed record NodeOptions(NodeId Node, int Slots, TimeSpan HeartbeatInterval, bool Batching = true, GpuOptions? Gpus = null)
{
    /// <summary>With GPUs, exactly the slots they make: the agent asks for work for Slots, the GPU slots run it.</summary>
    public int Slots { get; init; } = Gpus is { Gpus.Count: > 0 } g && g.Slots != Slots
        ? throw new ArgumentException($"{Slots} slots, but {g.Gpus.Count} GPUs × {g.SlotsPerGpu} make {g.Slots}", nameof(Slots))
        : Slots;

    public static NodeId DefaultNodeId() => new($"{Environment.MachineName}-{Environment.ProcessId}");
}
