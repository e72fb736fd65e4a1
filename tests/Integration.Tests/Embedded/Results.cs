using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>Reads a run folder's part files the way any user would: every row of every results/part-*.parquet.</summary>
internal static class Results
{
    public static IReadOnlyList<(string Id, string Status, int SampleSize, double LearningRate, string? Error)> Read(string runDir)
    {
        var rows = new List<(string, string, int, double, string?)>();
        foreach (var file in RunLayout.PartFiles(RunLayout.Results(runDir)))
        {
            var t = ParquetFile.Read(file);
            // Typed and checked by the one definition of the results table.
            var ids = ResultTable.Get<string?>(t, ResultColumns.TrialId, file)!;
            var statuses = ResultTable.Get<string?>(t, ResultColumns.Status, file)!;
            var n = ResultTable.Get<int?>(t, GridAxes.SampleSize, file);
            var lr = ResultTable.Get<double?>(t, GridAxes.LearningRate, file);
            var errors = ResultTable.Get<string?>(t, ResultColumns.Error, file)!;
            for (var i = 0; i < t.RowCount; i++)
                rows.Add((ids[i]!, statuses[i]!, n[i]!.Value, lr[i]!.Value, errors[i]));
        }
        return rows;
    }
}
