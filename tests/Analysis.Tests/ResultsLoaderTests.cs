using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Analysis.Tests;

public sealed class ResultsLoaderTests
{
    internal static Table ResultTable(params ResultRecord[] rows)
    {
        var columns = new List<(ColumnSchema Schema, Array Values)>
        {
            (new(ResultColumns.TrialId, ColumnType.String, false), rows.Select(r => (string?)r.TrialId).ToArray()),
            (new(ResultColumns.Status, ColumnType.String, false), rows.Select(r => (string?)r.Status.ToString().ToLowerInvariant()).ToArray()),
            (new(ResultColumns.Experiment, ColumnType.String, false), rows.Select(r => (string?)r.Experiment).ToArray()),
            (new(ResultColumns.Group, ColumnType.String, false), rows.Select(r => (string?)r.Group).ToArray()),
            (new(ResultColumns.Model, ColumnType.String, false), rows.Select(r => (string?)r.Model).ToArray()),
            (new(ResultColumns.Target, ColumnType.String, false), rows.Select(r => (string?)r.Target).ToArray()),
            (new(ResultColumns.InitScale, ColumnType.Double, false), rows.Select(r => (double?)r.InitScale).ToArray()),
            (new(ResultColumns.Width, ColumnType.Int32, false), rows.Select(r => (int?)r.Width).ToArray()),
            (new(ResultColumns.WeightDecay, ColumnType.Double, false), rows.Select(r => (double?)r.WeightDecay).ToArray()),
            (new(ResultColumns.LearningRate, ColumnType.Double, false), rows.Select(r => (double?)r.LearningRate).ToArray()),
            (new(ResultColumns.SampleSize, ColumnType.Int32, false), rows.Select(r => (int?)r.SampleSize).ToArray()),
            (new(ResultColumns.Seed, ColumnType.Int32, false), rows.Select(r => (int?)r.Seed).ToArray()),
            (new(ResultColumns.ParamCount, ColumnType.Int32, false), rows.Select(r => (int?)r.ParamCount).ToArray()),
            (new(ResultColumns.TestError, ColumnType.Double, false), rows.Select(r => (double?)r.TestError).ToArray()),
            (new(ResultColumns.TestErrorUnobserved, ColumnType.Double, true), rows.Select(r => r.TestErrorUnobserved).ToArray()),
            (new(ResultColumns.Config, ColumnType.String, false), rows.Select(r => (string?)r.ConfigJson).ToArray()),
        };
        return new Table(columns.Select(c => c.Schema).ToList(), columns.Select(c => c.Values).ToList());
    }

    [Fact]
    public void Rows_read_back_as_written()
    {
        var written = new[] { Rows.Row(3, 1, 1e-9, init: 1e-4, width: 7, unobserved: 2e-9), Rows.Row(5, 2, double.NaN, status: TrialStatus.Diverged) };
        var read = ResultsLoader.FromTable(ResultTable(written), "part-00000.parquet").ToList();
        Assert.Equal(written, read);
    }

    [Fact]
    public void A_trial_recorded_twice_keeps_its_first_row()
    {
        var first = Rows.Row(1, 0, 1e-9);
        var again = first with { TestError = 5 };
        var other = Rows.Row(1, 1, 1e-9);
        Assert.Equal([first, other], ResultsLoader.Deduplicate([first, again, other]));
    }

    [Fact]
    public void A_missing_column_or_unknown_status_names_the_file_and_the_problem()
    {
        var table = ResultTable(Rows.Row(1, 0, 1));
        var withoutConfig = new Table(table.Schema.Take(table.Schema.Count - 1).ToList(), table.Columns.Take(table.Columns.Count - 1).ToList());
        var missing = Assert.Throws<ResultsFormatException>(() => ResultsLoader.FromTable(withoutConfig, "part-00007.parquet").ToList());
        Assert.Contains("part-00007.parquet", missing.Message);
        Assert.Contains("'config'", missing.Message);

        var columns = table.Columns.ToList();
        columns[1] = new string?[] { "exploded" };
        var bad = Assert.Throws<ResultsFormatException>(() => ResultsLoader.FromTable(new Table(table.Schema, columns), "p.parquet").ToList());
        Assert.Contains("'exploded'", bad.Message);
    }

    [Fact]
    public void A_run_folder_without_results_has_no_rows()
    {
        var dir = Directory.CreateTempSubdirectory("analysis-").FullName;
        try { Assert.Empty(ResultsLoader.Load(dir)); }
        finally { Directory.Delete(dir, true); }
    }
}

public sealed class ResultsLoaderParquetTests : IDisposable
{
    private readonly string runDir = Directory.CreateTempSubdirectory("run-").FullName;

    public void Dispose() => Directory.Delete(runDir, true);

    [Fact]
    public void Every_finished_part_file_is_read_and_a_redelivered_trial_counted_once()
    {
        var results = Directory.CreateDirectory(Path.Combine(runDir, "results")).FullName;
        var first = new[] { Rows.Row(1, 0, 1e-9), Rows.Row(1, 1, 0.3, status: TrialStatus.Failed) };
        var redelivered = first[0] with { TestError = 7 };
        var second = new[] { redelivered, Rows.Row(2, 0, 1e-8, unobserved: 1e-7) };
        ParquetFile.WriteAtomic(Path.Combine(results, "part-00000.parquet"), ResultsLoaderTests.ResultTable(first));
        ParquetFile.WriteAtomic(Path.Combine(results, "part-00001.parquet"), ResultsLoaderTests.ResultTable(second));
        // A writer caught mid-file leaves a temporary name; it must not be read (it would not parse).
        File.WriteAllText(Path.Combine(results, "part-00002.parquet.tmp"), "PAR1 half a file");

        Assert.Equal([first[0], first[1], second[1]], ResultsLoader.Load(runDir));

        var (md, _) = ReportWriter.Write(runDir);
        Assert.Contains("3 trials in 1 groups, 1 not ok", File.ReadAllText(md));
    }
}
