using System.Text.Json;
using System.Text.Json.Serialization;
using SweepCluster.Training;

namespace SweepCluster.Protocol;

/// <summary>
/// The one JSON form of a config that ids are computed from. Properties come in declaration order, enums
/// as names, doubles in shortest round-trip form; values equal to their type's default (0, false, null) are
/// left out, so adding a field whose neutral value is that default keeps every existing trial id (and so
/// resume) intact. tests/Protocol.Tests pins the form.
/// </summary>
public static class CanonicalJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        WriteIndented = false,
    };

    public static string Of(TrialConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Reads a config back from its canonical JSON (the results file's config column).</summary>
    public static TrialConfig ParseConfig(string json) =>
        JsonSerializer.Deserialize<TrialConfig>(json, Options) ?? throw new JsonException("config is JSON null");
}
