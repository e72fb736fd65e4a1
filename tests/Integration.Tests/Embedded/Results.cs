using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>Reads a run folder's part files the way any user would: every row of every results/part-*.parquet.</summary>
internal static class Results
{
    public static IReadOnlyList<(string Id, string Status, int SampleSize, double LearningRate, string? Error)> Read(string runDir)
    {
        var rows = new List<(string, string, int, double, string?)>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(runDir, "results"), "part-*.parquet").Order(StringComparer.Ordinal))
        {
            var t = ParquetFile.Read(file);
            var ids = (string?[])t.Columns[t.IndexOf(ResultColumns.TrialId)];
            var statuses = (string?[])t.Columns[t.IndexOf(ResultColumns.Status)];
            var n = (int?[])t.Columns[t.IndexOf(ResultColumns.SampleSize)];
            var lr = (double?[])t.Columns[t.IndexOf(ResultColumns.LearningRate)];
            var errors = (string?[])t.Columns[t.IndexOf(ResultColumns.Error)];
            for (var i = 0; i < t.RowCount; i++)
                rows.Add((ids[i]!, statuses[i]!, n[i]!.Value, lr[i]!.Value, errors[i]));
        }
        return rows;
    }
}
