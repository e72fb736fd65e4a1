using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>
/// Where the broker is and how to log in. The URI comes from <c>--broker</c> or <c>SWEEP_BROKER</c>; credentials from
/// the URI's userinfo or <c>SWEEP_BROKER_USER</c> / <c>SWEEP_BROKER_PASSWORD</c>. amqps:// turns TLS on; the server
/// certificate must chain to the system's roots or to the CA in <c>SWEEP_BROKER_TLS_CA</c> (PEM); a client certificate
/// for mutual TLS comes from <c>SWEEP_BROKER_TLS_CERT</c> (+ <c>SWEEP_BROKER_TLS_CERT_PASSWORD</c>).
/// The password never leaves this class except into the connection factory: display <see cref="Redacted"/>.
/// </summary>
internal sealed class RabbitOptions
{
    public const string BrokerVariable = "SWEEP_BROKER";
    public const string UserVariable = "SWEEP_BROKER_USER";
    public const string PasswordVariable = "SWEEP_BROKER_PASSWORD";
    public const string TlsCaVariable = "SWEEP_BROKER_TLS_CA";
    public const string TlsCertVariable = "SWEEP_BROKER_TLS_CERT";
    public const string TlsCertPasswordVariable = "SWEEP_BROKER_TLS_CERT_PASSWORD";

    private readonly string? _password;
    private readonly string? _tlsCertPassword;

    private RabbitOptions(Uri endpoint, string? user, string? password, string? tlsCaPath, string? tlsCertPath, string? tlsCertPassword)
    {
        Endpoint = endpoint;
        User = user;
        _password = password;
        TlsCaPath = tlsCaPath;
        TlsCertPath = tlsCertPath;
        _tlsCertPassword = tlsCertPassword;
    }

    /// <summary>The broker's URI without userinfo.</summary>
    public Uri Endpoint { get; }

    public string? User { get; }

    public string? TlsCaPath { get; }

    public string? TlsCertPath { get; }

    public bool UsesTls => Endpoint.Scheme == "amqps";

    /// <summary>
    /// How many results the coordinator may hold unacknowledged while ResultSink batches them: more than a batch,
    /// or the broker stops delivering before a batch fills and every batch waits for the flush timer.
    /// </summary>
    public ushort ResultPrefetch { get; set; } = 1000;

    /// <summary>A name for connections as the broker's management tools show them.</summary>
    public string ClientName { get; init; } = "sweepcluster";

    /// <summary>
    /// Options from an explicit <c>--broker</c> value or, when that is null, the environment.
    /// Throws <see cref="ArgumentException"/> with a message that never contains the password.
    /// </summary>
    public static RabbitOptions From(string? broker, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var text = string.IsNullOrWhiteSpace(broker) ? environment(BrokerVariable) : broker;
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"no broker: pass --broker amqp://host:5672/ or set {BrokerVariable}");
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            throw new ArgumentException($"broker '{RedactText(text)}' is not an amqp:// or amqps:// URI, e.g. amqp://host:5672/");

        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        user ??= NullIfEmpty(environment(UserVariable));
        password ??= NullIfEmpty(environment(PasswordVariable));

        var bare = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        var ca = ExistingFile(environment, TlsCaVariable);
        var cert = ExistingFile(environment, TlsCertVariable);
        return new RabbitOptions(bare, user, password, ca, cert, NullIfEmpty(environment(TlsCertPasswordVariable)));
    }

    /// <summary>The broker for display and logs: scheme, user, host, port, vhost; never the password.</summary>
    public string Redacted()
    {
        var who = User is null ? "" : Uri.EscapeDataString(User) + (_password is null ? "" : ":***") + "@";
        return $"{Endpoint.Scheme}://{who}{Endpoint.Authority}{Endpoint.AbsolutePath}";
    }

    public override string ToString() => Redacted();

    internal ConnectionFactory CreateFactory(string clientName)
    {
        var factory = new ConnectionFactory
        {
            Uri = Endpoint,
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            RequestedHeartbeat = TimeSpan.FromSeconds(30),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            // Reconnecting after a broker restart must not re-declare the quorum work queue (RabbitTopology).
            TopologyRecoveryFilter = new TopologyRecoveryFilter { QueueFilter = q => q.Name != RabbitTopology.TrialsQueue },
        };
        if (User is not null) factory.UserName = User;
        if (_password is not null) factory.Password = _password;
        if (UsesTls)
        {
            factory.Ssl.Enabled = true;
            factory.Ssl.ServerName = Endpoint.Host;
            factory.Ssl.Version = SslProtocols.Tls12 | SslProtocols.Tls13;
            if (TlsCaPath is not null)
                factory.Ssl.CertificateValidationCallback = TrustingCa(X509Certificate2.CreateFromPem(File.ReadAllText(TlsCaPath)));
            if (TlsCertPath is not null)
            {
                factory.Ssl.CertPath = TlsCertPath;
                factory.Ssl.CertPassphrase = _tlsCertPassword ?? "";
            }
        }
        return factory;
    }

    /// <summary>
    /// Accepts a server certificate that chains to <paramref name="ca"/> (a cluster's private CA) as well as one the
    /// system trusts; a certificate for another host name is refused either way.
    /// </summary>
    private static RemoteCertificateValidationCallback TrustingCa(X509Certificate2 ca) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA rarely publishes revocation lists
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
    };

    private static string? ExistingFile(Func<string, string?> environment, string variable)
    {
        var path = NullIfEmpty(environment(variable));
        if (path is not null && !File.Exists(path))
            throw new ArgumentException($"{variable} is '{path}', which is not a file; expected a PEM or PKCS#12 file");
        return path;
    }

    /// <summary>Removes the password from a broker text that could not even be parsed as a URI.</summary>
    private static string RedactText(string text)
    {
        var at = text.LastIndexOf('@');
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? text[..(scheme + 3)] + "***" + text[at..] : text;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
