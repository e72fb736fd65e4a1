using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis.Tests;

public sealed class ResultsLoaderTests
{
    /// <summary>The columns the reader needs, typed as the one definition (ResultTable.Columns) says.</summary>
    internal static Table TableOf(params ResultRecord[] rows)
    {
        var columns = new List<(string Name, Array Values)>
        {
            (ResultColumns.TrialId, rows.Select(r => (string?)r.TrialId).ToArray()),
            (ResultColumns.Status, rows.Select(r => (string?)ResultTable.StatusText(r.Status)).ToArray()),
            (ResultColumns.Experiment, rows.Select(r => (string?)r.Experiment).ToArray()),
            (ResultColumns.Group, rows.Select(r => (string?)r.Group).ToArray()),
            (ResultColumns.Model, rows.Select(r => (string?)r.Model).ToArray()),
            (ResultColumns.Target, rows.Select(r => (string?)r.Target).ToArray()),
        };
        foreach (var axis in GridAxes.All)
            columns.Add((axis.Name, axis.Number == AxisNumber.Integer
                ? rows.Select(r => (int?)r.Axes[axis]).ToArray()
                : rows.Select(r => (double?)r.Axes[axis]).ToArray()));
        columns.Add((ResultColumns.ParamCount, rows.Select(r => (int?)r.ParamCount).ToArray()));
        columns.Add((ResultColumns.TestError, rows.Select(r => (double?)r.TestError).ToArray()));
        columns.Add((ResultColumns.TestErrorUnobserved, rows.Select(r => r.TestErrorUnobserved).ToArray()));
        columns.Add((ResultColumns.Config, rows.Select(r => (string?)r.ConfigJson).ToArray()));
        var schema = columns.Select(c => ResultTable.Columns.Single(d => d.Name == c.Name).Schema).ToList();
        return new Table(schema, columns.Select(c => c.Values).ToList());
    }

    [Fact]
    public void Rows_read_back_as_written()
    {
        var written = new[] { Rows.Row(3, 1, 1e-9, init: 1e-4, width: 7, unobserved: 2e-9), Rows.Row(5, 2, double.NaN, status: TrialStatus.Diverged) };
        var read = ResultTable.Read(TableOf(written), "part-00000.parquet", GridAxes.All).ToList();
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
        var table = TableOf(Rows.Row(1, 0, 1));
        var withoutConfig = new Table(table.Schema.Take(table.Schema.Count - 1).ToList(), table.Columns.Take(table.Columns.Count - 1).ToList());
        var missing = Assert.Throws<ResultsFormatException>(() => ResultTable.Read(withoutConfig, "part-00007.parquet", GridAxes.All).ToList());
        Assert.Contains("part-00007.parquet", missing.Message);
        Assert.Contains("'config'", missing.Message);

        var columns = table.Columns.ToList();
        columns[1] = new string?[] { "exploded" };
        var bad = Assert.Throws<ResultsFormatException>(() => ResultTable.Read(new Table(table.Schema, columns), "p.parquet", GridAxes.All).ToList());
        Assert.Contains("'exploded'", bad.Message);
    }

    [Fact]
    public void A_column_of_another_type_than_the_definition_is_named_with_both_types()
    {
        var table = TableOf(Rows.Row(1, 0, 1));
        var width = table.IndexOf(GridAxes.Width.Name);
        var schema = table.Schema.ToList();
        var columns = table.Columns.ToList();
        schema[width] = new ColumnSchema(GridAxes.Width.Name, ColumnType.Int64, false);
        columns[width] = new long?[] { 4 };
        var e = Assert.Throws<ResultsFormatException>(() => ResultTable.Read(new Table(schema, columns), "p.parquet", GridAxes.All).ToList());
        Assert.Equal("p.parquet: column 'width' is Int64, expected Int32", e.Message);
    }

    [Theory]
    [InlineData("OK")]
    [InlineData("Failed")]
    [InlineData("1")]
    [InlineData("")]
    public void Status_text_is_strict(string text)
    {
        var e = Assert.Throws<ResultsFormatException>(() => ResultTable.ParseStatus(text, "p.parquet", 3));
        Assert.Equal($"p.parquet: row 3: status '{text}', expected ok, diverged, failed, timeout", e.Message);
        foreach (var status in Enum.GetValues<TrialStatus>())
            Assert.Equal(status, ResultTable.ParseStatus(ResultTable.StatusText(status), "p.parquet", 0));
    }

    [Fact]
    public void A_run_folder_without_results_has_no_rows()
    {
        var dir = Directory.CreateTempSubdirectory("analysis-").FullName;
        try { Assert.Empty(ResultsLoader.Load(dir, AnalysisSettings.Load(dir))); }
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
        ParquetFile.WriteAtomic(Path.Combine(results, "part-00000.parquet"), ResultsLoaderTests.TableOf(first));
        ParquetFile.WriteAtomic(Path.Combine(results, "part-00001.parquet"), ResultsLoaderTests.TableOf(second));
        // A writer caught mid-file leaves a temporary name; it must not be read (it would not parse).
        File.WriteAllText(Path.Combine(results, "part-00002.parquet.tmp"), "PAR1 half a file");

        Assert.Equal([first[0], first[1], second[1]], ResultsLoader.Load(runDir, AnalysisSettings.Load(runDir)));

        var (md, _) = ReportWriter.Write(runDir);
        Assert.Contains("3 trials in 1 groups, 1 not ok", File.ReadAllText(md));
    }

    [Fact]
    public void What_the_writer_writes_the_reader_reads_through_one_definition()
    {
        var config = Rows.NonlinearOnOnePlusX1 with
        {
            Hyper = new Hyperparameters { InitScale = 1e-3, Width = 7, WeightDecay = 1e-4, LearningRate = 0.05, SampleSize = 9, Seed = 2 },
        };
        var spec = new TrialSpec(new SweepId("s"), TrialId.For(config), "e1", "e1 width=7", config);
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var ok = new TrialResult(spec, TrialStatus.Diverged, double.NaN, 0.25, 0.5, 12, 3, "f_NL", 1.5, new NodeId("n1"), 2, at, at.AddSeconds(1), "diverged");
        var notRun = TrialResults.NotRun(spec with { Id = new TrialId(new string('a', 32)) }, TrialStatus.Failed, new NodeId("node-a"), 4, "gave up");

        var table = ResultTable.ToTable([ok, notRun], GridAxes.All);
        Assert.Equal(ResultTable.Columns.Select(c => c.Name), table.Schema.Select(c => c.Name));
        var results = Directory.CreateDirectory(Path.Combine(runDir, "results")).FullName;
        ParquetFile.WriteAtomic(Path.Combine(results, "part-00000.parquet"), table);

        var read = ResultsLoader.Load(runDir, AnalysisSettings.Load(runDir));
        Assert.Equal(2, read.Count);
        var row = read[0];
        Assert.Equal((spec.Id.Value, TrialStatus.Diverged, "e1", "e1 width=7", "f_NL", 3, 0.25, (double?)0.5),
            (row.TrialId, row.Status, row.Experiment, row.Group, row.Model, row.ParamCount, row.TestError, row.TestErrorUnobserved));
        Assert.Equal(Rows.Axes(config.Hyper), row.Axes);
        Assert.Equal((9, 2), (row.SampleSize, row.Seed));
        Assert.Equal(CanonicalJson.Of(config), row.ConfigJson);
        Assert.Equal((TrialStatus.Failed, 0), (read[1].Status, read[1].ParamCount));
        Assert.True(double.IsNaN(read[1].TestError));
    }
}
