using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Hosting;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>`sweep-node`: a cluster member that runs trials for the coordinator at --coordinator until it is stopped.</summary>
internal static class NodeCommand
{
    public const string CoordinatorVariable = "SWEEP_COORDINATOR";

    /// <summary>The address this node binds and announces; by default the local address that routes to the coordinator.</summary>
    public const string HostVariable = "SWEEP_NODE_HOST";

    public static RootCommand Create()
    {
        var coordinator = new Option<string?>("--coordinator") { Description = $"HOST:PORT the coordinator listens on, as given to `sweep run --listen` (or env {CoordinatorVariable})" };
        var slots = new Option<int?>("--slots") { Description = "cores used: each slot trains one batch of trials at once, or runs one trial of the user's program (default: one per core, or one per GPU with --gpus)" };
        var gpus = new Option<string?>("--gpus") { Description = "GPUs for the user's program: 'all' (as nvidia-smi -L lists them) or indices/UUIDs such as 0,1,2,3; each slot owns one, its program sees only that one in CUDA_VISIBLE_DEVICES" };
        var slotsPerGpu = new Option<string?>("--slots-per-gpu") { Description = "programs that may share one GPU (default 1): slots = GPUs × this" };
        var noBatch = new Option<bool>("--no-batch") { Description = "train one trial per slot instead of a batch (same results, slower for small models)" };
        var nodeId = new Option<string?>("--node-id") { Description = "name shown in status (default: host-pid)" };
        var secretFile = new Option<string?>("--secret-file") { Description = $"file holding the sweep's shared secret (or env {SharedSecret.Variable})" };
        var heartbeat = new Option<double>("--heartbeat") { Description = "seconds between heartbeats to the coordinator", DefaultValueFactory = _ => 5 };
        var verbose = new Option<bool>("--verbose") { Description = "log every batch of trials started" };
        var root = new RootCommand("SweepCluster worker node: joins a coordinator's Akka cluster and runs its trials")
        {
            coordinator, slots, gpus, slotsPerGpu, noBatch, nodeId, secretFile, heartbeat, verbose,
        };
        root.SetAction((parsed, cancellation) =>
        {
            if (Slots("sweep-node", parsed.GetValue(slots), parsed.GetValue(gpus), parsed.GetValue(slotsPerGpu), out var gpuOptions, out var error) is not { } slotCount)
                return Task.FromResult(Cli.Fail(error!));
            var options = new NodeOptions(
                parsed.GetValue(nodeId) is { Length: > 0 } id ? new NodeId(id) : NodeOptions.DefaultNodeId(),
                slotCount, TimeSpan.FromSeconds(parsed.GetValue(heartbeat)), Batching: !parsed.GetValue(noBatch), gpuOptions);
            return RunAsync(parsed.GetValue(coordinator) ?? Environment.GetEnvironmentVariable(CoordinatorVariable), parsed.GetValue(secretFile), parsed.GetValue(verbose), options, cancellation);
        });
        return root;
    }

    /// <summary>
    /// The slot count and GPUs of --slots, --gpus and --slots-per-gpu, for `sweep-node` and the embedded node of
    /// `sweep run` alike; null with one line for exit 2, prefixed with the command's name, when they are bad or disagree.
    /// A count below 1 is left to the command to refuse.
    /// </summary>
    internal static int? Slots(string command, int? slots, string? gpus, string? slotsPerGpu, out GpuOptions gpuOptions, out string? error)
    {
        gpuOptions = GpuOptions.None;
        if (GpuOptions.Parse(gpus, slotsPerGpu, out error) is not { } parsed)
        {
            error = $"{command}: {error}";
            return null;
        }
        gpuOptions = parsed;
        var count = parsed.SlotCount(slots, gpus, out error);
        if (error is not null) error = $"{command}: {error}";
        return count;
    }

