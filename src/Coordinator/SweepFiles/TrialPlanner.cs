using System.Globalization;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>Expands a sweep file's grid into trials, in a fixed order: variant, then the axes as listed in Axis.All.</summary>
internal static class TrialPlanner
{
    public static IReadOnlyList<TrialSpec> Expand(SweepFile sweep)
    {
        var sweepId = new SweepId(sweep.Name);
        var trials = new List<TrialSpec>();
        var seen = new HashSet<TrialId>();
        foreach (var v in sweep.Variants)
        {
            var g = v.Grid;
            foreach (var initScale in g.InitScale)
            foreach (var width in g.Width)
            foreach (var weightDecay in g.WeightDecay)
            foreach (var learningRate in g.LearningRate)
            foreach (var sampleSize in g.SampleSize)
            foreach (var seed in g.Seed)
            {
                var hyper = new Hyperparameters
                {
                    InitScale = initScale, Width = width, WeightDecay = weightDecay,
                    LearningRate = learningRate, SampleSize = sampleSize, Seed = seed,
                };
                var config = new TrialConfig { Model = v.Model, Target = v.Target, Data = v.Data, Training = sweep.Training, Hyper = hyper };
                var id = TrialId.For(config);
                // Two variants that describe the same experiment produce the same trials: run them once.
                if (seen.Add(id))
                    trials.Add(new TrialSpec(sweepId, id, v.Name, GroupKey(v, hyper, sweep.Estimate.Tune), config,
                        sweep.Limits.TrialTimeout.TotalSeconds, sweep.Limits.MaxDeliveries));
            }
        }
        return trials;
    }

    /// <summary>
    /// The variant plus every tunable axis that is not tuned and takes more than one value in the variant's grid;
    /// sample size and seed never enter it.
    /// </summary>
    public static string GroupKey(Variant variant, Hyperparameters h, IReadOnlyList<string> tuned)
    {
        var g = variant.Grid;
        var parts = new List<string> { variant.Name };
        foreach (var axis in Axis.Tunable.Where(a => !tuned.Contains(a)))
        {
            var values = axis switch
            {
                Axis.InitScale => g.InitScale.Count,
                Axis.Width => g.Width.Count,
                Axis.WeightDecay => g.WeightDecay.Count,
                _ => g.LearningRate.Count,
            };
            if (values == 1) continue;
            var value = axis switch
            {
                Axis.InitScale => h.InitScale.ToString("G6", CultureInfo.InvariantCulture),
                Axis.Width => h.Width.ToString(CultureInfo.InvariantCulture),
                Axis.WeightDecay => h.WeightDecay.ToString("G6", CultureInfo.InvariantCulture),
                _ => h.LearningRate.ToString("G6", CultureInfo.InvariantCulture),
            };
            parts.Add($"{axis}={value}");
        }
        return string.Join(" ", parts);
    }
}
