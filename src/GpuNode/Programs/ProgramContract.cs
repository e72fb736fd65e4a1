namespace SweepCluster.GpuNode.Programs;

/// <summary>What a program can rely on: the variables it is given and the files they point at (docs/programs.md).</summary>
internal static class ProgramContract
{
    /// <summary>Path of the trial, a JSON object: trial_id, sweep, seed, sample_size and every axis by its name.</summary>
    public const string TrialVariable = "SWEEP_TRIAL";

    /// <summary>Path where the program writes its metrics as one JSON object; test_error is required.</summary>
    public const string ResultVariable = "SWEEP_RESULT";

    /// <summary>A folder of the trial's own, for checkpoints and any other file; it survives the trial.</summary>
    public const string TrialDirectoryVariable = "SWEEP_TRIAL_DIR";

    /// <summary>The one GPU of the slot, or empty when the slot has none, so that no program sees every GPU.</summary>
    public const string GpuVariable = "CUDA_VISIBLE_DEVICES";

    public const string TrialFileName = "trial.json";
    public const string ResultFileName = "result.json";

    /// <summary>The metrics with a typed column of their own in the results; every other number goes to `metrics`.</summary>
    public const string TestError = "test_error", TrainLoss = "train_loss", Steps = "steps";

    /// <summary>A whole number the program may report; it fills the param_count column (0 otherwise).</summary>
    public const string ParamCount = "param_count";
}
