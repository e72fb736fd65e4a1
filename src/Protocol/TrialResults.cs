using SweepCluster.Training;

namespace SweepCluster.Protocol;

/// <summary>Results that no training produced.</summary>
public static class TrialResults
{
    /// <summary>
    /// The result of a trial recorded without running it to the end (too many deliveries, dead-lettered, a node
    /// that refused it): no losses (NaN), no steps, started and finished now, and why.
    /// </summary>
    public static TrialResult NotRun(TrialSpec spec, TrialStatus status, NodeId node, int attempt, string error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(error);
        var now = DateTime.UtcNow;
        return new TrialResult(spec, status, double.NaN, double.NaN, null, 0, 0, ModelKinds.Describe(spec.Config), 0, node, attempt, now, now, error);
    }
}
