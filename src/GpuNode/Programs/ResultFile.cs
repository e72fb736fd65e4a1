using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// Reads the JSON object a program writes to SWEEP_RESULT. Python's json.dump writes NaN, Infinity and -Infinity as
/// bare words, which JSON does not allow; they are read as numbers anyway (a diverged run is a result, not a broken
/// file), as are the strings "NaN", "Infinity", "-Infinity" and null for test_error and train_loss.
/// </summary>
internal static class ResultFile
{
    /// <summary>The numbers of the result object and its text (bare NaN literals quoted), or the reason it is unusable.</summary>
    internal sealed record Parsed(IReadOnlyDictionary<string, double>? Metrics, string? Json, string? Error);

    public static Parsed Read(string path)
    {
        if (!File.Exists(path)) return new(null, null, $"the program wrote no result file ({ProgramContract.ResultVariable}={path})");
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { return new(null, null, $"result file {path} could not be read: {e.Message}"); }
        return Parse(text, path);
    }

    public static Parsed Parse(string text, string path)
    {
        var json = QuoteNonFiniteLiterals(text);
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { return new(null, null, $"result file {path} is not valid JSON ({e.Message}); expected one object such as {{\"test_error\": 0.01}}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new(null, null, $"result file {path} holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}; expected one object such as {{\"test_error\": 0.01}}");
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
                if (Number(property.Value, property.Name is ProgramContract.TestError or ProgramContract.TrainLoss) is { } value)
                    metrics[property.Name] = value;
            if (!root.TryGetProperty(ProgramContract.TestError, out _))
                return new(null, null, $"result file {path} has no {ProgramContract.TestError}; expected a number (the estimate needs it)");
            if (!metrics.ContainsKey(ProgramContract.TestError))
                return new(null, null, $"result file {path}: {ProgramContract.TestError} is {root.GetProperty(ProgramContract.TestError).GetRawText()}; expected a number");
            return new(metrics, root.GetRawText(), null);
        }
    }

    private static double? Number(JsonElement value, bool nullIsNaN) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Null when nullIsNaN => double.NaN,
        JsonValueKind.String => value.GetString() switch
        {
            "NaN" or "nan" => double.NaN,
            "Infinity" or "inf" => double.PositiveInfinity,
            "-Infinity" or "-inf" => double.NegativeInfinity,
            var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        },
        _ => null,
    };

    /// <summary>Turns the bare words NaN, Infinity and -Infinity outside strings into strings, leaving the rest as it is.</summary>
    internal static string QuoteNonFiniteLiterals(string text)
    {
        var output = new StringBuilder(text.Length + 16);
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                output.Append(c);
                if (c == '\\' && i + 1 < text.Length) output.Append(text[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; output.Append(c); continue; }
            var word = Literal(text, i);
            if (word is null) { output.Append(c); continue; }
            output.Append('"').Append(word).Append('"');
            i += word.Length - 1;
        }
        return output.ToString();
    }

    private static string? Literal(string text, int at)
    {
        foreach (var word in (ReadOnlySpan<string>)["NaN", "Infinity", "-Infinity"])
            if (string.CompareOrdinal(text, at, word, 0, word.Length) == 0
                && (at + word.Length == text.Length || !char.IsAsciiLetterOrDigit(text[at + word.Length])))
                return word;
        return null;
    }
}
