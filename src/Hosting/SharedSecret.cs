using System.Security.Cryptography;
using System.Text;

namespace SweepCluster.Hosting;

/// <summary>
/// The sweep's shared secret, read from --secret-file or SWEEP_SECRET (never from the command line, which `ps`
/// shows). A node proves it knows the secret by signing the coordinator's fresh nonce; the secret itself never
/// crosses the wire and has no ToString that prints it.
/// </summary>
public sealed class SharedSecret
{
    public const string Variable = "SWEEP_SECRET";
    private readonly byte[] _key;

    private SharedSecret(byte[] key) => _key = key;

    /// <summary>The secret from the file if given, else from the environment, else none.</summary>
    public static SharedSecret? Load(string? file)
    {
        string? text;
        if (file is not null)
        {
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--secret-file {file}: cannot read it ({e.Message}); expected a readable file holding the sweep's secret", e);
            }
            text = text.Trim();
            if (text.Length == 0) throw new ArgumentException($"--secret-file {file}: the file is empty; expected the sweep's secret");
        }
        else
        {
            text = Environment.GetEnvironmentVariable(Variable)?.Trim();
            if (string.IsNullOrEmpty(text)) return null;
        }
        return new SharedSecret(Encoding.UTF8.GetBytes(text));
    }

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string Prove(string nonce, string subject) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{nonce}\n{subject}")));

    /// <summary>True when proof is this secret's signature of nonce and subject (compared in constant time).</summary>
    public bool Verify(string nonce, string subject, string proof)
    {
        byte[] given;
        try { given = Convert.FromHexString(proof); }
        catch (FormatException) { return false; }
        var expected = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{nonce}\n{subject}"));
        return given.Length == expected.Length && CryptographicOperations.FixedTimeEquals(given, expected);
    }

    public override string ToString() => "(secret)";
}
