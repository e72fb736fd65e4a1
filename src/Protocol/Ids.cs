using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SweepCluster.Training;

namespace SweepCluster.Protocol;

/// <summary>A trial's identity: the first 128 bits of SHA-256 over the canonical JSON of its config, in hex.</summary>
public readonly record struct TrialId(string Value)
{
    public static TrialId For(TrialConfig config) => TrialKey.For(config).Id;

    public override string ToString() => Value;
}

/// <summary>
/// The same identity as <see cref="TrialId"/> held as its 128-bit number: what the coordinator keeps for every trial of a
/// grid for a whole run (16 bytes in a set, where the hex string costs about 90). Two 64-bit halves rather than a
/// UInt128, whose 16-byte alignment would pad every set entry. Messages, files and logs carry the TrialId text.
/// </summary>
public readonly record struct TrialKey(ulong High, ulong Low)
{
    private const int HexLength = 32;

    public static TrialKey For(TrialConfig config)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Of(config)), hash);
        return new TrialKey(BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash[8..]));
    }

    /// <summary>The key of a trial id as <see cref="Id"/> writes it (32 lower-case hex digits); false for any other text,
    /// which is then no trial of any grid (an upper-case spelling would otherwise match a trial under a different text).</summary>
    public static bool TryParse(TrialId id, out TrialKey key)
    {
        key = default;
        var text = id.Value;
        if (text is not { Length: HexLength }) return false;
        foreach (var c in text)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        key = new TrialKey(
            ulong.Parse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
            ulong.Parse(text.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>The key of an id this software made; throws for text that is not one.</summary>
    public static TrialKey Of(TrialId id) =>
        TryParse(id, out var key) ? key : throw new FormatException($"trial id '{id.Value}' is not {HexLength} lower-case hex digits");

    public TrialId Id => new(string.Create(HexLength, this, static (chars, key) =>
    {
        key.High.TryFormat(chars, out _, "x16", CultureInfo.InvariantCulture);
        key.Low.TryFormat(chars[16..], out _, "x16", CultureInfo.InvariantCulture);
    }));

    public override string ToString() => Id.Value;
}

/// <summary>A sweep's name as written in its sweep file; also the run folder's name.</summary>
public readonly record struct SweepId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A worker node: host name plus process id unless configured.</summary>
public readonly record struct NodeId(string Value)
{
    public override string ToString() => Value;
}
