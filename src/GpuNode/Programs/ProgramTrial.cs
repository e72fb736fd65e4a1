using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Gpus;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// One run of a program: the trial it gets as JSON (trial_id, sweep, seed, sample_size and every axis by name), the
/// folder that is its own (the trial and result files live there too), where its output goes, the GPU of its slot
/// (null: a slot without a GPU) and its time limit.
/// </summary>
internal sealed record ProgramTrial(
    ProgramInvocation Program,
    JsonObject Trial,
    string TrialDirectory,
    string LogPath,
    GpuId? Gpu,
    TimeSpan Timeout)
{
    public string TrialFile => Path.Combine(TrialDirectory, ProgramContract.TrialFileName);
    public string ResultFile => Path.Combine(TrialDirectory, ProgramContract.ResultFileName);

    /// <summary>
    /// A trial laid out in its run folder: its log at runs/NAME/logs/TRIAL_ID.log and its own folder at
    /// runs/NAME/trials/TRIAL_ID/ (docs/programs.md).
    /// </summary>
    public static ProgramTrial InRunFolder(ProgramInvocation program, JsonObject trial, string runDirectory, GpuId? gpu, TimeSpan timeout)
    {
        var id = (string?)trial["trial_id"] ?? throw new ArgumentException("the trial has no trial_id", nameof(trial));
        return new ProgramTrial(program, trial, Path.Combine(runDirectory, "trials", id), Path.Combine(runDirectory, "logs", $"{id}.log"), gpu, timeout);
    }

    /// <summary>
    /// The trial as its program reads it: trial_id, sweep, seed, sample_size, then every axis by its name. Axis values
    /// are numbers, strings or booleans; an axis may not reuse one of the four fixed names.
    /// </summary>
    public static JsonObject TrialJson(string trialId, string sweep, long seed, long sampleSize, IEnumerable<KeyValuePair<string, object>> axes)
    {
        var json = new JsonObject { ["trial_id"] = trialId, ["sweep"] = sweep, ["seed"] = seed, ["sample_size"] = sampleSize };
        foreach (var (name, value) in axes)
        {
            if (json.ContainsKey(name)) throw new ArgumentException($"axis '{name}' clashes with a field every trial has", nameof(axes));
            json[name] = value switch
            {
                double d => JsonValue.Create(d),
                float f => JsonValue.Create((double)f),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                string t => JsonValue.Create(t),
                bool b => JsonValue.Create(b),
                _ => throw new ArgumentException($"axis '{name}' has a {value.GetType().Name}; expected a number, string or boolean", nameof(axes)),
            };
        }
        return json;
    }
}
