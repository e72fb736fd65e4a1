using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis;

/// <summary>
/// One setting at one sample size, summarised over its seeds. The setting is the trial's values of the tunable
/// axes of its sweep, which together with the group, sample size and seed make a trial.
/// </summary>
public sealed record SettingStats(int SampleSize, AxisValues Setting, int Seeds, int Successes, double MedianTestError)
{
    public double SuccessRate => Seeds == 0 ? 0 : (double)Successes / Seeds;
}

/// <summary>The best setting at one sample size and whether it counts as recovering the target.</summary>
public sealed record SampleSizeRow(int SampleSize, SettingStats Best, bool Recovered)
{
    public AxisValues BestSetting => Best.Setting;
    public double SuccessRate => Best.SuccessRate;
    public double MedianTestError => Best.MedianTestError;
    public int Seeds => Best.Seeds;
}

public sealed record GroupEstimate(
    string Group,
    string Experiment,
    string ModelDescription,
    string TargetDescription,
    IReadOnlyList<SampleSizeRow> Rows,
    IReadOnlyList<SettingStats> Settings,
    int? EmpiricalSize,
    int? TheoreticalSize,
    int ParamCount,
    int Trials,
    int FailedTrials)
{
    public double? EmpiricalOverTheoretical => EmpiricalSize / (double?)TheoreticalSize;
    public double? EmpiricalOverParams => ParamCount > 0 ? EmpiricalSize / (double)ParamCount : null;
    public double? TheoreticalOverParams => ParamCount > 0 ? TheoreticalSize / (double)ParamCount : null;
}

public static class Estimator
{
    /// <summary>
    /// Per group: at each sample size the best setting (highest success rate, then lowest median test error),
    /// and the empirical optimistic size, the smallest n from which the best setting recovers the target on at
    /// least a quorum of its seeds at that n and every larger n of the grid. Trials that did not end ok count
    /// as failed seeds with infinite error, so a setting that diverges cannot look good by leaving rows out.
    /// </summary>
    public static IReadOnlyList<GroupEstimate> Estimate(IReadOnlyList<ResultRecord> rows, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(settings);
        // Groups come in experiment order, then by the values of the axes that split them (width 3 before 10),
        // read from the rows rather than back out of the group key.
        return rows.GroupBy(r => r.Group, StringComparer.Ordinal)
            .Select(g => (Group: g.Key, Rows: g.ToList()))
            .OrderBy(g => g.Rows[0].Experiment, StringComparer.Ordinal)
            .ThenBy(g => FixedValues(g.Rows))
            .ThenBy(g => g.Group, StringComparer.Ordinal)
            .Select(g => EstimateGroup(g.Group, g.Rows, settings))
            .ToList();
    }

    /// <summary>Each tunable axis's value where the whole group shares one (NaN where it varies).</summary>
    private static AxisValues FixedValues(List<ResultRecord> rows)
    {
        var first = rows[0].Setting;
        var values = first.Axes.Select(a => rows.All(r => r.Axes[a] == first[a]) ? first[a] : double.NaN).ToList();
        return new AxisValues(first.Axes, values);
    }

    private static GroupEstimate EstimateGroup(string group, List<ResultRecord> rows, AnalysisSettings settings)
    {
        var (stats, perN) = PerSampleSize(rows, settings);

        int? empirical = null;
        for (var i = perN.Count - 1; i >= 0 && perN[i].Recovered; i--)
            empirical = perN[i].SampleSize;

        // Described by its largest model, the one the parameter count is of (width may be a tuned axis).
        var largest = rows.MaxBy(r => r.ParamCount)!;
        return new GroupEstimate(
            group, largest.Experiment, largest.Model, largest.Target, perN, stats, empirical,
            TheoryFor(rows), largest.ParamCount, rows.Count, rows.Count(r => r.Status != TrialStatus.Ok));
    }

    /// <summary>
    /// One group's rows summarised per setting and n, and the best setting at each n with whether it recovers, n ascending.
    /// The adaptive search (<see cref="GroupSearch"/>) reads its outcomes here too, so both judge an n the same way.
    /// </summary>
    internal static (List<SettingStats> Stats, List<SampleSizeRow> PerN) PerSampleSize(IReadOnlyList<ResultRecord> rows, AnalysisSettings settings)
    {
        var stats = rows
            .GroupBy(r => (r.SampleSize, r.Setting))
            .Select(g => Summarise(g.Key.SampleSize, g.Key.Setting, g.ToList(), settings))
            .OrderBy(s => s.SampleSize).ThenBy(s => s.Setting)
            .ToList();

        var perN = stats.GroupBy(s => s.SampleSize)
            .Select(g =>
            {
                // OrderBy is stable, so equal settings keep the deterministic order of `stats`.
                var best = g.OrderByDescending(s => s.SuccessRate).ThenBy(s => s.MedianTestError).First();
                return new SampleSizeRow(g.Key, best, best.Successes > 0 && best.SuccessRate >= settings.Quorum);
            })
            .OrderBy(r => r.SampleSize)
            .ToList();
        return (stats, perN);
    }

    private static SettingStats Summarise(int n, AxisValues setting, List<ResultRecord> seeds, AnalysisSettings settings)
    {
        var errors = seeds.Select(r => ErrorOf(r, settings)).Order().ToList();
        var successes = errors.Count(e => e <= settings.Threshold);
        var mid = errors.Count / 2;
        var median = errors.Count % 2 == 1 ? errors[mid] : (errors[mid - 1] + errors[mid]) / 2;
        return new SettingStats(n, setting, seeds.Count, successes, median);
    }

    internal static double ErrorOf(ResultRecord r, AnalysisSettings settings)
    {
        if (r.Status != TrialStatus.Ok) return double.PositiveInfinity;
        var error = settings.UseUnobservedError && r.TestErrorUnobserved is { } unobserved ? unobserved : r.TestError;
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }

    // Width may be a tuned axis; the formulas need a model wide enough to represent the target, so ask with the widest.
    private static int? TheoryFor(List<ResultRecord> rows)
    {
        var widest = rows[0].Axes.Axes.Contains(GridAxes.Width) ? rows.MaxBy(r => r.Axes[GridAxes.Width])! : rows[0];
        try { return Theory.OptimisticSize(CanonicalJson.ParseConfig(widest.ConfigJson)); }
        catch (System.Text.Json.JsonException e)
        {
            throw new ResultsFormatException($"trial {widest.TrialId}", $"config column is not a trial config: {e.Message}", e);
        }
    }
}
