using System.Globalization;
using Spectre.Console;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.SweepFiles;

namespace SweepCluster.Coordinator.Commands;

/// <summary>The end of a run and `sweep report`: the estimate table on the console, report.md and report.html on disk.</summary>
internal static class EstimateOutput
{
    /// <summary>Reads the part files once and estimates once; the report is written from the same rows and estimates.</summary>
    public static void PrintAndReport(string runDir)
    {
        var settings = AnalysisSettings.Load(runDir);
        var rows = ResultsLoader.Load(runDir, settings);
        var estimates = Estimator.Estimate(rows, settings);
        var searches = settings.Search == SearchMode.Adaptive ? Searches(runDir, rows, settings) : null;
        var table = new Table().Title($"Empirical optimistic sample size (test error ≤ {settings.Threshold:G3} on ≥ {settings.Quorum:P0} of seeds)")
            .AddColumn("group").AddColumn("model").AddColumn(new TableColumn("empirical").RightAligned())
            .AddColumn(new TableColumn("theory").RightAligned()).AddColumn(new TableColumn("params").RightAligned());
        if (searches is not null) table.AddColumn(new TableColumn("probed n").RightAligned()).AddColumn("search");
        foreach (var e in estimates)
        {
            var cells = new List<string>
            {
                Markup.Escape(e.Group), Markup.Escape(e.ModelDescription),
                e.EmpiricalSize?.ToString(CultureInfo.InvariantCulture) ?? "not reached",
                e.TheoreticalSize?.ToString(CultureInfo.InvariantCulture) ?? "-",
                e.ParamCount.ToString(CultureInfo.InvariantCulture),
            };
            if (searches is not null)
            {
                var s = searches.GetValueOrDefault(e.Group);
                cells.Add(s is null ? "-" : $"{s.Probed.Count}/{s.Probed.Count + s.Skipped.Count}");
                cells.Add(s is null ? "-" : s.NonMonotoneAt is { } at ? $"not monotone (fails again at {at})" : s.Done ? "done" : "probing");
            }
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        var (md, html) = ReportWriter.Write(runDir, rows, settings, estimates, searches);
        Console.WriteLine($"report: {md} and {html}");
    }

    /// <summary>
    /// Each group's adaptive search, replayed from the sweep's plan (the run folder's copy of its sweep file) and the
    /// recorded rows by the same code the coordinator decides with; null when the run folder has no copy.
    /// </summary>
    internal static IReadOnlyDictionary<string, SearchState>? Searches(string runDir, IReadOnlyList<ResultRecord> rows, AnalysisSettings settings)
    {
        var copy = Path.Combine(runDir, RunLayout.SweepCopy);
        if (!File.Exists(copy)) return null;
        return GroupSearch.ReplayAll(TrialPlanner.Expand(SweepFileParser.Load(copy, RunLayout.ProgramCopy(runDir))), rows, settings);
    }
}
