using System.Text.Json;
using System.Text.Json.Nodes;

namespace SweepCluster.Protocol;

/// <summary>A message that cannot be read: garbled bytes, unknown version or kind, missing fields.</summary>
public sealed class WireFormatException(string message, Exception? inner = null) : BadInputException(message, inner);

/// <summary>
/// The versioned wire format: {"v":1,"kind":"trial"|"result"|"heartbeat","body":{…}} in UTF-8 JSON.
/// A reader accepts exactly the versions it knows; anything else is a WireFormatException, never a crash.
/// </summary>
public static class Wire
{
    public const int Version = 1;

    public static byte[] Encode(IWireMessage message)
    {
        var (kind, body) = message switch
        {
            TrialSpec t => ("trial", JsonSerializer.SerializeToNode(t, CanonicalJson.Options)),
            TrialResult r => ("result", JsonSerializer.SerializeToNode(r, CanonicalJson.Options)),
            NodeHeartbeat h => ("heartbeat", JsonSerializer.SerializeToNode(h, CanonicalJson.Options)),
            _ => throw new ArgumentException($"no wire kind for {message.GetType().Name}", nameof(message)),
        };
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
        try
        {
            IWireMessage? message = kind switch
            {
                "trial" => body.Deserialize<TrialSpec>(CanonicalJson.Options),
                "result" => body.Deserialize<TrialResult>(CanonicalJson.Options),
                "heartbeat" => body.Deserialize<NodeHeartbeat>(CanonicalJson.Options),
                _ => throw new WireFormatException($"unknown message kind '{kind ?? "(missing)"}', expected trial, result or heartbeat"),
            };
            return message ?? throw new WireFormatException($"empty {kind} body");
        }
        catch (JsonException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (InvalidOperationException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
        catch (NotSupportedException e) { throw new WireFormatException($"bad {kind} body: {e.Message}", e); }
    }
}
