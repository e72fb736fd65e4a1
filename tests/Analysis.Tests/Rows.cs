using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis.Tests;

/// <summary>Synthetic result rows: analysis logic is tested on rows whose outcome the test chooses.</summary>
internal static class Rows
{
    // E1's f_NL on 1 + x1, theory 2.
    public static readonly TrialConfig NonlinearOnOnePlusX1 = TheoryTests.Config(
        new ModelSpec { Kind = ModelKind.LinearNL }, TheoryTests.LinearTarget(1, 1, 0), 2);

    private static int counter;

    public static ResultRecord Row(
        int n, int seed, double error, double init = 1e-3, int width = 4, double lr = 0.05,
        TrialStatus status = TrialStatus.Ok, string group = "g", int paramCount = 4, double? unobserved = null, TrialConfig? config = null, string experiment = "e1") =>
        new($"t{Interlocked.Increment(ref counter)}", status, experiment, group, "f_NL", "1+x1",
            Axes(new Hyperparameters { InitScale = init, Width = width, LearningRate = lr, SampleSize = n, Seed = seed }), paramCount,
            error, unobserved, CanonicalJson.Of(config ?? NonlinearOnOnePlusX1));

    public static AxisValues Axes(Hyperparameters h) => new(GridAxes.All, GridAxes.All.Select(a => a.Get(h)).ToList());

    public static AxisValues WithAxis(AxisValues values, GridAxis axis, double value) =>
        new(values.Axes, values.Axes.Select(a => ReferenceEquals(a, axis) ? value : values[a]).ToList());

    /// <summary>Seeds 0.. of one setting at one n, the first `successes` reaching 1e-10 and the rest stuck at 1e-2.</summary>
    public static IEnumerable<ResultRecord> Seeds(int n, int seeds, int successes, double init = 1e-3, string group = "g") =>
        Enumerable.Range(0, seeds).Select(s => Row(n, s, s < successes ? 1e-10 : 1e-2, init, group: group));
}
