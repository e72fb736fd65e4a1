using SweepCluster.Training;

namespace SweepCluster.Analysis;

/// <summary>
/// The values of some grid axes for one trial or one setting, in the axes' order; equal when every value is,
/// ordered value by value. Nothing here knows how many axes there are.
/// </summary>
public sealed class AxisValues : IEquatable<AxisValues>, IComparable<AxisValues>
{
    private readonly double[] _values;

    public AxisValues(IReadOnlyList<GridAxis> axes, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(values);
        if (axes.Count != values.Count) throw new ArgumentException($"{values.Count} values for {axes.Count} axes", nameof(values));
        Axes = axes;
        _values = [.. values];
    }

    public IReadOnlyList<GridAxis> Axes { get; }

    public IReadOnlyList<double> Values => _values;

    public double this[GridAxis axis]
    {
        get
        {
            for (var i = 0; i < Axes.Count; i++)
                if (Axes[i].Equals(axis)) return _values[i];
            throw new ArgumentException($"no value for the axis '{axis.Name}'", nameof(axis));
        }
    }

    /// <summary>The values of a subset of the axes, e.g. the tuned ones.</summary>
    public AxisValues Select(IReadOnlyList<GridAxis> axes) => new(axes, axes.Select(a => this[a]).ToList());

    public bool Equals(AxisValues? other) =>
        other is not null && Axes.SequenceEqual(other.Axes) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as AxisValues);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in _values) hash.Add(v);
        return hash.ToHashCode();
    }

    public int CompareTo(AxisValues? other)
    {
        if (other is null) return 1;
        for (var i = 0; i < Math.Min(_values.Length, other._values.Length); i++)
        {
            var c = _values[i].CompareTo(other._values[i]);
            if (c != 0) return c;
        }
        return _values.Length.CompareTo(other._values.Length);
    }

    /// <summary>"init 1e-05, width 4, wd 0, lr 0.05": each axis's short name and value to three digits.</summary>
    public override string ToString() => string.Join(", ", Axes.Select((a, i) => $"{a.Short} {a.Brief(_values[i], "g3")}"));
}
