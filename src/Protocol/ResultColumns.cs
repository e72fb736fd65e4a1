namespace SweepCluster.Protocol;

/// <summary>
/// Column names of results/part-*.parquet, the contract between ResultSink (writer) and Analysis (reader).
/// One row per trial. config holds the trial's canonical JSON so that analysis can recompute theory without
/// the sweep file.
/// </summary>
public static class ResultColumns
{
    public const string Sweep = "sweep";                       // string
    public const string TrialId = "trial_id";                  // string, 32 hex chars
    public const string Status = "status";                     // string: ok | diverged | failed | timeout
    public const string Experiment = "experiment";             // string: the sweep's variant name
    public const string Group = "group";                       // string: the estimate's group key
    public const string Model = "model";                       // string: human description of the model
    public const string Target = "target";                     // string: human description of the target
    public const string InitScale = "init_scale";              // double
    public const string Width = "width";                       // int32
    public const string WeightDecay = "weight_decay";          // double
    public const string LearningRate = "learning_rate";        // double
    public const string SampleSize = "sample_size";            // int32
    public const string Seed = "seed";                         // int32
    public const string ParamCount = "param_count";            // int32
    public const string TrainLoss = "train_loss";              // double (NaN when diverged)
    public const string TestError = "test_error";              // double
    public const string TestErrorUnobserved = "test_error_unobserved"; // double, null unless matrix completion
    public const string Steps = "steps";                       // int64
    public const string WallSeconds = "wall_seconds";          // double
    public const string Node = "node";                         // string
    public const string Attempt = "attempt";                   // int32: deliveries it took
    public const string StartedAt = "started_at";              // timestamp µs UTC
    public const string FinishedAt = "finished_at";            // timestamp µs UTC
    public const string Error = "error";                       // string, null when ok
    public const string Config = "config";                     // string: canonical JSON of TrialConfig
}
