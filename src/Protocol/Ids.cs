using System.Security.Cryptography;
using System.Text;
using SweepCluster.Training;

namespace SweepCluster.Protocol;

/// <summary>A trial's identity: the first 128 bits of SHA-256 over the canonical JSON of its config, in hex.</summary>
public readonly record struct TrialId(string Value)
{
    public static TrialId For(TrialConfig config)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Of(config)));
        return new TrialId(Convert.ToHexStringLower(hash.AsSpan(0, 16)));
    }

    public override string ToString() => Value;
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
