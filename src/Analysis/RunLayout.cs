namespace SweepCluster.Analysis;

/// <summary>
/// Where things are in a run folder, runs/&lt;sweep&gt;/. `sweep run` writes it (src/Coordinator/Runs/RunFolder.cs),
/// `sweep report` and `sweep status` read it; both ask here.
/// </summary>
public static class RunLayout
{
    public const string SweepCopy = "sweep.yaml";
    public const string SettingsFile = "analysis.json";
    public const string ReportMarkdown = "report.md";
    public const string ReportHtml = "report.html";
    public const string ReportPlots = "report-plots";

    /// <summary>
    /// A copy of a program sweep's program files (the files whose hash is in the trial ids), at their paths relative to
    /// the sweep file: reading the run folder's sweep.yaml against them gives the run's own trial ids.
    /// </summary>
    public static string ProgramCopy(string root) => Path.Combine(root, "program");

    public static string Results(string root) => Path.Combine(root, "results");

    public static string Curves(string root) => Path.Combine(root, "curves");

    /// <summary>
    /// The finished part files of a folder, in name order. A writer's temporary files (hidden, ending in .tmp) are
    /// not among them whatever the platform's pattern rules, so this is safe on a running sweep.
    /// </summary>
    public static IReadOnlyList<string> PartFiles(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "part-*.parquet")
                .Where(f => f.EndsWith(".parquet", StringComparison.Ordinal) && Path.GetFileName(f).StartsWith("part-", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToList()
            : [];
}
