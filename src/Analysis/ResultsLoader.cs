using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis;

/// <summary>One trial's row of results/part-*.parquet, the columns analysis needs (defined in <see cref="ResultTable"/>).</summary>
/// <param name="Axes">The trial's value of every grid axis of its sweep, in the order of the results columns.</param>
public sealed record ResultRecord(
    string TrialId,
    TrialStatus Status,
    string Experiment,
    string Group,
    string Model,
    string Target,
    AxisValues Axes,
    int ParamCount,
    double TestError,
    double? TestErrorUnobserved,
    string ConfigJson)
{
    public int SampleSize => (int)Axes[GridAxes.SampleSize];

    public int Seed => (int)Axes[GridAxes.Seed];

    /// <summary>The values of the tunable axes: what the estimate picks the best of at each sample size.</summary>
    public AxisValues Setting { get; } = Axes.Select(Axes.Axes.Where(a => a.Tunable).ToList());
}

public static class ResultsLoader
{
    /// <summary>
    /// Every finished part file of a run folder, read in name order; a trial recorded twice (a redelivered
    /// result) keeps its first row. Part files still being written are skipped, so this is safe on a running sweep.
    /// </summary>
    public static IReadOnlyList<ResultRecord> Load(string runDir, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var axes = settings.Axes;
        return Deduplicate(RunLayout.PartFiles(RunLayout.Results(runDir)).SelectMany(path => ResultTable.Read(ParquetFile.Read(path), path, axes)));
    }

    internal static IReadOnlyList<ResultRecord> Deduplicate(IEnumerable<ResultRecord> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return rows.Where(r => seen.Add(r.TrialId)).ToList();
    }
}
