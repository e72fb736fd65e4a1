namespace SweepCluster.GpuNode.Gpus;

/// <summary>
/// One GPU as CUDA_VISIBLE_DEVICES names it: an index ("0") or a UUID ("GPU-8f3c…", "MIG-…"), as given to --gpus.
/// </summary>
internal readonly record struct GpuId(string Value)
{
    public override string ToString() => Value;
}
