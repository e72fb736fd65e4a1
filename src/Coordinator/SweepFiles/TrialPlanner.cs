using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>Expands a sweep file's grid into trials, in a fixed order: experiment, then the axes as listed in GridAxes.All.</summary>
internal static class TrialPlanner
{
    /// <summary>
    /// Every trial of the sweep. A program trial also carries where it runs: the sweep file's folder and runDirectory,
    /// the run folder its logs go to (absolute; null when nothing will run, as for `sweep validate`).
    /// </summary>
    public static IReadOnlyList<TrialSpec> Expand(SweepFile sweep, string? runDirectory = null)
    {
        var sweepId = new SweepId(sweep.Name);
        var trials = new List<TrialSpec>((int)Math.Min(sweep.TrialCount, 1 << 24));
        var seen = new HashSet<TrialId>();
        // A group key is shared by many trials: one string per group, not per trial (a million-trial grid holds them all).
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        var (folder, run) = (sweep.Folder, runDirectory is null ? null : Path.GetFullPath(runDirectory));
        foreach (var e in sweep.Experiments)
        {
            foreach (var hyper in Product(e.Grid))
            {
                var config = new TrialConfig { Model = e.Model, Target = e.Target, Data = e.Data, Training = sweep.Training, Hyper = hyper, Program = e.Program };
                var id = TrialId.For(config);
                // Two experiments that describe the same trial produce the same id: run it once.
                if (!seen.Add(id)) continue;
                var group = GroupKey(e, hyper, sweep.Estimate.Tune);
                if (!groups.TryGetValue(group, out var shared)) groups[group] = shared = group;
                trials.Add(new TrialSpec(sweepId, id, e.Name, shared, config, sweep.Limits.TrialTimeout.TotalSeconds, sweep.Limits.MaxDeliveries,
                    e.Program is null ? null : folder, e.Program is null ? null : run));
            }
        }
        return trials;
    }

    /// <summary>The cartesian product of the grid's axes, the last axis varying fastest.</summary>
    public static IEnumerable<Hyperparameters> Product(Grid grid)
    {
        var axes = grid.Axes;
        if (grid.Values.Any(v => v.Count == 0)) yield break;
        var index = new int[axes.Count];
        while (true)
        {
            var hyper = new Hyperparameters();
            for (var a = 0; a < axes.Count; a++)
                hyper = axes[a].With(hyper, grid.Values[a][index[a]]);
            yield return hyper;
            var k = axes.Count - 1;
            while (k >= 0 && ++index[k] == grid.Values[k].Count) index[k--] = 0;
            if (k < 0) yield break;
        }
    }

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
