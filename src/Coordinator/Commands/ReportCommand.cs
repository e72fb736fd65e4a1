using System.CommandLine;
using SweepCluster.Analysis;
using SweepCluster.GpuNode;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep report DIR`: the estimate table and report.md/report.html, also for a sweep still running.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "a run folder, e.g. runs/quickstart" };
        var command = new Command("report", "print the estimates and write report.md and report.html") { dir };
        command.SetAction(p => Report(p.GetValue(dir)!));
        return command;
    }

    private static int Report(string dir)
    {
        if (!Directory.Exists(Path.Combine(dir, "results")))
            throw new ResultsFormatException(dir, "not a run folder (it has no results/ folder); expected a folder made by `sweep run`, e.g. runs/<name>");
        EstimateOutput.PrintAndReport(dir);
        return Cli.Ok;
    }
}
