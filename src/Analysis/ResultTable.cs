using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis;

/// <summary>One column of results/part-*.parquet: its name, Parquet type, whether it may hold nulls, and its values.</summary>
public sealed class ResultColumn(string name, ColumnType type, bool nullable, Func<IReadOnlyList<TrialResult>, Array> values)
{
    public string Name { get; } = name;
    public ColumnType Type { get; } = type;
    public bool Nullable { get; } = nullable;
    public ColumnSchema Schema => new(Name, Type, Nullable);
    internal Array ValuesOf(IReadOnlyList<TrialResult> results) => values(results);
}

/// <summary>
/// The results table, defined once: one row per trial, the columns below in this order, with one column per grid axis
/// of the sweep after `target` (<see cref="GridAxes.All"/> for the built-in engine, a program's own axes then
/// sample_size and seed for a user's program). `sweep run` writes rows with <see cref="ToTable"/>; `sweep report`,
/// resuming and the tests read them back with <see cref="Read"/> and <see cref="ReadIdsAndStatuses"/>, which check
/// every column they use against this definition.
/// </summary>
public static class ResultTable
{
    private static readonly IReadOnlyList<ResultColumn> Leading =
    [
        Text(ResultColumns.Sweep, r => r.Spec.Sweep.Value),
        Text(ResultColumns.TrialId, r => r.Spec.Id.Value),
        Text(ResultColumns.Status, r => StatusText(r.Status)),
        Text(ResultColumns.Experiment, r => r.Spec.Experiment),
        Text(ResultColumns.Group, r => r.Spec.Group),
        Text(ResultColumns.Model, r => r.Model),
        Text(ResultColumns.Target, r => ModelKinds.DescribeTarget(r.Spec.Config)),
    ];

    private static readonly IReadOnlyList<ResultColumn> Trailing =
    [
        Int32(ResultColumns.ParamCount, r => r.ParamCount),
        Real(ResultColumns.TrainLoss, r => r.TrainLoss),
        Real(ResultColumns.TestError, r => r.TestError),
        Real(ResultColumns.TestErrorUnobserved, r => r.TestErrorUnobserved, nullable: true),
        new(ResultColumns.Steps, ColumnType.Int64, false, rs => Map(rs, r => (long?)r.Steps)),
        Real(ResultColumns.WallSeconds, r => r.WallSeconds),
        Text(ResultColumns.Node, r => r.Node.Value),
        Int32(ResultColumns.Attempt, r => r.Attempt),
        new(ResultColumns.StartedAt, ColumnType.TimestampMicros, false, rs => Map(rs, r => (DateTime?)r.StartedAt)),
        new(ResultColumns.FinishedAt, ColumnType.TimestampMicros, false, rs => Map(rs, r => (DateTime?)r.FinishedAt)),
        Text(ResultColumns.Error, r => r.Error, nullable: true),
        Text(ResultColumns.Config, r => CanonicalJson.Of(r.Spec.Config)),
        Text(ResultColumns.Metrics, r => r.Metrics, nullable: true),
        Text(ResultColumns.Gpu, r => r.Gpu, nullable: true),
    ];

    /// <summary>The columns every results file has, whatever its axes; no grid axis may take one of these names.</summary>
    public static IReadOnlySet<string> FixedColumnNames { get; } = Leading.Concat(Trailing).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The columns of a sweep with these grid axes.</summary>
    public static IReadOnlyList<ResultColumn> ColumnsFor(IReadOnlyList<GridAxis> axes) => [.. Leading, .. axes.Select(AxisColumn), .. Trailing];

    /// <summary>The columns of a sweep of the built-in engine.</summary>
    public static IReadOnlyList<ResultColumn> Columns { get; } = ColumnsFor(GridAxes.All);

