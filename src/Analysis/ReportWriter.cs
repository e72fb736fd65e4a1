using System.Globalization;
using System.Net;
using System.Text;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis;

public static class ReportWriter
{
    /// <summary>
    /// Writes report.md (with its plots as report-plots/*.svg) and a self-contained report.html into the run folder
    /// from whatever results are there, so it also works on a sweep that is still running.
    /// </summary>
    public static (string MarkdownPath, string HtmlPath) Write(string runDir)
    {
        var settings = AnalysisSettings.Load(runDir);
        var rows = ResultsLoader.Load(runDir, settings);
        return Write(runDir, rows, settings, Estimator.Estimate(rows, settings));
    }

    /// <summary>The same from rows and estimates the caller already has (the end of a run prints them first).</summary>
    /// <param name="searches">
    /// For an adaptive sweep, each group's search state (<see cref="GroupSearch.ReplayAll"/> over the sweep's planned
    /// trials), by group key: the report then says per group which n were probed and skipped and the bracket, and its
    /// heatmaps keep a column for every n of the grid. Null for a grid sweep, or when the plan is not at hand.
    /// </param>
    public static (string MarkdownPath, string HtmlPath) Write(
        string runDir, IReadOnlyList<ResultRecord> rows, AnalysisSettings settings, IReadOnlyList<GroupEstimate> estimates,
        IReadOnlyDictionary<string, SearchState>? searches = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(estimates);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir)));
        var blocks = Build(name, rows, estimates, settings, searches);

        var plotDir = Path.Combine(runDir, RunLayout.ReportPlots);
        Directory.CreateDirectory(plotDir);
        foreach (var figure in blocks.OfType<Figure>())
            AtomicFile.WriteAllText(Path.Combine(plotDir, figure.File), figure.Svg);

        var markdown = Path.Combine(runDir, RunLayout.ReportMarkdown);
        var html = Path.Combine(runDir, RunLayout.ReportHtml);
        AtomicFile.WriteAllText(markdown, ToMarkdown(blocks));
        AtomicFile.WriteAllText(html, ToHtml(name, blocks));
        return (markdown, html);
    }

    // The report as a list of blocks, so that Markdown and HTML say exactly the same things.
    private abstract record Block;
    private sealed record Heading(int Level, string Text) : Block;
    private sealed record Paragraph(string Text) : Block;
    private sealed record TableBlock(string[] Header, List<string[]> Rows) : Block;
    private sealed record Figure(string File, string Caption, string Svg) : Block;

    private static List<Block> Build(
        string name, IReadOnlyList<ResultRecord> rows, IReadOnlyList<GroupEstimate> estimates, AnalysisSettings settings,
        IReadOnlyDictionary<string, SearchState>? searches)
    {
        var error = settings.UseUnobservedError ? "test error on the unobserved entries (all entries where a trial has none)" : "test error";
        var blocks = new List<Block>
        {
            new Heading(1, $"Sweep report: {name}"),
            new Paragraph($"{rows.Count} trials in {estimates.Count} groups, {rows.Count(r => r.Status != TrialStatus.Ok)} not ok; " +
                $"written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. A sweep still running is reported on the trials finished so far."),
            new Paragraph($"**Empirical optimistic size**: the smallest sample size n such that, at n and at every larger n of the grid, " +
                $"the best hyperparameter setting reaches {error} ≤ {Num(settings.Threshold)} on at least {settings.Quorum:0.##%} of its seeds " +
                $"(threshold {Num(settings.Threshold)}, quorum {settings.Quorum.ToString("0.##", CultureInfo.InvariantCulture)}). " +
                "The best setting at an n has the highest success rate, ties going to the lowest median error; trials that diverged, " +
                "failed or timed out count as failed seeds. **Theory** is the optimistic size from the papers' formulas (— where none applies); " +
                "**params** is the parameter count of the largest model in the group."),
            new TableBlock(["group", "experiment", "model", "target", "trials (not ok)", "empirical", "theory", "params", "empirical/theory", "empirical/params"],
                estimates.Select(e => new[]
                {
                    e.Group, e.Experiment, e.ModelDescription, e.TargetDescription, $"{e.Trials} ({e.FailedTrials})",
                    Opt(e.EmpiricalSize), Opt(e.TheoreticalSize), Int(e.ParamCount), Ratio(e.EmpiricalOverTheoretical), Ratio(e.EmpiricalOverParams),
                }).ToList()),
        };
        if (estimates.Count > 0)
            blocks.Add(new Figure("overview.svg", "Empirical and theoretical optimistic size and parameter count per group",
                Plots.Overview("optimistic sample size and parameter count per group",
                    estimates.Select(e => (e.Group, e.EmpiricalSize, e.TheoreticalSize, e.ParamCount)).ToList())));
        if (settings.Search == SearchMode.Adaptive)
            blocks.AddRange(SearchSummary(estimates, searches));

        // Matrix completion has two test errors and the papers do not say which they mean: give the other estimate too.
        var otherError = settings with { UseUnobservedError = !settings.UseUnobservedError };
        var withUnobserved = rows.Where(r => r.TestErrorUnobserved is not null).ToList();
        var other = withUnobserved.Count == 0 ? [] : Estimator.Estimate(withUnobserved, otherError).ToDictionary(e => e.Group);

        for (var g = 0; g < estimates.Count; g++)
        {
            var e = estimates[g];
            blocks.Add(new Heading(2, e.Group.StartsWith(e.Experiment, StringComparison.Ordinal) ? e.Group : $"{e.Experiment}: {e.Group}"));
            var alternative = other.TryGetValue(e.Group, out var o)
                ? $" Judged by the error on {(otherError.UseUnobservedError ? "the unobserved entries" : "all entries")} instead, the empirical size is {Opt(o.EmpiricalSize)}."
                : "";
            blocks.Add(new Paragraph($"Model {e.ModelDescription}; target {e.TargetDescription}. Empirical optimistic size {Opt(e.EmpiricalSize)}, " +
                $"theory {Opt(e.TheoreticalSize)}, parameter count {Int(e.ParamCount)}; theory/params {Ratio(e.TheoreticalOverParams)}.{alternative}"));
            blocks.Add(new TableBlock(["n", "best setting", "success", "median error", "seeds", "recovered"],
                e.Rows.Select(r => new[]
                {
                    Int(r.SampleSize), r.BestSetting.ToString(), $"{r.Best.Successes}/{r.Seeds} ({r.SuccessRate:0%})",
                    Num(r.MedianTestError), Int(r.Seeds), r.Recovered ? "yes" : "no",
                }).ToList()));

            var search = searches?.GetValueOrDefault(e.Group);
            if (search is not null) blocks.AddRange(SearchDetails(search));

            // An adaptive sweep's heatmaps keep a column for every n of the grid: the skipped ones stay empty.
            var ns = search is null ? e.Rows.Select(r => r.SampleSize).ToList() : search.Probed.Concat(search.Skipped).Order().ToList();
            Func<int, string> empty = search is null ? _ => "no trials yet" : n => search.Skipped.Contains(n) ? "skipped by the search" : "no trials yet";
            // An axis with one value (a width of 0 for models without one, a fixed learning rate) has nothing to
            // show, unless no axis has more: then the first still shows the error over n.
            var tunable = settings.Axes.Where(a => a.Tunable).ToList();
            var varied = tunable.Where(a => e.Settings.Select(s => s.Setting[a]).Distinct().Skip(1).Any()).ToList();
            foreach (var axis in varied.Count > 0 ? varied : tunable.Take(1))
                blocks.Add(HeatmapOver(g, e, ns, axis, empty));
            var markers = new List<(double, string, string)> { (e.ParamCount, $"params {e.ParamCount}", "#d62728") };
            if (e.TheoreticalSize is { } t) markers.Add((t, $"theory {t}", "#2ca02c"));
            if (e.EmpiricalSize is { } m) markers.Add((m, $"empirical {m}", "#9467bd"));
            blocks.Add(new Figure($"{g + 1}-success.svg", "Success rate of the best setting against n",
                Plots.LinePlot("success rate of the best setting", "success rate", e.Rows.Select(r => (r.SampleSize, r.SuccessRate)).ToList(), settings.Quorum, markers)));
        }
        return blocks;
    }

    /// <summary>The adaptive search across groups: one row per group, and what adaptive search means for the estimate.</summary>
    private static IEnumerable<Block> SearchSummary(IReadOnlyList<GroupEstimate> estimates, IReadOnlyDictionary<string, SearchState>? searches)
    {
        yield return new Heading(2, "Adaptive search");
        if (searches is null)
        {
            yield return new Paragraph("This sweep searched sample sizes adaptively, but its plan (sweep.yaml in the run folder) was not at hand: " +
                "which n were probed and skipped is not shown; the estimates above are over the recorded rows all the same.");
            yield break;
        }
        yield return new Paragraph("Per group, the sweep trained every tuned setting × seed at the sample sizes its search **probed** " +
            "(the largest n, a bisection for the boundary of recovery, then a check of the next sizes above it) and **skipped** the others. " +
            "The estimate is the same definition over the probed n, and equals the full grid's whenever recovery does not fall again as n grows " +
            "among skipped n. The **bracket** is the last n that failed and the first n that recovered above it.");
        yield return new TableBlock(["group", "probed", "skipped", "last failed", "first recovered", "search"],
            estimates.Where(e => searches.ContainsKey(e.Group)).Select(e =>
            {
                var s = searches[e.Group];
                return new[]
                {
                    e.Group, $"{s.Probed.Count} of {s.Probed.Count + s.Skipped.Count}", Int(s.Skipped.Count), Opt(s.LastFailed), Opt(s.FirstRecovered),
                    s.NonMonotoneAt is { } at ? $"not monotone: failed again at n = {Int(at)}{(s.Done ? "" : "; still probing")}" : s.Done ? "done" : $"probing n = {Sizes(s.Next)}",
                };
            }).ToList());
    }

    /// <summary>One group's search: which n were probed and skipped, the bracket, and a note when recovery fell again.</summary>
    private static IEnumerable<Block> SearchDetails(SearchState s)
    {
        var bracket = (s.LastFailed, s.FirstRecovered) switch
        {
            ({ } f, { } r) => $"the estimate lies in the bracket: last n that failed {Int(f)}, first n that recovered {Int(r)}",
            (null, { } r) when s.Done => $"it recovered at every probed n, down to the smallest of the grid ({Int(r)})",
            (null, { } r) => $"no probed n has failed yet; the smallest that recovered is {Int(r)}",
            ({ } f, null) => $"it did not recover at the largest n probed ({Int(f)}), so no n of the grid can be the estimate",
            _ => "nothing has been decided yet",
        };
        yield return new Paragraph($"**Adaptive search**{(s.Done ? "" : $" (still probing n = {Sizes(s.Next)})")}: probed n = {Sizes(s.Probed)} " +
            $"({s.Probed.Count} of {s.Probed.Count + s.Skipped.Count}); skipped n = {Sizes(s.Skipped)}; {bracket}.");
        if (s.NonMonotoneAt is { } at)
            yield return new Paragraph($"**Recovery falls again as n grows**: the best setting recovered at a smaller n but not at n = {Int(at)}. " +
                "Recovery is not monotone in n here, so the search did not trust the bisection: it probed every n above the highest failure " +
                "it found, as the full grid's definition needs, so the estimate is the full grid's: every n it skipped lies below that failure.");
    }

    /// <summary>Sample sizes ascending, runs of consecutive integers written as a range: 1–4, 9, 11–19.</summary>
    internal static string Sizes(IReadOnlyList<int> sizes)
    {
        if (sizes.Count == 0) return "none";
        var parts = new List<string>();
        var sorted = sizes.Order().ToList();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? Int(sorted[i]) : j == i + 1 ? $"{Int(sorted[i])}, {Int(sorted[j])}" : $"{Int(sorted[i])}–{Int(sorted[j])}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }

    private static Figure HeatmapOver(int g, GroupEstimate e, List<int> ns, GridAxis axis, Func<int, string> empty)
    {
        var values = e.Settings.Select(s => s.Setting[axis]).Distinct().Order().ToList();
        // Best over the other hyperparameters of the median over seeds, as in the papers' figures.
        var best = e.Settings.GroupBy(s => (s.SampleSize, s.Setting[axis])).ToDictionary(c => c.Key, c => c.Min(s => s.MedianTestError));
        return new Figure($"{g + 1}-{axis.Short}.svg", $"log10 median test error over sample size × {axis.Label}",
            Plots.Heatmap($"log10 test error, best over other hyperparameters: n × {axis.Label}", axis.Label, ns, values,
                (n, v) => best.TryGetValue((n, v), out var error) ? error : null, empty));
    }

    private static string ToMarkdown(List<Block> blocks)
    {
        var md = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h: md.Append('#', h.Level).Append(' ').AppendLine(h.Text); break;
                case Paragraph p: md.AppendLine(p.Text); break;
                case TableBlock t:
                    md.AppendLine(Row(t.Header)).AppendLine(Row(t.Header.Select(_ => "---")));
                    foreach (var r in t.Rows) md.AppendLine(Row(r));
                    break;
                case Figure f: md.AppendLine($"![{f.Caption}](report-plots/{f.File})"); break;
            }
            md.AppendLine();
        }
        return md.ToString();

        static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |";
    }

    private static string ToHtml(string name, List<Block> blocks)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E($"Sweep report: {name}")).Append("</title><style>")
            .Append("body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px;text-align:left}th{background:#f3f3f3}")
            .Append("figure{display:inline-block;margin:0.5em 1em 0.5em 0}figcaption{font-size:12px;color:#555}")
            .AppendLine("</style></head><body>");
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h: html.Append($"<h{h.Level}>").Append(E(h.Text)).AppendLine($"</h{h.Level}>"); break;
                // The only Markdown in paragraphs is **bold**.
                case Paragraph p:
                    var parts = E(p.Text).Split("**");
                    html.Append("<p>").AppendJoin("", parts.Select((s, i) => i % 2 == 1 ? $"<strong>{s}</strong>" : s)).AppendLine("</p>");
                    break;
                case TableBlock t:
                    html.Append("<table><tr>").AppendJoin("", t.Header.Select(c => $"<th>{E(c)}</th>")).Append("</tr>");
                    foreach (var r in t.Rows) html.Append("<tr>").AppendJoin("", r.Select(c => $"<td>{E(c)}</td>")).Append("</tr>");
                    html.AppendLine("</table>");
                    break;
                case Figure f: html.Append("<figure>").Append(f.Svg).Append("<figcaption>").Append(E(f.Caption)).AppendLine("</figcaption></figure>"); break;
            }
        }
        return html.AppendLine("</body></html>").ToString();

        static string E(string s) => WebUtility.HtmlEncode(s);
    }

    private static string Num(double v) => double.IsPositiveInfinity(v) ? "failed" : v.ToString("0.##e+0", CultureInfo.InvariantCulture);
    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Opt(int? v) => v is { } x ? Int(x) : "—";
    private static string Ratio(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "—";
}
