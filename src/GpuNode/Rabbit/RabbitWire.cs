using RabbitMQ.Client;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>Message bodies and properties as both sides put them on the broker.</summary>
internal static class RabbitWire
{
    public static BasicProperties Properties(IWireMessage message, bool persistent) => new()
    {
        Persistent = persistent,
        ContentType = "application/json",
        Type = message switch { TrialSpec => "trial", TrialResult => "result", _ => "heartbeat" },
        MessageId = message switch { TrialSpec t => t.Id.Value, TrialResult r => r.Spec.Id.Value, _ => null },
        // The sweep header is what routes a dead-lettered trial back to its coordinator.
        Headers = message switch
        {
            TrialSpec t => new Dictionary<string, object?> { [RabbitTopology.SweepHeader] = t.Sweep.Value },
            TrialResult r => new Dictionary<string, object?> { [RabbitTopology.SweepHeader] = r.Spec.Sweep.Value },
            _ => null,
        },
    };

    /// <summary>Decodes a body that must hold a <typeparamref name="T"/>; anything else is unreadable here.</summary>
    public static T Decode<T>(ReadOnlyMemory<byte> body) where T : IWireMessage =>
        Wire.Decode(body.Span) is T message
            ? message
            : throw new WireFormatException($"expected a {typeof(T).Name} message, got another kind");
}
