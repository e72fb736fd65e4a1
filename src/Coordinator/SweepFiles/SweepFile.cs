using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>One named model/target/data combination of a sweep, with its own grid.</summary>
internal sealed record Variant(string Name, ModelSpec Model, TargetSpec Target, DataSpec Data, Grid Grid);

/// <summary>The values of every grid axis, in the order they are expanded.</summary>
internal sealed record Grid(
    IReadOnlyList<double> InitScale,
    IReadOnlyList<int> Width,
    IReadOnlyList<double> WeightDecay,
    IReadOnlyList<double> LearningRate,
    IReadOnlyList<int> SampleSize,
    IReadOnlyList<int> Seed)
{
    public long TrialCount => (long)InitScale.Count * Width.Count * WeightDecay.Count * LearningRate.Count * SampleSize.Count * Seed.Count;
}

/// <summary>Grid axes; the names are the sweep file's keys and the result columns.</summary>
internal static class Axis
{
    public const string InitScale = "init_scale";
    public const string Width = "width";
    public const string WeightDecay = "weight_decay";
    public const string LearningRate = "learning_rate";
    public const string SampleSize = "sample_size";
    public const string Seed = "seed";
    public static readonly string[] All = [InitScale, Width, WeightDecay, LearningRate, SampleSize, Seed];
    /// <summary>Axes that may be tuned: the estimate takes the best value per sample size.</summary>
    public static readonly string[] Tunable = [InitScale, Width, WeightDecay, LearningRate];
}

/// <summary>How the empirical optimistic size is read off the results.</summary>
internal sealed record EstimateSettings(double Threshold, double Quorum, IReadOnlyList<string> Tune, bool UseUnobservedError);

/// <summary>Per-trial limits enforced by the nodes.</summary>
internal sealed record RunLimits(TimeSpan TrialTimeout, int MaxDeliveries);

/// <summary>A parsed, validated sweep file.</summary>
internal sealed record SweepFile(
    string Path,
    string Name,
    string Description,
    TrainingSpec Training,
    IReadOnlyList<Variant> Variants,
    EstimateSettings Estimate,
    RunLimits Limits)
{
    public long TrialCount => Variants.Sum(v => v.Grid.TrialCount);
}
