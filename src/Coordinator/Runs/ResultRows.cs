using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>What ResultSink writes: the results and curves tables, both defined in src/Analysis/ResultTable.cs.</summary>
internal static class ResultRows
{
    public static Table ToTable(IReadOnlyList<TrialResult> results) => ResultTable.ToTable(results);

    public static Table? CurvesTable(IReadOnlyList<TrialResult> results) => ResultTable.CurvesTable(results);
}
