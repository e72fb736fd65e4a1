using System.Globalization;
using Spectre.Console;
using SweepCluster.Analysis;

namespace SweepCluster.Coordinator.Commands;

/// <summary>The end of a run and `sweep report`: the estimate table on the console, report.md and report.html on disk.</summary>
internal static class EstimateOutput
{
    /// <summary>Reads the part files once and estimates once; the report is written from the same rows and estimates.</summary>
    public static void PrintAndReport(string runDir)
    {
        var settings = AnalysisSettings.Load(runDir);
        var rows = ResultsLoader.Load(runDir);
        var estimates = Estimator.Estimate(rows, settings);
        var table = new Table().Title($"Empirical optimistic sample size (test error ≤ {settings.Threshold:G3} on ≥ {settings.Quorum:P0} of seeds)")
            .AddColumn("group").AddColumn("model").AddColumn(new TableColumn("empirical").RightAligned())
            .AddColumn(new TableColumn("theory").RightAligned()).AddColumn(new TableColumn("params").RightAligned());
        foreach (var e in estimates)
            table.AddRow(Markup.Escape(e.Group), Markup.Escape(e.ModelDescription),
                e.EmpiricalSize?.ToString(CultureInfo.InvariantCulture) ?? "not reached",
                e.TheoreticalSize?.ToString(CultureInfo.InvariantCulture) ?? "-",
                e.ParamCount.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        var (md, html) = ReportWriter.Write(runDir, rows, settings, estimates);
        Console.WriteLine($"report: {md} and {html}");
    }
}
