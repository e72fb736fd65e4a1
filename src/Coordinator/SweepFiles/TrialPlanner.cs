using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>Plans a sweep file's grid into trials, in a fixed order: experiment, then the axes as listed in GridAxes.All.</summary>
internal static class TrialPlanner
{
    /// <summary>
    /// The sweep's grid as a <see cref="TrialGrid"/>: each trial's id, and its TrialSpec built only when asked for. A
    /// program trial's spec also carries where it runs: the sweep file's folder and runDirectory, the run folder its
    /// logs go to (absolute; null when nothing will run, as for `sweep validate`).
    /// </summary>
    public static TrialGrid Plan(SweepFile sweep, string? runDirectory = null) => new(sweep, runDirectory);

    /// <summary>Every trial of the sweep as a list of specs, all in memory at once: for tests and small tools, not the coordinator.</summary>
    public static IReadOnlyList<TrialSpec> Expand(SweepFile sweep, string? runDirectory = null) => [.. Plan(sweep, runDirectory).Trials()];

    /// <summary>
    /// The experiment plus every tunable axis that is not tuned and takes more than one value in the experiment's
    /// grid; sample size and seed never enter it.
    /// </summary>
    public static string GroupKey(Experiment experiment, Hyperparameters h, IReadOnlyList<string> tuned)
    {
        var parts = new List<string> { experiment.Name };
        foreach (var axis in experiment.Grid.Axes.Where(a => a.Tunable))
            if (!tuned.Contains(axis.Name) && experiment.Grid[axis].Count > 1)
                parts.Add($"{axis.Name}={axis.Brief(axis.Get(h))}");
        return string.Join(" ", parts);
    }
}
