using System.Globalization;

namespace SweepCluster.Training;

/// <summary>Whether an axis holds whole numbers (a width, a sample size) or any real number.</summary>
public enum AxisNumber { Integer, Real }

/// <summary>
/// One grid axis: its sweep-file key (also its results column), how its values are written and checked, and
/// how it reads and sets its field of <see cref="Hyperparameters"/>. Values travel as doubles; an Integer
/// axis holds whole numbers only (the parser checks), which a double represents exactly.
/// </summary>
public sealed class GridAxis
{
    /// <summary>The sweep file's key under grid:, the results column and the group-key prefix.</summary>
    public required string Name { get; init; }
    /// <summary>Short name in the report's "best setting" cell and its plot files: init, width, wd, lr.</summary>
    public required string Short { get; init; }
    /// <summary>Words for plot axes: "init scale".</summary>
    public required string Label { get; init; }
    public required AxisNumber Number { get; init; }
    /// <summary>Values when the sweep file leaves the axis out; empty when it must be given.</summary>
    public required IReadOnlyList<double> Default { get; init; }
    /// <summary>Whether the estimate may take the best value per sample size (estimate.tune).</summary>
    public required bool Tunable { get; init; }
    public required Func<double, bool> IsValid { get; init; }
    /// <summary>What IsValid wants, for the error message: "≥ 0".</summary>
    public required string Expected { get; init; }
    public required Func<Hyperparameters, double> Get { get; init; }
    public required Func<Hyperparameters, double, Hyperparameters> With { get; init; }

    public bool Required => Default.Count == 0;

    // An axis is its name: a program sweep's axes are built again from analysis.json when a run folder is read.
    public override bool Equals(object? obj) => obj is GridAxis other && other.Name == Name && other.Number == Number;

    public override int GetHashCode() => HashCode.Combine(Name, Number);

    /// <summary>The value as the sweep file and `sweep validate` write it (shortest round-trip form).</summary>
    public string Format(double value) => Number == AxisNumber.Integer
        ? ((long)value).ToString(CultureInfo.InvariantCulture)
        : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// An axis of the user's program (any name the sweep file gives under grid:), tunable, every finite value allowed;
    /// its values live in <see cref="Hyperparameters.Extra"/>. Integer when every value of the grid is whole.
    /// </summary>
    public static GridAxis Program(string name, AxisNumber number) => new()
    {
        Name = name, Short = name, Label = name.Replace('_', ' '), Number = number, Default = [], Tunable = true,
        IsValid = double.IsFinite, Expected = "a finite number",
        Get = h => h.Extra is { } extra && extra.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"the trial has no value for the program axis '{name}'"),
        With = (h, v) => h.WithExtra(name, v),
    };

    /// <summary>The value in a group key and the report: six significant digits, so 1e-3 from a log range reads 0.001.</summary>
    public string Brief(double value, string realFormat = "G6") => Number == AxisNumber.Integer
        ? ((long)value).ToString(CultureInfo.InvariantCulture)
        : value.ToString(realFormat, CultureInfo.InvariantCulture);
}

/// <summary>
/// The grid axes, in the order trials are expanded (the last varies fastest). The parser, the planner,
/// `sweep validate`, the results columns, the estimator and the report all loop over this table: adding an axis
/// is one entry here plus its field in <see cref="Hyperparameters"/> (whose default keeps existing trial ids).
/// </summary>
public static class GridAxes
{
    public static readonly GridAxis InitScale = new()
    {
        Name = "init_scale", Short = "init", Label = "init scale", Number = AxisNumber.Real, Default = [], Tunable = true,
        IsValid = v => v >= 0, Expected = "≥ 0",
        Get = h => h.InitScale, With = (h, v) => h with { InitScale = v },
    };

    public static readonly GridAxis Width = new()
    {
        Name = "width", Short = "width", Label = "width", Number = AxisNumber.Integer, Default = [0], Tunable = true,
        IsValid = v => v >= 0, Expected = "≥ 0 (a negative width is meaningless)",
        Get = h => h.Width, With = (h, v) => h with { Width = (int)v },
    };

    public static readonly GridAxis WeightDecay = new()
    {
        Name = "weight_decay", Short = "wd", Label = "weight decay", Number = AxisNumber.Real, Default = [0], Tunable = true,
        IsValid = v => v >= 0, Expected = "≥ 0",
        Get = h => h.WeightDecay, With = (h, v) => h with { WeightDecay = v },
    };

    public static readonly GridAxis LearningRate = new()
    {
        Name = "learning_rate", Short = "lr", Label = "learning rate", Number = AxisNumber.Real, Default = [], Tunable = true,
        IsValid = v => v > 0, Expected = "> 0",
        Get = h => h.LearningRate, With = (h, v) => h with { LearningRate = v },
    };

    public static readonly GridAxis SampleSize = new()
    {
        Name = "sample_size", Short = "n", Label = "sample size n", Number = AxisNumber.Integer, Default = [], Tunable = false,
        IsValid = v => v >= 1, Expected = "≥ 1 (a trial needs at least one training sample)",
        Get = h => h.SampleSize, With = (h, v) => h with { SampleSize = (int)v },
    };

    public static readonly GridAxis Seed = new()
    {
        Name = "seed", Short = "seed", Label = "seed", Number = AxisNumber.Integer, Default = [0], Tunable = false,
        IsValid = v => v >= 0, Expected = "≥ 0",
        Get = h => h.Seed, With = (h, v) => h with { Seed = (int)v },
    };

    /// <summary>Every axis, in expansion order.</summary>
    public static readonly IReadOnlyList<GridAxis> All = [InitScale, Width, WeightDecay, LearningRate, SampleSize, Seed];

    /// <summary>The axes the estimate may tune, in All's order: the "setting" of a trial.</summary>
    public static readonly IReadOnlyList<GridAxis> Tunable = All.Where(a => a.Tunable).ToList();

    public static GridAxis? Find(string name) => All.FirstOrDefault(a => a.Name == name);

    /// <summary>
    /// The axes of a program sweep: the program's own, in the order given, then sample_size and seed (the two every
    /// trial has, whatever it trains). A name of a built-in axis is the program's own here too (a program's width is
    /// whatever the program makes of it).
    /// </summary>
    public static IReadOnlyList<GridAxis> ForProgram(IEnumerable<(string Name, AxisNumber Number)> own) =>
        [.. own.Select(a => GridAxis.Program(a.Name, a.Number)), SampleSize, Seed];

    /// <summary>The axis's position in axes (and in a grid's value lists).</summary>
    public static int IndexOf(IReadOnlyList<GridAxis> axes, GridAxis axis)
    {
        ArgumentNullException.ThrowIfNull(axes);
        for (var i = 0; i < axes.Count; i++)
            if (axes[i].Equals(axis)) return i;
        throw new ArgumentException($"'{axis.Name}' is not one of this sweep's grid axes", nameof(axis));
    }
}
