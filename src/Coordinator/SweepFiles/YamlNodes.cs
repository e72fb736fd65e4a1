using System.Globalization;
using SweepCluster.Training;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>
/// Typed reads of YAML nodes that fail with file:line:column and the expected shape, so every mistake in a
/// sweep file names where it is and what would have been right.
/// </summary>
internal sealed class YamlNodes(string path)
{
    // A variant's section merged over the experiment's is a new node without a place in the file; errors about
    // it point at the variant's own section.
    private readonly Dictionary<YamlNode, YamlNode> _placeOf = new(ReferenceEqualityComparer.Instance);

    public void PlaceAt(YamlNode merged, YamlNode written) => _placeOf[merged] = written;

    public SweepFileException Error(YamlNode node, string problem)
    {
        var place = _placeOf.GetValueOrDefault(node, node);
        return new(path, place.Start.Line, place.Start.Column, problem);
    }

    /// <summary>A mapping whose keys must all be in allowed (null: any plain name); returns key → value in file order.</summary>
    public Dictionary<string, YamlNode> Mapping(YamlNode node, string what, IReadOnlyCollection<string>? allowed)
    {
        if (node is not YamlMappingNode map)
            throw Error(node, $"{what} must be a mapping of keys to values, got {Describe(node)}");
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var key = k is YamlScalarNode s ? s.Value ?? "" : throw Error(k, $"keys in {what} must be plain names, got {Describe(k)}");
            if (allowed is not null && !allowed.Contains(key))
                throw Error(k, $"unknown key '{key}' in {what}; expected one of: {string.Join(", ", allowed)}");
            result[key] = v;
        }
        return result;
    }

    public IReadOnlyList<YamlNode> Sequence(YamlNode node, string what)
    {
        if (node is not YamlSequenceNode seq)
            throw Error(node, $"{what} must be a list, got {Describe(node)}");
        return seq.Children.ToList();
    }

    public string String(YamlNode node, string what)
    {
        if (node is not YamlScalarNode { Value: { } value } || IsNull(node))
            throw Error(node, $"{what} must be a string, got {Describe(node)}");
        return value;
    }

    public double Double(YamlNode node, string what)
    {
        var text = Scalar(node, what, "a number");
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            return v;
        throw Error(node, $"{what} must be a finite number, got '{text}'");
    }

    public int Int(YamlNode node, string what)
    {
        var text = Scalar(node, what, "an integer");
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            return v;
        // 1e3 is a common way to write a whole number in these files.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
            return (int)d;
        throw Error(node, $"{what} must be an integer, got '{text}'");
    }

    public long Long(YamlNode node, string what)
    {
        var text = Scalar(node, what, "an integer");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            return v;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) <= 9e15)
            return (long)d;
        throw Error(node, $"{what} must be an integer, got '{text}'");
    }

    public bool Bool(YamlNode node, string what)
    {
        var text = Scalar(node, what, "true or false");
        return text switch
        {
            "true" or "True" or "yes" => true,
            "false" or "False" or "no" => false,
            _ => throw Error(node, $"{what} must be true or false, got '{text}'"),
        };
    }

    /// <summary>Enum members are written in kebab case, e.g. two-layer for TwoLayer.</summary>
    public T Enum<T>(YamlNode node, string what) where T : struct, System.Enum
    {
        var text = Scalar(node, what, "a name");
        foreach (var value in System.Enum.GetValues<T>())
            if (NameOf(value) == text.ToLowerInvariant())
                return value;
        throw Error(node, $"{what} must be one of: {string.Join(", ", System.Enum.GetValues<T>().Select(NameOf))}; got '{text}'");
    }

    public static string NameOf<T>(T value) where T : struct, System.Enum => ModelKinds.NameOf(value);

    public IReadOnlyList<double> Doubles(YamlNode node, string what) =>
        Sequence(node, what).Select((n, i) => Double(n, $"{what}[{i}]")).ToList();

    public IReadOnlyList<int> Ints(YamlNode node, string what) =>
        Sequence(node, what).Select((n, i) => Int(n, $"{what}[{i}]")).ToList();

    private string Scalar(YamlNode node, string what, string expected)
    {
        if (node is YamlScalarNode { Value: { } v } && !IsNull(node) && v.Length > 0)
            return v;
        throw Error(node, $"{what} must be {expected}, got {Describe(node)}");
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null");

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing (null)",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported YAML node",
    };
}
