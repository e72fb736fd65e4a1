namespace SweepCluster.GpuNode.Gpus;

/// <summary>The machine's GPUs could not be listed (no nvidia-smi, or it failed); the message says which.</summary>
internal sealed class GpuDiscoveryException(string message) : Exception(message);
