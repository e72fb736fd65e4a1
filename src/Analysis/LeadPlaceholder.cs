// TEMPORARY: the lead's compile-time stand-in for the Analysis API while branch `analysis` is written. Delete this file when merging the real API.
namespace SweepCluster.Analysis;
public sealed record AnalysisSettings(double Threshold = 1e-6, double Quorum = 0.5, bool UseUnobservedError = false)
{ public void Save(string runDir) { } public static AnalysisSettings Load(string runDir) => new(); }
public sealed record ResultRecord;
public static class ResultsLoader { public static IReadOnlyList<ResultRecord> Load(string runDir) => []; }
public sealed record GroupEstimate(string Group, string ModelDescription, int? EmpiricalSize, int? TheoreticalSize, int ParamCount);
public static class Estimator { public static IReadOnlyList<GroupEstimate> Estimate(IReadOnlyList<ResultRecord> rows, AnalysisSettings s) => []; }
public static class ReportWriter { public static (string MarkdownPath, string HtmlPath) Write(string runDir) => ("", ""); }