    /// <summary>The columns of curves/part-*.parquet: a row per recorded step of a trial's loss curve.</summary>
    public static IReadOnlyList<ColumnSchema> CurveSchema { get; } =
    [
        new(ResultColumns.TrialId, ColumnType.String, false),
        new(ResultColumns.Step, ColumnType.Int64, false),
        new(ResultColumns.TrainLoss, ColumnType.Double, false),
        new(ResultColumns.TestError, ColumnType.Double, false),
    ];

    /// <summary>The rows of these results, whose sweep has these grid axes.</summary>
    public static Table ToTable(IReadOnlyList<TrialResult> results, IReadOnlyList<GridAxis> axes)
    {
        ArgumentNullException.ThrowIfNull(results);
        var columns = ColumnsFor(axes);
        return new Table(columns.Select(c => c.Schema).ToList(), columns.Select(c => c.ValuesOf(results)).ToList());
    }

    /// <summary>The loss curves of the results that have one, a row per recorded step; null when none has.</summary>
    public static Table? CurvesTable(IReadOnlyList<TrialResult> results)
    {
        var points = results.Where(r => r.Curve is not null).SelectMany(r => r.Curve!.Select(p => (r.Spec.Id, Point: p))).ToList();
        if (points.Count == 0) return null;
        return new Table(CurveSchema,
        [
            points.Select(p => (string?)p.Id.Value).ToArray(),
            points.Select(p => (long?)p.Point.Step).ToArray(),
            points.Select(p => (double?)p.Point.TrainLoss).ToArray(),
            points.Select(p => (double?)p.Point.TestError).ToArray(),
        ]);
    }

    private static readonly (TrialStatus Status, string Text)[] StatusTexts =
        [(TrialStatus.Ok, "ok"), (TrialStatus.Diverged, "diverged"), (TrialStatus.Failed, "failed"), (TrialStatus.Timeout, "timeout")];

    /// <summary>The status column's text: ok, diverged, failed or timeout.</summary>
    public static string StatusText(TrialStatus status)
    {
        foreach (var (s, text) in StatusTexts)
            if (s == status) return text;
        throw new ArgumentOutOfRangeException(nameof(status), status, "no text for this status");
    }

    /// <summary>The status a text names; anything else is an error naming the file, the row and the value.</summary>
    public static TrialStatus ParseStatus(string? text, string path, int row)
    {
        foreach (var (status, name) in StatusTexts)
            if (name == text) return status;
        throw new ResultsFormatException(path, $"row {row}: status '{text}', expected {string.Join(", ", StatusTexts.Select(s => s.Text))}");
    }

    /// <summary>The rows of one results file's table of a sweep with these grid axes; path names the file in errors.</summary>
    public static IEnumerable<ResultRecord> Read(Table table, string path, IReadOnlyList<GridAxis> axisList)
    {
        ArgumentNullException.ThrowIfNull(axisList);
        ArgumentNullException.ThrowIfNull(table);
        var ids = Get<string?>(table, ResultColumns.TrialId, path)!;
        var status = Get<string?>(table, ResultColumns.Status, path)!;
        var experiment = Get<string?>(table, ResultColumns.Experiment, path)!;
        var group = Get<string?>(table, ResultColumns.Group, path)!;
        var model = Get<string?>(table, ResultColumns.Model, path)!;
        // Files from before the target column existed read with an empty description.
        var target = Get<string?>(table, ResultColumns.Target, path, required: false);
        var axes = axisList.Select(a => AxisReader(table, a, path)).ToList();
        var paramCount = Get<int?>(table, ResultColumns.ParamCount, path)!;
        var testError = Get<double?>(table, ResultColumns.TestError, path)!;
        var unobserved = Get<double?>(table, ResultColumns.TestErrorUnobserved, path, required: false);
        var config = Get<string?>(table, ResultColumns.Config, path)!;

        for (var i = 0; i < table.RowCount; i++)
        {
            var values = new double[axes.Count];
            for (var a = 0; a < axes.Count; a++) values[a] = axes[a](i) ?? throw Missing(axisList[a].Name, i);
            yield return new ResultRecord(
                Text(ids, ResultColumns.TrialId, i), ParseStatus(status[i], path, i), Text(experiment, ResultColumns.Experiment, i),
                Text(group, ResultColumns.Group, i), Text(model, ResultColumns.Model, i), target?[i] ?? "",
                new AxisValues(axisList, values),
                paramCount[i] ?? throw Missing(ResultColumns.ParamCount, i),
                // A diverged trial may carry no error at all; it is a failure either way.
                testError[i] ?? double.NaN, unobserved?[i], Text(config, ResultColumns.Config, i));
        }

        string Text(string?[] column, string name, int row) => column[row] ?? throw Missing(name, row);
        ResultsFormatException Missing(string name, int row) => new(path, $"row {row}: column '{name}' is null; it must have a value");
    }

