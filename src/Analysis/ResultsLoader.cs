using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Analysis;

/// <summary>One trial's row of results/part-*.parquet, the columns analysis needs.</summary>
public sealed record ResultRecord(
    string TrialId,
    TrialStatus Status,
    string Experiment,
    string Group,
    string Model,
    string Target,
    double InitScale,
    int Width,
    double WeightDecay,
    double LearningRate,
    int SampleSize,
    int Seed,
    int ParamCount,
    double TestError,
    double? TestErrorUnobserved,
    string ConfigJson);

public static class ResultsLoader
{
    /// <summary>
    /// Every finished part file of a run folder, read in name order; a trial recorded twice (a redelivered
    /// result) keeps its first row. Temporary files of a writer still at work are skipped, so this is safe on a running sweep.
    /// </summary>
    public static IReadOnlyList<ResultRecord> Load(string runDir)
    {
        var resultsDir = Path.Combine(runDir, "results");
        if (!Directory.Exists(resultsDir)) return [];
        var parts = Directory.GetFiles(resultsDir, "part-*.parquet")
            .Where(p => p.EndsWith(".parquet", StringComparison.Ordinal)) // skip *.tmp whatever the platform's pattern rules
            .Order(StringComparer.Ordinal);
        return Deduplicate(parts.SelectMany(path => FromTable(ParquetFile.Read(path), path)));
    }

    internal static IReadOnlyList<ResultRecord> Deduplicate(IEnumerable<ResultRecord> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return rows.Where(r => seen.Add(r.TrialId)).ToList();
    }

    internal static IEnumerable<ResultRecord> FromTable(Table table, string source)
    {
        var ids = Required<string?>(table, ResultColumns.TrialId, source);
        var status = Required<string?>(table, ResultColumns.Status, source);
        var experiment = Required<string?>(table, ResultColumns.Experiment, source);
        var group = Required<string?>(table, ResultColumns.Group, source);
        var model = Required<string?>(table, ResultColumns.Model, source);
        var target = Optional<string?>(table, ResultColumns.Target, source);
        var initScale = Required<double?>(table, ResultColumns.InitScale, source);
        var width = Required<int?>(table, ResultColumns.Width, source);
        var weightDecay = Required<double?>(table, ResultColumns.WeightDecay, source);
        var learningRate = Required<double?>(table, ResultColumns.LearningRate, source);
        var sampleSize = Required<int?>(table, ResultColumns.SampleSize, source);
        var seed = Required<int?>(table, ResultColumns.Seed, source);
        var paramCount = Required<int?>(table, ResultColumns.ParamCount, source);
        var testError = Required<double?>(table, ResultColumns.TestError, source);
        var unobserved = Optional<double?>(table, ResultColumns.TestErrorUnobserved, source);
        var config = Required<string?>(table, ResultColumns.Config, source);

        for (var i = 0; i < table.RowCount; i++)
        {
            yield return new ResultRecord(
                Text(ids, i), ParseStatus(Text(status, i), source, i), Text(experiment, i), Text(group, i),
                Text(model, i), target?[i] ?? "",
                Number(initScale, i), Number(width, i), Number(weightDecay, i), Number(learningRate, i),
                Number(sampleSize, i), Number(seed, i), Number(paramCount, i),
                // A diverged trial may carry no error at all; it is a failure either way.
                testError[i] ?? double.NaN, unobserved?[i], Text(config, i));
        }

        string Text(string?[] column, int row) => column[row] ?? throw Missing(row);
        T Number<T>(T?[] column, int row) where T : struct => column[row] ?? throw Missing(row);
        ResultsFormatException Missing(int row) => new(source, $"row {row} has a null in a column that must have a value");
    }

    private static TrialStatus ParseStatus(string text, string source, int row) =>
        Enum.TryParse<TrialStatus>(text, ignoreCase: true, out var status) && !int.TryParse(text, out _)
            ? status
            : throw new ResultsFormatException(source, $"row {row}: status '{text}', expected ok, diverged, failed or timeout");

    private static T[] Required<T>(Table table, string name, string source) =>
        Optional<T>(table, name, source)
        ?? throw new ResultsFormatException(source, $"no column '{name}'");

    private static T[]? Optional<T>(Table table, string name, string source)
    {
        var index = table.IndexOf(name);
        if (index < 0) return null;
        return table.Columns[index] as T[]
            ?? throw new ResultsFormatException(source, $"column '{name}' is {table.Schema[index].Type}, expected {typeof(T).Name.TrimEnd('?')}");
    }
}