    private static async Task<int> RunAsync(string? coordinator, string? secretFile, bool verbose, NodeOptions options, CancellationToken stopping)
    {
        if (options.Slots < 1) return Cli.Fail($"sweep-node: --slots is {options.Slots}; expected a positive number of slots");
        if (options.HeartbeatInterval <= TimeSpan.Zero) return Cli.Fail($"sweep-node: --heartbeat is {options.HeartbeatInterval.TotalSeconds}; expected a positive number of seconds");
        if (string.IsNullOrWhiteSpace(coordinator)) return Cli.Fail($"sweep-node: no coordinator given; pass --coordinator HOST:PORT or set {CoordinatorVariable}");
        string host;
        int port;
        SharedSecret? secret;
        try
        {
            (host, port) = AkkaConfig.ParseEndpoint("sweep-node: --coordinator", coordinator);
            secret = SharedSecret.Load(secretFile);
        }
        catch (ArgumentException e) { return Cli.Fail($"sweep-node: {e.Message}"); }
        var self = Environment.GetEnvironmentVariable(HostVariable) is { Length: > 0 } h ? h : LocalAddressFor(host, port);
        var state = new NodeState();
        var config = AkkaConfig.Cluster(self, 0, $"{host}:{port}", AkkaConfig.NodeRole);
        var settings = new NodeAgent.Settings(options, secret, AkkaConfig.SweepActorPath(config, host, port), verbose);
        var onGpus = options.Gpus is { Gpus.Count: > 0 } g ? $" on GPUs {string.Join(',', g.Gpus)}" + (g.SlotsPerGpu > 1 ? $" ({g.SlotsPerGpu} per GPU)" : "") : "";
        Console.WriteLine($"sweep-node {options.Node}: {options.Slots} slots{onGpus}{(options.Batching ? "" : ", batching off")}, coordinator {host}:{port}, this node at {self}{(secret is null ? "" : ", with the sweep's secret")}");
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = stopping.Register(() => stopped.TrySetResult());
        var portClashes = 0;
        while (true)
        {
            // A fresh ActorSystem per attempt: after the coordinator restarts (a new cluster on the same address) or
            // after this node was downed, the old system is quarantined for good; the running trials and the outbox
            // live in NodeState and carry over.
            var system = ActorSystem.Create(AkkaConfig.SystemName, config);
            if (HoldsTheCoordinatorsAddress(system, host, port))
            {
                // The OS handed this node the coordinator's port (a coordinator not listening yet, on a port of the
                // ephemeral range): this system would be a cluster of its own. Another port, then.
                await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
                if (++portClashes == MaxPortClashes)
                {
                    await Console.Error.WriteLineAsync($"sweep-node: this node listens on the coordinator's own address {host}:{port} every time " +
                        $"({MaxPortClashes} tries); a fixed port in {AkkaConfig.OverrideVariable}? A node must listen elsewhere");
                    return Cli.RuntimeFailure;
                }
                Console.WriteLine($"sweep-node {options.Node}: got the coordinator's own port {port} before it listens; taking another");
                continue;
            }
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var agent = system.ActorOf(Props.Create(() => new NodeAgent(settings, state, null, lost)), "node");
            var ended = await Task.WhenAny(lost.Task, system.WhenTerminated, stopped.Task);
            if (ended == stopped.Task)
            {
                try
                {
                    var handed = await agent.Ask<NodeAgent.HandedBack>(new NodeAgent.HandBack(), TimeSpan.FromSeconds(10));
                    Console.WriteLine($"sweep-node {options.Node}: stopped; running trials handed back, {handed.Undelivered} results undelivered");
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
                {
                    Console.WriteLine($"sweep-node {options.Node}: stopped without an answer from the coordinator; its trials run again elsewhere once it notices");
                }
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
                return Cli.Ok;
            }
            Console.WriteLine(ended == lost.Task
                ? $"sweep-node {options.Node}: {lost.Task.Result}; joining again"
                : $"sweep-node {options.Node}: left the cluster (downed or shut down); joining again with a fresh actor system");
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private const int MaxPortClashes = 5;

    private static bool HoldsTheCoordinatorsAddress(ActorSystem system, string host, int port)
    {
        var self = Cluster.Get(system).SelfAddress;
        return self.Port == port && (string.Equals(self.Host, host, StringComparison.OrdinalIgnoreCase) || AkkaConfig.IsLoopback(host));
    }

    /// <summary>The local address that routes to the coordinator: the one it can reach this node on.</summary>
    private static string LocalAddressFor(string host, int port)
    {
        if (AkkaConfig.IsLoopback(host)) return host == "localhost" ? "127.0.0.1" : host;
        try
        {
            using var probe = new Socket(SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(host, port);
            return ((IPEndPoint)probe.LocalEndPoint!).Address.ToString();
        }
        catch (SocketException)
        {
            return Dns.GetHostName();
        }
    }
}
