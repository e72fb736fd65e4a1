using System.Text.Json;
using System.Text.Json.Nodes;

namespace SweepCluster.Protocol;

/// <summary>A message that cannot be read: garbled bytes, unknown version or kind, missing fields.</summary>
public sealed class WireFormatException(string message, Exception? inner = null) : Exception(message, inner);

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
        var body = JsonSerializer.SerializeToNode(message, message.GetType(), CanonicalJson.Options);
        var envelope = new JsonObject { ["v"] = Version, ["kind"] = kind, ["body"] = body };
        return JsonSerializer.SerializeToUtf8Bytes(envelope, CanonicalJson.Options);
    }

    public static IWireMessage Decode(ReadOnlySpan<byte> bytes)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(bytes); }
        catch (JsonException e) { throw new WireFormatException($"not JSON: {e.Message}", e); }
        if (root is not JsonObject envelope) throw new WireFormatException("expected a JSON object envelope");
        var version = envelope["v"]?.GetValueKind() == JsonValueKind.Number ? envelope["v"]!.GetValue<int>() : -1;
        if (version != Version) throw new WireFormatException($"unknown wire version {envelope["v"]?.ToJsonString() ?? "(missing)"}, expected {Version}");
        var body = envelope["body"] ?? throw new WireFormatException("missing body");
        var kind = envelope["kind"]?.GetValueKind() == JsonValueKind.String ? envelope["kind"]!.GetValue<string>() : null;
        if (kind is null || !TypeOfKind.TryGetValue(kind, out var type))
            throw new WireFormatException($"unknown message kind '{kind ?? "(missing)"}', expected one of {string.Join(", ", Kinds.Select(k => k.Kind))}");
        try
        {
            var message = body.Deserialize(type, CanonicalJson.Options) as IWireMessage;
            return message ?? throw new WireFormatException($"empty {kind} body");
        }
        catch (JsonException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (InvalidOperationException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (NotSupportedException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (ArgumentException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
    }
}
