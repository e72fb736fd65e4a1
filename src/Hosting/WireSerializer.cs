using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SweepCluster.Protocol;

namespace SweepCluster.Hosting;

/// <summary>
/// Akka's serializer for every IWireMessage: the manifest is the message's stable kind name from Wire's closed
/// table, the payload the versioned JSON envelope. Nothing read from the network names a .NET type, so a
/// stranger's bytes can only ever become one of the protocol's records. Unreadable bytes raise a
/// SerializationException, which Akka.Remote logs and drops without disturbing the connection's other messages.
/// </summary>
public sealed class WireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Also declared in the configuration (AkkaConfig); any number above Akka's reserved 0–100 works.</summary>
    public const int Id = 4207;

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        o is IWireMessage m ? Wire.KindOf(m) : throw new ArgumentException($"{o.GetType().Name} is not a wire message", nameof(o));

    public override byte[] ToBinary(object obj) =>
        obj is IWireMessage m ? Wire.Encode(m) : throw new ArgumentException($"{obj.GetType().Name} is not a wire message", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest)
    {
        IWireMessage message;
        try { message = Wire.Decode(bytes); }
        catch (WireFormatException e) { throw new SerializationException($"unreadable '{manifest}' message dropped: {e.Message}", e); }
        if (Wire.KindOf(message) != manifest)
            throw new SerializationException($"message dropped: its manifest says '{manifest}' but its envelope says '{Wire.KindOf(message)}'");
        return message;
    }
}
