using System.Text.RegularExpressions;
using SweepCluster.Analysis;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly string runDir = Directory.CreateTempSubdirectory("report-").FullName;

    public void Dispose() => Directory.Delete(runDir, true);

    /// <summary>The report of rows estimated as the end of a run does it: once, then handed to the writer.</summary>
    internal static (string MarkdownPath, string HtmlPath) Write(string runDir, IReadOnlyList<ResultRecord> rows, AnalysisSettings settings) =>
        ReportWriter.Write(runDir, rows, settings, Estimator.Estimate(rows, settings));

    private static readonly TrialConfig M1 = TheoryTests.Config(new ModelSpec { Kind = ModelKind.MatrixFactorization },
        new TargetSpec { Kind = TargetKind.Matrix, Matrix = [[1, 0.3, 0.7, -0.4], [2, 0.6, 1.4, -0.8], [4, 1.2, 2.8, -1.6], [7, 2.1, 4.9, -2.8]] }, 4);

    /// <summary>
    /// An E2-like sweep on M1 (theory 7): small inits recover from n = 7, init 1e-1 only at n = 16 (as E3 reports),
    /// plus a group that never recovers and has diverged trials.
    /// </summary>
    internal static List<ResultRecord> SyntheticSweep(int maxN = 16)
    {
        var rows = new List<ResultRecord>();
        foreach (var n in Enumerable.Range(1, maxN))
            foreach (var init in new[] { 1e-1, 1e-3, 1e-5 })
                foreach (var width in new[] { 4, 8 })
                    foreach (var seed in Enumerable.Range(0, 3))
                    {
                        var recovers = (init <= 1e-3 && n >= 7) || n == 16;
                        var error = recovers ? 1e-10 * (seed + 1) : Math.Pow(10, -n / 4.0) * width / 4;
                        rows.Add(Rows.Row(n, seed, error, init, width, group: "M1", paramCount: 8 * width, config: M1));
                        rows.Add(Rows.Row(n, seed, seed == 0 ? double.NaN : 0.5, init, width, group: "stuck", paramCount: 8 * width,
                            status: seed == 0 ? TrialStatus.Diverged : TrialStatus.Ok, config: M1));
                    }
        return rows;
    }

    [Fact]
    public void Report_states_the_definition_estimates_and_per_n_best_settings()
    {
        var (mdPath, htmlPath) = ReportTests.Write(runDir, SyntheticSweep(), new AnalysisSettings(Threshold: 1e-8, Quorum: 0.6));
        var md = File.ReadAllText(mdPath);

        Assert.Contains("threshold 1e-8", md);
        Assert.Contains("quorum 0.6", md);
        Assert.Contains("every larger n", md);
        Assert.Contains("\n## e1: M1\n", md);
        // group | experiment | model | target | trials (not ok) | empirical | theory | params | ratios
        Assert.Contains("| M1 | e1 | f_NL | 1+x1 | 288 (0) | 7 | 7 | 64 | 1 | 0.109 |", md);
        Assert.Contains("| stuck | e1 | f_NL | 1+x1 | 288 (96) | — | 7 | 64 | — | — |", md);
        // At n = 6 nothing recovers: the best has the lowest median error, width 4; equal inits go to the smallest.
        Assert.Contains("| 6 | init 1e-05, width 4, wd 0, lr 0.05 | 0/3 (0%) | 3.16e-2 | 3 | no |", md);
        Assert.Contains("| 7 | init 1e-05, width 4, wd 0, lr 0.05 | 3/3 (100%) | 2e-10 | 3 | yes |", md);
        Assert.Contains("![log10 median test error over sample size × init scale](report-plots/1-init.svg)", md);
        foreach (var plot in new[] { "overview", "1-init", "1-width", "1-success", "2-init", "2-width", "2-success" })
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(runDir, "report-plots", plot + ".svg")));

        var html = File.ReadAllText(htmlPath);
        Assert.Equal(7, Regex.Count(html, "<svg ")); // the overview and three per group
        Assert.Contains("<strong>Empirical optimistic size</strong>", html);
        Assert.Contains("theory 7", html);
        Assert.Contains("params 64", html);
        // Self-contained: nothing to fetch and nothing to run.
        Assert.DoesNotMatch("<script|<link|src=|href=|url\\(", html);
    }

    [Fact]
    public void Heatmap_cells_are_the_best_median_over_the_other_hyperparameters()
    {
        ReportTests.Write(runDir, SyntheticSweep(), new AnalysisSettings());
        var svg = File.ReadAllText(Path.Combine(runDir, "report-plots", "1-width.svg"));
        // n = 16 recovers everywhere: the median over seeds is 2e-10 at every width.
        Assert.Contains("n = 16, width = 8: 2e-10", svg);
        // n = 4 never recovers; width 8 errs twice as much as width 4 whatever the init.
        Assert.Contains("n = 4, width = 4: 0.1", svg);
        Assert.Contains("n = 4, width = 8: 0.2", svg);
    }

    [Fact]
    public void Matrix_completion_groups_also_state_the_estimate_by_the_other_test_error()
    {
        // All-entry error recovers from n = 5, the unobserved-entry error only from n = 6.
        var rows = Enumerable.Range(1, 6).SelectMany(n => Enumerable.Range(0, 2).Select(s =>
            Rows.Row(n, s, n >= 5 ? 1e-9 : 1, width: 0, group: "mc", config: M1, unobserved: n >= 6 ? 1e-9 : 1))).ToList();
        rows.AddRange(Rows.Seeds(1, 2, 2, group: "vector").Select(r => r with { Axes = Rows.WithAxis(r.Axes, GridAxes.Width, 0) }));

        var md = File.ReadAllText(ReportTests.Write(runDir, rows, new AnalysisSettings()).MarkdownPath);
        Assert.Contains("Empirical optimistic size 5, theory 7, parameter count 4; theory/params 1.75. Judged by the error on the unobserved entries instead, the empirical size is 6.", md);
        Assert.Single(Regex.Matches(md, "Judged by the error"));
        // Neither group's model has a width: no width heatmap.
        Assert.DoesNotContain("width.svg", md);
        Assert.Contains("init.svg", md);

        md = File.ReadAllText(ReportTests.Write(runDir, rows, new AnalysisSettings(UseUnobservedError: true)).MarkdownPath);
        Assert.Contains("Empirical optimistic size 6, theory 7, parameter count 4; theory/params 1.75. Judged by the error on all entries instead, the empirical size is 5.", md);
    }

    [Fact]
    public void A_sweep_still_running_gets_a_report_of_what_is_there()
    {
        var partial = SyntheticSweep(maxN: 3).Where(r => r.Group == "M1" && r.Seed < 2).ToList();
        var (mdPath, _) = ReportTests.Write(runDir, partial, new AnalysisSettings());
        var md = File.ReadAllText(mdPath);
        Assert.Contains("36 trials in 1 groups", md);
        Assert.Contains("| M1 | e1 | f_NL | 1+x1 | 36 (0) | — | 7 |", md);
    }

    [Fact]
    public void A_group_named_after_its_variant_is_not_named_twice()
    {
        var rows = Rows.Seeds(1, 2, 2, group: "M1 (rank 1) width=0").Select(r => r with { Experiment = "M1 (rank 1)" }).ToList();
        var md = File.ReadAllText(ReportTests.Write(runDir, rows, new AnalysisSettings()).MarkdownPath);
        Assert.Contains("\n## M1 (rank 1) width=0\n", md);
    }

    [Fact]
    public void The_public_entry_point_reports_an_empty_run_folder()
    {
        new AnalysisSettings(Threshold: 1e-7).Save(runDir);
        var (mdPath, htmlPath) = ReportWriter.Write(runDir);
        Assert.Contains("0 trials in 0 groups", File.ReadAllText(mdPath));
        Assert.Contains("threshold 1e-7", File.ReadAllText(htmlPath));
    }

    [Fact]
    public void The_overview_places_every_groups_empirical_and_theoretical_size_and_parameter_count()
    {
        var md = File.ReadAllText(ReportTests.Write(runDir, SyntheticSweep(), new AnalysisSettings()).MarkdownPath);
        Assert.Contains("![Empirical and theoretical optimistic size and parameter count per group](report-plots/overview.svg)", md);
        var svg = File.ReadAllText(Path.Combine(runDir, "report-plots", "overview.svg"));
        Assert.Contains("<title>M1: empirical optimistic size 7</title>", svg);
        Assert.Contains("<title>M1: theoretical optimistic size 7</title>", svg);
        Assert.Contains("<title>M1: 64 parameters</title>", svg);
        // "stuck" never recovers: no circle, a dash in its column.
        Assert.DoesNotContain("stuck: empirical", svg);
        Assert.Contains("<title>stuck: theoretical optimistic size 7</title>", svg);
        Assert.Contains(">—</text>", svg);
        // One log axis from 1e0 to 1e2 holds sizes of 7 and 64 parameters; equal values sit at the same height.
        Assert.Contains(">1e0</text>", svg);
        Assert.Contains(">1e2</text>", svg);
        var circleY = Regex.Match(svg, "<circle cx=\"[0-9.]+\" cy=\"([0-9.]+)\"").Groups[1].Value;
        var squareY = double.Parse(Regex.Match(svg, "<rect x=\"[0-9.]+\" y=\"([0-9.]+)\" width=\"10\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(double.Parse(circleY, System.Globalization.CultureInfo.InvariantCulture), squareY + 5, 0.11);
        // A grid sweep says nothing about a search.
        Assert.DoesNotContain("Adaptive search", md);
        Assert.DoesNotContain("probed", md);
    }

    private static readonly AnalysisSettings Adaptive = new(Search: SearchMode.Adaptive);

    private (string Markdown, string Html) WriteSearch(Func<int, bool>? recovers = null)
    {
        var plan = GroupSearchTests.Plan();
        var (_, recorded) = GroupSearchTests.Drive(plan, recovers);
        var (md, html) = ReportWriter.Write(runDir, recorded, Adaptive, Estimator.Estimate(recorded, Adaptive), GroupSearch.ReplayAll(plan, recorded, Adaptive));
        return (File.ReadAllText(md), File.ReadAllText(html));
    }

    [Fact]
    public void An_adaptive_sweep_reports_per_group_the_probed_and_skipped_n_and_the_bracket()
    {
        var (md, html) = WriteSearch();
        Assert.Contains("\n## Adaptive search\n", md);
        // group | probed | skipped | last failed | first recovered | search
        Assert.Contains("| g | 7 of 20 | 13 | 6 | 7 | done |", md);
        Assert.Contains("**Adaptive search**: probed n = 5–10, 20 (7 of 20); skipped n = 1–4, 11–19; " +
            "the estimate lies in the bracket: last n that failed 6, first n that recovered 7.", md);
        Assert.DoesNotContain("falls again", md);
        Assert.Contains("<strong>Adaptive search</strong>: probed n = 5–10, 20", html);
        // The per-n table has the probed n only; the estimate is the full grid's.
        Assert.Contains("| g | e1 | f_NL | 1+x1 | 42 (0) | 7 | 2 |", md);
        Assert.DoesNotContain("\n| 11 |", md);
    }

    [Fact]
    public void An_adaptive_sweeps_heatmaps_keep_an_empty_column_for_each_skipped_n()
    {
        WriteSearch();
        var svg = File.ReadAllText(Path.Combine(runDir, "report-plots", "1-lr.svg"));
        // 20 sample sizes × 2 learning rates, the 13 skipped ones grey and saying so.
        Assert.Equal(40, Regex.Count(svg, "<title>n = "));
        Assert.Equal(26, Regex.Count(svg, ": skipped by the search</title>"));
        Assert.Contains("<title>n = 11, learning rate = 0.1: skipped by the search</title>", svg);
        Assert.Contains("<title>n = 7, learning rate = 0.1: 1e-10</title>", svg);
        Assert.Contains("<title>n = 6, learning rate = 0.05: 0.01</title>", svg);
        // Only the learning rate varies in the group: no other heatmap.
        Assert.False(File.Exists(Path.Combine(runDir, "report-plots", "1-init.svg")));
    }

    [Fact]
    public void Recovery_falling_again_as_n_grows_is_stated_plainly()
    {
        var (md, _) = WriteSearch(n => n >= 7 && n != 9);
        Assert.Contains("| g | ", md);
        Assert.Contains("| 9 | 10 | not monotone: failed again at n = 9 |", md);
        Assert.Contains("**Recovery falls again as n grows**: the best setting recovered at a smaller n but not at n = 9.", md);
        Assert.Contains("so the estimate is the full grid's", md);
        Assert.Contains("| g | e1 | f_NL | 1+x1 |", md);
        Assert.Contains(" | 10 | 2 |", md); // empirical 10, theory 2: the full grid's estimate
        Assert.Contains("last n that failed 9, first n that recovered 10.", md);
    }

    [Fact]
    public void A_search_still_running_says_which_n_it_probes_next()
    {
        var plan = GroupSearchTests.Plan();
        // The top probe is recorded; the bisection's first probe (n = 10) is half recorded.
        var recorded = plan.Where(t => t.Config.Hyper.SampleSize == 20).Concat(plan.Where(t => t.Config.Hyper.SampleSize == 10).Take(3))
            .Select(t => GroupSearchTests.Result(t)).ToList();
        var md = File.ReadAllText(ReportWriter.Write(runDir, recorded, Adaptive, Estimator.Estimate(recorded, Adaptive), GroupSearch.ReplayAll(plan, recorded, Adaptive)).MarkdownPath);
        Assert.Contains("| g | 1 of 20 | 19 | — | 20 | probing n = 10 |", md);
        Assert.Contains("**Adaptive search** (still probing n = 10): probed n = 20 (1 of 20); skipped n = 1–19; " +
            "no probed n has failed yet; the smallest that recovered is 20.", md);
    }

    [Fact]
    public void A_group_recovering_at_every_n_and_one_never_recovering_say_so()
    {
        var (always, _) = WriteSearch(_ => true);
        Assert.Contains("it recovered at every probed n, down to the smallest of the grid (1).", always);
        var (never, _) = WriteSearch(_ => false);
        Assert.Contains("**Adaptive search**: probed n = 20 (1 of 20); skipped n = 1–19; it did not recover at the largest n probed (20)", never);
        Assert.Contains("| g | 1 of 20 | 19 | 20 | — | done |", never);
    }

    [Fact]
    public void An_adaptive_sweep_without_its_plan_says_what_it_cannot_show()
    {
        var rows = Rows.Seeds(3, 2, 2).ToList();
        var md = File.ReadAllText(ReportWriter.Write(runDir, rows, Adaptive, Estimator.Estimate(rows, Adaptive)).MarkdownPath);
        Assert.Contains("which n were probed and skipped is not shown", md);
    }

    [Theory]
    [InlineData(new int[0], "none")]
    [InlineData(new[] { 5 }, "5")]
    [InlineData(new[] { 20, 1, 2, 3, 4, 9, 11, 12 }, "1–4, 9, 11, 12, 20")]
    public void Sample_sizes_are_written_as_ranges(int[] sizes, string expected)
    {
        Assert.Equal(expected, ReportWriter.Sizes(sizes));
    }
}
