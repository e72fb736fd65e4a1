using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Protocol;

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
    /// The trial as its program reads it: trial_id, sweep, seed, sample_size, then every axis by its name in ordinal
    /// order. A whole-valued axis value is written as a JSON integer, so that `range(depth)` works in Python; any
    /// other as a double (Python reads 0.001 and 1E-05 as floats). An axis may not reuse one of the four fixed names.
    /// </summary>
    public static JsonObject TrialJson(string trialId, string sweep, long seed, long sampleSize, IEnumerable<KeyValuePair<string, double>> axes)
    {
        var json = new JsonObject { ["trial_id"] = trialId, ["sweep"] = sweep, ["seed"] = seed, ["sample_size"] = sampleSize };
        foreach (var (name, value) in axes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (json.ContainsKey(name)) throw new ArgumentException($"axis '{name}' clashes with a field every trial has", nameof(axes));
            json[name] = Number(name, value);
        }
        return json;
    }

    /// <summary>The trial JSON of a leased program trial: its id, its sweep and its axes (Hyper.Extra).</summary>
    public static JsonObject TrialJson(TrialSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var hyper = spec.Config.Hyper;
        return TrialJson(spec.Id.Value, spec.Sweep.Value, hyper.Seed, hyper.SampleSize, hyper.Extra ?? new Dictionary<string, double>());
    }

    // Whole numbers up to 2^53 are exact in a double and in a long alike; beyond that a double stays a double.
    private const double LargestExactInteger = 9007199254740992.0;

    private static JsonValue Number(string name, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"axis '{name}' is {value}; expected a finite number", nameof(value));
        return Math.Floor(value) == value && Math.Abs(value) <= LargestExactInteger ? JsonValue.Create((long)value) : JsonValue.Create(value);
    }
}
