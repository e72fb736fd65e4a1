using SweepCluster.Training;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>
/// Grid axes: a single value, a list, {range: [a, b], step: s} (inclusive), {linspace: [a, b], count: n}
/// or {log: [a, b], count: n} (log-spaced, inclusive).
/// </summary>
internal static class GridParser
{
    private static readonly string[] RangeKeys = ["range", "step", "linspace", "log", "count"];

    /// <summary>The grid of one experiment over the sweep's axes (the built-in engine's, or a program's own).</summary>
    public static Grid Parse(YamlNodes y, YamlNode owner, Dictionary<string, YamlNode> axes, IReadOnlyList<GridAxis> sweepAxes)
    {
        foreach (var required in sweepAxes.Where(a => a.Required))
            if (!axes.ContainsKey(required.Name))
                throw y.Error(owner, $"grid is missing the required axis '{required.Name}'");
        return new Grid(sweepAxes, sweepAxes.Select(axis => axes.TryGetValue(axis.Name, out var node) ? Axis(y, node, axis) : axis.Default).ToList());
    }

    /// <summary>
    /// A program's own axes: every key of the grid but sample_size and seed, in the file's order; an axis is Integer
    /// when every value it takes, in the grid and in every variant's grid, is a whole number (the program then reads
    /// it as an integer), Real otherwise.
    /// </summary>
    public static IReadOnlyList<GridAxis> ProgramAxes(YamlNodes y, Dictionary<string, YamlNode> grid, IReadOnlyList<Dictionary<string, YamlNode>> variantGrids)
    {
        var own = new List<(string, AxisNumber)>();
        foreach (var (name, node) in grid)
        {
            if (name == GridAxes.SampleSize.Name || name == GridAxes.Seed.Name) continue;
            var values = Values(y, node, name).Concat(variantGrids.Where(v => v.ContainsKey(name)).SelectMany(v => Values(y, v[name], name)));
            own.Add((name, values.All(v => v == Math.Round(v) && Math.Abs(v) <= int.MaxValue) ? AxisNumber.Integer : AxisNumber.Real));
        }
        return GridAxes.ForProgram(own);
    }

    private static IReadOnlyList<double> Axis(YamlNodes y, YamlNode node, GridAxis axis)
    {
        var values = Values(y, node, axis.Name);
        if (axis.Number == AxisNumber.Integer)
            foreach (var v in values)
                if (v != Math.Round(v) || Math.Abs(v) > int.MaxValue)
                    throw y.Error(node, $"grid.{axis.Name} must hold integers, got {v}");
        return Check(y, node, axis.Name, values, axis.IsValid, axis.Expected);
    }

    private static IReadOnlyList<T> Check<T>(YamlNodes y, YamlNode node, string axis, IReadOnlyList<T> values, Func<T, bool> valid, string expected)
    {
        if (values.Count == 0)
            throw y.Error(node, $"grid.{axis} is empty; expected at least one value");
        foreach (var v in values)
            if (!valid(v))
                throw y.Error(node, $"grid.{axis} has the value {v}; every value must be {expected}");
        // A repeated value would be the same trial twice; the grid is a set.
        var dup = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw y.Error(node, $"grid.{axis} lists {dup.Key} more than once; expected distinct values");
        return values;
    }

    private static IReadOnlyList<double> Values(YamlNodes y, YamlNode node, string axis)
    {
        var what = $"grid.{axis}";
        switch (node)
        {
            case YamlScalarNode:
                return [y.Double(node, what)];
            case YamlSequenceNode:
                return y.Doubles(node, what);
        }
        var m = y.Mapping(node, what, RangeKeys);
        var forms = new[] { "range", "linspace", "log" }.Where(m.ContainsKey).ToList();
        if (forms.Count != 1)
            throw y.Error(node, $"{what} must use exactly one of range, linspace or log, got {(forms.Count == 0 ? "none" : string.Join(" and ", forms))}");
        var form = forms[0];
        var ends = y.Doubles(m[form], $"{what}.{form}");
        if (ends.Count != 2)
            throw y.Error(m[form], $"{what}.{form} must be [start, stop], got {ends.Count} values");
        var (a, b) = (ends[0], ends[1]);
        if (form == "range")
        {
            if (m.ContainsKey("count")) throw y.Error(m["count"], $"{what}.count belongs to linspace or log; range takes step");
            var step = m.TryGetValue("step", out var s) ? y.Double(s, $"{what}.step") : 1.0;
            if (step <= 0) throw y.Error(s!, $"{what}.step must be positive, got {step}");
            if (b < a) throw y.Error(m[form], $"{what}.range [{a}, {b}] must have start ≤ stop");
            var n = (long)Math.Floor((b - a) / step + 1e-9) + 1;
            if (n > 1_000_000) throw y.Error(m[form], $"{what} would have {n} values; expected at most 1000000");
            return Enumerable.Range(0, (int)n).Select(i => Tidy(a + i * step)).ToList();
        }
        if (m.ContainsKey("step")) throw y.Error(m["step"], $"{what}.step belongs to range; {form} takes count");
        var count = SweepFileParser.Positive(y, m.TryGetValue("count", out var c) ? c : throw y.Error(node, $"{what}.{form} needs a count"), $"{what}.count");
        if (form == "log" && (a <= 0 || b <= 0))
            throw y.Error(m[form], $"{what}.log [{a}, {b}] must have positive ends");
        if (count == 1) return [a];
        return Enumerable.Range(0, count).Select(i =>
        {
            var f = (double)i / (count - 1);
            var v = form == "log" ? Math.Exp(Math.Log(a) + f * (Math.Log(b) - Math.Log(a))) : a + f * (b - a);
            return i == count - 1 ? b : Tidy(v);
        }).ToList();
    }

    /// <summary>
    /// Rounds to 12 significant digits, so 1e-3 from a log range or 0.3 from a range is the same trial (same
    /// id) as a listed 1e-3 or 0.3, not a neighbour one ulp away.
    /// </summary>
    private static double Tidy(double v) =>
        double.Parse(v.ToString("G12", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}
