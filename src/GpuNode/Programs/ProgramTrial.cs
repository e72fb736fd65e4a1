using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Gpus;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// One run of a program: the trial it gets as JSON (trial_id, sweep, seed, sample_size and every axis by name), the
/// folder that is its own (the trial and result files live there too), where its output goes, the GPU of its slot
/// (null: a slot without a GPU) and its time limit.
/// </summary>
internal sealed record ProgramTrial(
    ProgramSpec Program,
    JsonObject Trial,
    string TrialDirectory,
    string LogPath,
    GpuId? Gpu,
    TimeSpan Timeout)
{
    public string TrialFile => Path.Combine(TrialDirectory, ProgramContract.TrialFileName);
    public string ResultFile => Path.Combine(TrialDirectory, ProgramContract.ResultFileName);
}
