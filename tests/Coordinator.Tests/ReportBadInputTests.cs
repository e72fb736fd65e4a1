using System.CommandLine;
using SweepCluster.Coordinator.Commands;
using SweepCluster.Hosting;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Tests;

/// <summary>`sweep report` on a run folder whose files are not what `sweep run` writes: exit 2 naming the file.</summary>
public sealed class ReportBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweep-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Error)> Report()
    {
        var error = new StringWriter();
        var code = await Cli.InvokeAsync(new RootCommand("sweep") { ReportCommand.Create() }, ["report", _dir], new StringWriter(), error);
        return (code, error.ToString());
    }

    [Theory]
    [InlineData("{ \"threshold\": ")]
    [InlineData("{ \"threshold\": -1, \"quorum\": 0.5 }")]
    [InlineData("{ \"colour\": \"red\" }")]
    [InlineData("null")]
    public async Task ABrokenAnalysisJsonIsBadInputNamingIt(string json)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "results"));
        var settings = Path.Combine(_dir, "analysis.json");
        await File.WriteAllTextAsync(settings, json);
        var (code, error) = await Report();
        Assert.True(code == Cli.BadInput, error);
        Assert.StartsWith(settings + ":", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultsLackingAColumnAreBadInputNamingTheFile()
    {
        var part = Path.Combine(_dir, "results", "part-00000.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(part)!);
        ParquetFile.WriteAtomic(part, new Table(
            [new(ResultColumns.TrialId, ColumnType.String, false), new(ResultColumns.Status, ColumnType.String, false)],
            [new string?[] { "a" }, new string?[] { "ok" }]));
        var (code, error) = await Report();
        Assert.True(code == Cli.BadInput, error);
        Assert.StartsWith(part + ":", error, StringComparison.Ordinal);
        Assert.Contains("no column", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFolderWithoutResultsIsBadInput()
    {
        var (code, error) = await Report();
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains("not a run folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownStatusIsBadInputWhenResumingNotAFailedTrial()
    {
        // The lenient reading this replaces took any unknown text for `failed`, so --retry-failed would rerun it.
        var part = Path.Combine(_dir, "results", "part-00003.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(part)!);
        ParquetFile.WriteAtomic(part, new Table(
            [new(ResultColumns.TrialId, ColumnType.String, false), new(ResultColumns.Status, ColumnType.String, false)],
            [new string?[] { "a", "b" }, new string?[] { "ok", "exploded" }]));
        var e = Assert.Throws<Analysis.ResultsFormatException>(() => Runs.RunFolder.ForReading(_dir).ReadRecorded());
        Assert.Equal($"{part}: row 1: status 'exploded', expected ok, diverged, failed, timeout", e.Message);
    }
}
