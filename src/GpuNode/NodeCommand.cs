using System.CommandLine;
using Microsoft.Extensions.Logging;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>`sweep-node`: a worker that runs trials from the broker until it is stopped.</summary>
internal static class NodeCommand
{
    public static RootCommand Create()
    {
        var broker = new Option<string?>("--broker") { Description = "AMQP URI of the broker (or env SWEEP_BROKER), e.g. amqp://host:5672/" };
        var slots = new Option<int>("--slots") { Description = "trials run at once (default: one per core)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var nodeId = new Option<string?>("--node-id") { Description = "name shown in status (default: host-pid)" };
        var timeout = new Option<double>("--trial-timeout") { Description = "seconds before a trial ends as timeout, unless its sweep sets one", DefaultValueFactory = _ => 6 * 3600 };
        var deliveries = new Option<int>("--max-deliveries") { Description = "deliveries before a trial that never finishes is recorded as failed, unless its sweep sets it", DefaultValueFactory = _ => 3 };
        var heartbeat = new Option<double>("--heartbeat") { Description = "seconds between heartbeats", DefaultValueFactory = _ => 5 };
        var root = new RootCommand("SweepCluster worker node: runs trials from a RabbitMQ work queue")
        {
            broker, slots, nodeId, timeout, deliveries, heartbeat,
        };
        root.SetAction((parsed, cancellation) =>
        {
            var options = new NodeOptions(
                parsed.GetValue(nodeId) is { Length: > 0 } id ? new NodeId(id) : NodeOptions.DefaultNodeId(),
                parsed.GetValue(slots), TimeSpan.FromSeconds(parsed.GetValue(timeout)), parsed.GetValue(deliveries),
                TimeSpan.FromSeconds(parsed.GetValue(heartbeat)));
            return RunAsync(parsed.GetValue(broker) ?? Environment.GetEnvironmentVariable("SWEEP_BROKER"), options, cancellation);
        });
        return root;
    }

    private static async Task<int> RunAsync(string? broker, NodeOptions options, CancellationToken stopping)
    {
        if (options.Slots < 1) return Cli.Fail($"sweep-node: --slots is {options.Slots}; expected a positive number of slots");
        if (options.MaxDeliveries < 1) return Cli.Fail($"sweep-node: --max-deliveries is {options.MaxDeliveries}; expected at least 1");
        if (options.TrialTimeout <= TimeSpan.Zero) return Cli.Fail($"sweep-node: --trial-timeout is {options.TrialTimeout.TotalSeconds}; expected a positive number of seconds");
        if (options.HeartbeatInterval <= TimeSpan.Zero) return Cli.Fail($"sweep-node: --heartbeat is {options.HeartbeatInterval.TotalSeconds}; expected a positive number of seconds");
        if (string.IsNullOrWhiteSpace(broker)) return Cli.Fail("sweep-node: no broker given; pass --broker amqp://host:5672/ or set SWEEP_BROKER");
        RabbitOptions rabbit;
        try { rabbit = RabbitOptions.From(broker); }
        catch (ArgumentException e) { return Cli.Fail($"sweep-node: {e.Message}"); }
        using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        var logger = logs.CreateLogger("sweep-node");
        try
        {
            await using var transport = await RabbitNodeTransport.ConnectAsync(rabbit, options.Node, logger, stopping);
            logger.LogInformation("node {Node}: {Slots} slots, trials from {Broker}", options.Node, options.Slots, rabbit.Redacted());
            await new NodeAgent(transport, options, logger).RunAsync(stopping);
            logger.LogInformation("node {Node}: stopped; unfinished trials go back to the queue", options.Node);
            return Cli.Ok;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return Cli.Ok;
        }
        catch (InvalidOperationException e)
        {
            logger.LogError("node {Node}: {Error}", options.Node, e.Message);
            return Cli.RuntimeFailure;
        }
    }
}
