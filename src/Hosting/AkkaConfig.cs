using System.Globalization;
using Akka.Configuration;

namespace SweepCluster.Hosting;

/// <summary>
/// The one place the ActorSystem's configuration is written. The actors are the same embedded and on a cluster;
/// only this differs: embedded is provider local (no port is opened), a cluster member is provider cluster with
/// the project's wire serializer bound to every protocol message and the failure-detection and downing settings
/// of cluster-config/akka.conf. SWEEP_AKKA_CONFIG may name a HOCON file whose settings win over these
/// (TLS, or the tests' shorter windows).
/// </summary>
public static class AkkaConfig
{
    public const string SystemName = "sweep";
    public const string OverrideVariable = "SWEEP_AKKA_CONFIG";
    public const string CoordinatorRole = "coordinator";
    public const string NodeRole = "node";

    /// <summary>The path of the coordinator's sweep actor, embedded and on a cluster.</summary>
    public const string SweepActorName = "sweep";

    private const string Common = """
        akka {
          loglevel = INFO
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.default-mailbox.mailbox-type = "Akka.Dispatch.UnboundedMailbox"
        }
        """;

    /// <summary>Embedded: nothing to report about nodes and links, so only warnings reach the sweep's output.</summary>
    public static Config Embedded() => WithOverride(ConfigurationFactory.ParseString(Common + "\nakka.loglevel = WARNING\nakka.actor.provider = local\n"));

    /// <summary>A cluster member that binds exactly host:port (port 0: any free port) and joins seed.</summary>
    public static Config Cluster(string host, int port, string seed, string role)
    {
        var hocon = $$"""
            akka {
              actor {
                provider = cluster
                serializers { sweep-wire = "SweepCluster.Hosting.WireSerializer, SweepCluster.Hosting" }
                serialization-bindings { "SweepCluster.Protocol.IWireMessage, SweepCluster.Protocol" = sweep-wire }
                serialization-identifiers { "SweepCluster.Hosting.WireSerializer, SweepCluster.Hosting" = {{WireSerializer.Id}} }
              }
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{host}}"
                  public-hostname = "{{host}}"
                  port = {{port.ToString(CultureInfo.InvariantCulture)}}
                  # A batch of results with loss curves can be large; one message is bounded well below this.
                  maximum-frame-size = 8MiB
                  send-buffer-size = 4MiB
                  receive-buffer-size = 4MiB
                }
              }
              cluster {
                roles = ["{{role}}"]
                log-info = off
                # Reasons for each number: cluster-config/akka.conf.
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = 2s
                  threshold = 8.0
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-oldest
                  stable-after = 5s
                  down-all-when-unstable = off
                  keep-oldest { down-if-alone = off, role = "" }
                }
                seed-node-timeout = 2s
                retry-unsuccessful-join-after = 2s
                shutdown-after-unsuccessful-join-seed-nodes = off
                run-coordinated-shutdown-when-down = on
              }
              coordinated-shutdown {
                exit-clr = off
                run-by-clr-shutdown-hook = off
              }
            }
            """;
        var config = WithOverride(ConfigurationFactory.ParseString(Common + "\n" + hocon));
        // The seed's address is written in the protocol the configuration ends up with (akka.ssl.tcp under TLS).
        return ConfigurationFactory.ParseString($"akka.cluster.seed-nodes = [\"{Protocol(config)}://{SystemName}@{seed}\"]").WithFallback(config);
    }

    /// <summary>akka.tcp, or akka.ssl.tcp when the configuration turns TLS on (cluster-config/tls.conf).</summary>
    public static string Protocol(Config config) =>
        config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false) ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>The coordinator's sweep actor at host:port, in the configuration's protocol.</summary>
    public static string SweepActorPath(Config config, string host, int port) =>
        $"{Protocol(config)}://{SystemName}@{host}:{port}/user/{SweepActorName}";

    /// <summary>A short-lived client (sweep status) that only speaks remoting, never joins the cluster.</summary>
    public static Config RemoteClient(string host)
    {
        var hocon = $$"""
            akka {
              actor {
                provider = remote
                serializers { sweep-wire = "SweepCluster.Hosting.WireSerializer, SweepCluster.Hosting" }
                serialization-bindings { "SweepCluster.Protocol.IWireMessage, SweepCluster.Protocol" = sweep-wire }
                serialization-identifiers { "SweepCluster.Hosting.WireSerializer, SweepCluster.Hosting" = {{WireSerializer.Id}} }
              }
              remote.log-remote-lifecycle-events = off
              remote.dot-netty.tcp { hostname = "{{host}}", port = 0, maximum-frame-size = 8MiB }
            }
            """;
        return WithOverride(ConfigurationFactory.ParseString(Common + "\nakka.loglevel = WARNING\n" + hocon));
    }

    private static Config WithOverride(Config config)
    {
        var file = Environment.GetEnvironmentVariable(OverrideVariable);
        if (string.IsNullOrEmpty(file)) return config;
        if (!File.Exists(file)) throw new ArgumentException($"{OverrideVariable}={file}: no such file; expected a HOCON file of Akka settings");
        return ConfigurationFactory.ParseString(File.ReadAllText(file)).WithFallback(config);
    }

    /// <summary>Parses HOST:PORT; throws ArgumentException naming the flag, the value and what was expected.</summary>
    public static (string Host, int Port) ParseEndpoint(string flag, string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"{flag} is '{value}'; expected HOST:PORT with a port from 1 to 65535, e.g. 10.0.0.5:4053");
        return (value[..colon].Trim('[', ']'), port);
    }

    public static bool IsLoopback(string host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
