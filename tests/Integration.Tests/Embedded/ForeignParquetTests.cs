using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Training;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>
/// Results that another tool rewrote (DuckDB with ZSTD and version-2 encodings) or wrote (polars) are read as they are:
/// the rows, `sweep report` and `sweep inspect` work on them as on the files `sweep run` writes.
/// </summary>
public sealed class ForeignParquetTests
{
    private static string Fixture(string name) => EmbeddedSweepTests.RepoFile(Path.Combine("tests", "Parquet.Tests", "fixtures", name));

    [Fact]
    public void A_results_file_rewritten_by_duckdb_reads_as_the_rows_sweep_run_wrote()
    {
        var original = Fixture("results_sweep_run.parquet");
        var rewritten = Fixture("results_duckdb_v2_zstd.parquet");

        var expected = ResultTable.Read(ParquetFile.Read(original), original, GridAxes.All).ToList();
        var actual = ResultTable.Read(ParquetFile.Read(rewritten), rewritten, GridAxes.All).ToList();

        Assert.Equal(16, expected.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Sweep_report_works_on_a_run_folder_whose_parts_duckdb_rewrote_and_inspect_reads_polars_files()
    {
        using var dir = new TempDir();
        var original = Path.Combine(dir.Path, "original");
        var rewritten = Path.Combine(dir.Path, "rewritten");
        foreach (var (run, fixture) in new[] { (original, "results_sweep_run.parquet"), (rewritten, "results_duckdb_v2_zstd.parquet") })
        {
            Directory.CreateDirectory(RunLayout.Results(run));
            File.Copy(Fixture(fixture), Path.Combine(RunLayout.Results(run), "part-00000.parquet"));
            var (code, output) = SweepCli.Run("report", run);
            Assert.True(code == 0, output);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(original, RunLayout.ReportMarkdown)).Replace("original", "X", StringComparison.Ordinal),
            File.ReadAllText(Path.Combine(rewritten, RunLayout.ReportMarkdown)).Replace("rewritten", "X", StringComparison.Ordinal));

        var (inspect, text) = SweepCli.Run("inspect", Fixture("foreign_polars.parquet"));
        Assert.True(inspect == 0, text);
        Assert.Contains("5000 rows", text, StringComparison.Ordinal);
        Assert.Contains("ts: TIMESTAMP(MICROS,UTC)", text, StringComparison.Ordinal);
    }
}
