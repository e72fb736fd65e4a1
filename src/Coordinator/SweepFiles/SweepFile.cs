using SweepCluster.Analysis;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>
/// One named model/target/data combination of a sweep, or one user's program (Program set, the engine's sections
/// empty), with its own grid. The sweep file writes the first as `experiment:` and the others as `variants:` merged
/// over it; the name is the results column `experiment`.
/// </summary>
internal sealed record Experiment(string Name, ModelSpec Model, TargetSpec Target, DataSpec Data, Grid Grid, ProgramSpec? Program = null);

/// <summary>
/// The values of every grid axis of a sweep, one list per axis, in the order of Axes: <see cref="GridAxes.All"/> for
/// the built-in engine, <see cref="GridAxes.ForProgram"/> for a user's program.
/// </summary>
internal sealed record Grid(IReadOnlyList<GridAxis> Axes, IReadOnlyList<IReadOnlyList<double>> Values)
{
    public IReadOnlyList<double> this[GridAxis axis] => Values[GridAxes.IndexOf(Axes, axis)];

    public long TrialCount => Values.Aggregate(1L, (product, values) => product * values.Count);
}

/// <summary>Per-trial limits enforced by the nodes.</summary>
internal sealed record RunLimits(TimeSpan TrialTimeout, int MaxDeliveries);

/// <summary>A parsed, validated sweep file. Its grid axes are Estimate.Axes (the built-in engine's or a program's own).</summary>
internal sealed record SweepFile(
    string Path,
    string Name,
    string Description,
    TrainingSpec Training,
    IReadOnlyList<Experiment> Experiments,
    AnalysisSettings Estimate,
    RunLimits Limits)
{
    public long TrialCount => Experiments.Sum(v => v.Grid.TrialCount);

    /// <summary>The folder a program runs in: the sweep file's own.</summary>
    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    public bool IsProgram => Experiments.Any(e => e.Program is not null);

    /// <summary>The files whose content hash is in the program trials' ids, relative to Folder (or absolute).</summary>
    public IEnumerable<string> ProgramFiles => Experiments.Select(e => e.Program?.ProgramFile).OfType<string>().Distinct(StringComparer.Ordinal);
}
