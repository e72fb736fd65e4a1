using System.Text.Json;

namespace SweepCluster.Protocol;

/// <summary>A message that cannot be read: garbled bytes, unknown version or kind, missing fields.</summary>
public sealed class WireFormatException(string message, Exception? inner = null) : BadInputException(message, inner);

/// <summary>
/// The versioned wire format: {"v":1,"kind":"trial"|"result"|…,"body":{…}} in UTF-8 JSON. The kinds are a closed
/// table below: a reader builds only these types, whatever the bytes say, and accepts exactly the versions it
/// knows; anything else is a WireFormatException, never a crash. The kind is also the Akka manifest.
/// </summary>
public static class Wire
{
    public const int Version = 1;

    private static readonly (string Kind, Type Type)[] Kinds =
    [
        ("trial", typeof(TrialSpec)),
        ("result", typeof(TrialResult)),
        ("heartbeat", typeof(NodeHeartbeat)),
        ("hello", typeof(NodeHello)),
        ("challenge", typeof(RegistrationChallenge)),
        ("register", typeof(RegisterNode)),
        ("welcome", typeof(NodeWelcome)),
        ("rejected", typeof(NodeRejected)),
        ("wanted", typeof(TrialsWanted)),
        ("granted", typeof(TrialsGranted)),
        ("results", typeof(ResultsReady)),
        ("acknowledged", typeof(ResultsAcknowledged)),
        ("returned", typeof(TrialsReturned)),
        ("taken-back", typeof(TrialsTakenBack)),
        ("nodes-query", typeof(NodesQuery)),
        ("nodes", typeof(NodesReport)),
    ];

    private static readonly Dictionary<Type, string> KindOfType = Kinds.ToDictionary(k => k.Type, k => k.Kind);
    private static readonly Dictionary<string, Type> TypeOfKind = Kinds.ToDictionary(k => k.Kind, k => k.Type, StringComparer.Ordinal);

    /// <summary>The stable name of a message's kind (never a .NET type name).</summary>
    public static string KindOf(IWireMessage message) =>
        KindOfType.TryGetValue(message.GetType(), out var kind) ? kind : throw new ArgumentException($"no wire kind for {message.GetType().Name}", nameof(message));

    public static byte[] Encode(IWireMessage message)
    {
        var kind = KindOf(message);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", Version);
            writer.WriteString("kind", kind);
            writer.WritePropertyName("body");
            JsonSerializer.Serialize(writer, message, message.GetType(), CanonicalJson.Options);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static IWireMessage Decode(ReadOnlySpan<byte> bytes)
    {
        // A forward-only reader over the envelope: v and kind are checked before the body is bound to a type.
        var reader = new Utf8JsonReader(bytes);
        int? version = null;
        string? kind = null;
        var body = -1L;
        var bodyEnd = -1L;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new WireFormatException("expected a JSON object envelope");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read()) break;
                switch (name)
                {
                    case "v" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v): version = v; break;
                    case "kind" when reader.TokenType == JsonTokenType.String: kind = reader.GetString(); break;
                    case "body": body = reader.TokenStartIndex; reader.Skip(); bodyEnd = reader.BytesConsumed; break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (JsonException e) { throw new WireFormatException($"not JSON: {e.Message}", e); }
        catch (InvalidOperationException e) { throw new WireFormatException($"not JSON: {e.Message}", e); }
        if (version != Version) throw new WireFormatException($"unknown wire version {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(missing)"}, expected {Version}");
        if (kind is null || !TypeOfKind.TryGetValue(kind, out var type))
            throw new WireFormatException($"unknown message kind '{kind ?? "(missing)"}', expected one of {string.Join(", ", Kinds.Select(k => k.Kind))}");
        if (body < 0) throw new WireFormatException("missing body");
        try
        {
            var message = JsonSerializer.Deserialize(bytes[(int)body..(int)bodyEnd], type, CanonicalJson.Options) as IWireMessage;
            return message ?? throw new WireFormatException($"empty {kind} body");
        }
        catch (JsonException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (InvalidOperationException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (NotSupportedException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (ArgumentException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
    }
}
