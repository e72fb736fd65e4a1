namespace SweepCluster.Protocol;

/// <summary>
/// Names of the columns of results/part-*.parquet and curves/part-*.parquet. The table itself (types, order,
/// nullability, values) is defined once in src/Analysis/ResultTable.cs; the grid axes' columns are named by
/// src/Training/GridAxes.cs (init_scale, width, weight_decay, learning_rate, sample_size, seed).
/// </summary>
public static class ResultColumns
{
    public const string Sweep = "sweep";
    public const string TrialId = "trial_id";                  // 32 hex chars
    public const string Status = "status";                     // ok | diverged | failed | timeout
    public const string Experiment = "experiment";             // the sweep's experiment (variant) name
    public const string Group = "group";                       // the estimate's group key
    public const string Model = "model";                       // human description of the model
    public const string Target = "target";                     // human description of the target
    public const string ParamCount = "param_count";
    public const string TrainLoss = "train_loss";              // NaN when diverged
    public const string TestError = "test_error";
    public const string TestErrorUnobserved = "test_error_unobserved"; // null unless matrix completion
    public const string Steps = "steps";
    public const string WallSeconds = "wall_seconds";
    public const string Node = "node";
    public const string Attempt = "attempt";                   // deliveries it took
    public const string StartedAt = "started_at";              // timestamp µs UTC
    public const string FinishedAt = "finished_at";            // timestamp µs UTC
    public const string Error = "error";                       // null when ok
    public const string Config = "config";                     // canonical JSON of TrialConfig
    public const string Metrics = "metrics";                   // a program's metrics as a JSON object; null otherwise
    public const string Gpu = "gpu";                           // the GPU of the slot that ran it; null without one
    public const string Step = "step";                         // curves: the training step of a point
}
