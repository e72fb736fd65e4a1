using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Runs;

/// <summary>Turns results into the rows of results/part-*.parquet (schema: Protocol's ResultColumns).</summary>
internal static class ResultRows
{
    public static readonly IReadOnlyList<ColumnSchema> Schema =
    [
        new(ResultColumns.Sweep, ColumnType.String, false),
        new(ResultColumns.TrialId, ColumnType.String, false),
        new(ResultColumns.Status, ColumnType.String, false),
        new(ResultColumns.Experiment, ColumnType.String, false),
        new(ResultColumns.Group, ColumnType.String, false),
        new(ResultColumns.Model, ColumnType.String, false),
        new(ResultColumns.Target, ColumnType.String, false),
        new(ResultColumns.InitScale, ColumnType.Double, false),
        new(ResultColumns.Width, ColumnType.Int32, false),
        new(ResultColumns.WeightDecay, ColumnType.Double, false),
        new(ResultColumns.LearningRate, ColumnType.Double, false),
        new(ResultColumns.SampleSize, ColumnType.Int32, false),
        new(ResultColumns.Seed, ColumnType.Int32, false),
        new(ResultColumns.ParamCount, ColumnType.Int32, false),
        new(ResultColumns.TrainLoss, ColumnType.Double, false),
        new(ResultColumns.TestError, ColumnType.Double, false),
        new(ResultColumns.TestErrorUnobserved, ColumnType.Double, true),
        new(ResultColumns.Steps, ColumnType.Int64, false),
        new(ResultColumns.WallSeconds, ColumnType.Double, false),
        new(ResultColumns.Node, ColumnType.String, false),
        new(ResultColumns.Attempt, ColumnType.Int32, false),
        new(ResultColumns.StartedAt, ColumnType.TimestampMicros, false),
        new(ResultColumns.FinishedAt, ColumnType.TimestampMicros, false),
        new(ResultColumns.Error, ColumnType.String, true),
        new(ResultColumns.Config, ColumnType.String, false),
    ];

    public static Table ToTable(IReadOnlyList<TrialResult> results)
    {
        T[] Column<T>(Func<TrialResult, T> f) => results.Select(f).ToArray();
        return new Table(Schema,
        [
            Column<string?>(r => r.Spec.Sweep.Value),
            Column<string?>(r => r.Spec.Id.Value),
            Column<string?>(r => StatusName(r.Status)),
            Column<string?>(r => r.Spec.Experiment),
            Column<string?>(r => r.Spec.Group),
            Column<string?>(r => r.Model),
            Column<string?>(r => Describe.Target(r.Spec.Config)),
            Column<double?>(r => r.Spec.Config.Hyper.InitScale),
            Column<int?>(r => r.Spec.Config.Hyper.Width),
            Column<double?>(r => r.Spec.Config.Hyper.WeightDecay),
            Column<double?>(r => r.Spec.Config.Hyper.LearningRate),
            Column<int?>(r => r.Spec.Config.Hyper.SampleSize),
            Column<int?>(r => r.Spec.Config.Hyper.Seed),
            Column<int?>(r => r.ParamCount),
            Column<double?>(r => r.TrainLoss),
            Column<double?>(r => r.TestError),
            Column(r => r.TestErrorUnobserved),
            Column<long?>(r => r.Steps),
            Column<double?>(r => r.WallSeconds),
            Column<string?>(r => r.Node.Value),
            Column<int?>(r => r.Attempt),
            Column<DateTime?>(r => r.StartedAt),
            Column<DateTime?>(r => r.FinishedAt),
            Column(r => r.Error),
            Column<string?>(r => CanonicalJson.Of(r.Spec.Config)),
        ]);
    }

    public static readonly IReadOnlyList<ColumnSchema> CurveSchema =
    [
        new(ResultColumns.TrialId, ColumnType.String, false),
        new("step", ColumnType.Int64, false),
        new(ResultColumns.TrainLoss, ColumnType.Double, false),
        new(ResultColumns.TestError, ColumnType.Double, false),
    ];

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

    public static string StatusName(TrialStatus status) => status switch
    {
        TrialStatus.Ok => "ok",
        TrialStatus.Diverged => "diverged",
        TrialStatus.Failed => "failed",
        _ => "timeout",
    };

    public static TrialStatus ParseStatus(string? name) => name switch
    {
        "ok" => TrialStatus.Ok,
        "diverged" => TrialStatus.Diverged,
        "timeout" => TrialStatus.Timeout,
        _ => TrialStatus.Failed,
    };
}