    /// <summary>Every trial id of one results file with its status, without reading the other columns.</summary>
    public static IEnumerable<(TrialId Id, TrialStatus Status)> ReadIdsAndStatuses(string path)
    {
        var table = ParquetFile.Read(path, [ResultColumns.TrialId, ResultColumns.Status]);
        var ids = Get<string?>(table, ResultColumns.TrialId, path)!;
        var statuses = Get<string?>(table, ResultColumns.Status, path)!;
        for (var i = 0; i < table.RowCount; i++)
            if (ids[i] is { } id)
                yield return (new TrialId(id), ParseStatus(statuses[i], path, i));
    }

    /// <summary>A column every results file has, checked against its definition: present (when required) and of the defined type.</summary>
    public static T[]? Get<T>(Table table, string name, string path, bool required = true) =>
        Get<T>(table, Leading.Concat(Trailing).FirstOrDefault(c => c.Name == name)
            ?? throw new ArgumentException($"'{name}' is not a results column every file has", nameof(name)), path, required);

    /// <summary>A grid axis's column, checked against its definition as Get checks the others.</summary>
    public static T[] Get<T>(Table table, GridAxis axis, string path) => Get<T>(table, AxisColumn(axis), path)!;

    private static T[]? Get<T>(Table table, ResultColumn definition, string path, bool required = true)
    {
        var name = definition.Name;
        var index = table.IndexOf(name);
        if (index < 0)
            return required ? throw new ResultsFormatException(path, $"no column '{name}'; expected a results file written by `sweep run`") : null;
        if (table.Schema[index].Type != definition.Type || table.Columns[index] is not T[] values)
            throw new ResultsFormatException(path, $"column '{name}' is {table.Schema[index].Type}, expected {definition.Type}");
        return values;
    }

    private static Func<int, double?> AxisReader(Table table, GridAxis axis, string path)
    {
        if (axis.Number == AxisNumber.Integer)
        {
            var ints = Get<int?>(table, AxisColumn(axis), path)!;
            return i => ints[i];
        }
        var reals = Get<double?>(table, AxisColumn(axis), path)!;
        return i => reals[i];
    }

    private static ResultColumn AxisColumn(GridAxis axis) => axis.Number == AxisNumber.Integer
        ? Int32(axis.Name, r => (int)axis.Get(r.Spec.Config.Hyper))
        : Real(axis.Name, r => axis.Get(r.Spec.Config.Hyper));

    private static ResultColumn Text(string name, Func<TrialResult, string?> get, bool nullable = false) =>
        new(name, ColumnType.String, nullable, rs => Map(rs, get));

    private static ResultColumn Int32(string name, Func<TrialResult, int?> get) =>
        new(name, ColumnType.Int32, false, rs => Map(rs, get));

    private static ResultColumn Real(string name, Func<TrialResult, double?> get, bool nullable = false) =>
        new(name, ColumnType.Double, nullable, rs => Map(rs, get));

    private static T[] Map<T>(IReadOnlyList<TrialResult> results, Func<TrialResult, T> get)
    {
        var values = new T[results.Count];
        for (var i = 0; i < values.Length; i++) values[i] = get(results[i]);
        return values;
    }
}
