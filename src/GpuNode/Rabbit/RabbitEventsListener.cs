using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>A node as the last heartbeat heard from it describes it; ReceivedAt is this machine's clock, not the node's.</summary>
internal sealed record LiveNode(NodeHeartbeat Heartbeat, DateTime ReceivedAt);

/// <summary>What <c>sweep status --broker</c> shows: live nodes, and the shared work queue's depth.</summary>
internal sealed record ClusterSnapshot(IReadOnlyList<LiveNode> Nodes, uint TrialsReady, uint TrialsConsumers);

/// <summary>
/// Listens to the events exchange on a private, auto-deleted queue and keeps the latest heartbeat of each node.
/// Heartbeats are not stored by the broker, so a listener sees a node only after that node's next heartbeat:
/// listen for at least one heartbeat interval before reading <see cref="Nodes"/>.
/// </summary>
internal sealed class RabbitEventsListener : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentDictionary<NodeId, LiveNode> _nodes = new();
    private readonly ILogger _logger;

    private RabbitEventsListener(IConnection connection, IChannel channel, ILogger logger)
    {
        _connection = connection;
        _channel = channel;
        _logger = logger;
    }

    public static async Task<RabbitEventsListener> StartAsync(RabbitOptions options, ILogger logger, CancellationToken cancellation)
    {
        var connection = await RabbitConnector.ConnectAsync(options, $"{options.ClientName} status", logger, cancellation);
        try
        {
            await RabbitTopology.DeclareSharedAsync(connection, cancellation);
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellation);
            var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellation);
            await channel.QueueBindAsync(queue.QueueName, RabbitTopology.EventsExchange, "heartbeat.#", cancellationToken: cancellation);
            var listener = new RabbitEventsListener(connection, channel, logger);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += listener.OnReceivedAsync;
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellation);
            return listener;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Listens for <paramref name="listenFor"/> (a heartbeat interval or more) and reports what it heard.</summary>
    public static async Task<ClusterSnapshot> SnapshotAsync(RabbitOptions options, TimeSpan listenFor, ILogger logger, CancellationToken cancellation)
    {
        await using var listener = await StartAsync(options, logger, cancellation);
        await Task.Delay(listenFor, cancellation);
        var (ready, consumers) = await listener.TrialsQueueAsync(cancellation);
        return new ClusterSnapshot(listener.Nodes(maxAge: listenFor + listenFor), ready, consumers);
    }

    /// <summary>Nodes heard from within <paramref name="maxAge"/>, by node id.</summary>
    public IReadOnlyList<LiveNode> Nodes(TimeSpan maxAge)
    {
        var since = DateTime.UtcNow - maxAge;
        return _nodes.Values.Where(n => n.ReceivedAt >= since).OrderBy(n => n.Heartbeat.Node.Value, StringComparer.Ordinal).ToList();
    }

    /// <summary>Trials waiting on the shared work queue (all sweeps), and how many node consumers it has.</summary>
    public async Task<(uint Ready, uint Consumers)> TrialsQueueAsync(CancellationToken cancellation)
    {
        var ok = await _channel.QueueDeclarePassiveAsync(RabbitTopology.TrialsQueue, cancellation);
        return (ok.MessageCount, ok.ConsumerCount);
    }

    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs e)
    {
        try
        {
            if (Wire.Decode(e.Body.Span) is NodeHeartbeat heartbeat)
                _nodes[heartbeat.Node] = new LiveNode(heartbeat, DateTime.UtcNow);
        }
        catch (WireFormatException error)
        {
            // Events are not kept by the broker, so there is nothing to park: note it and go on.
            _logger.LogWarning("Unreadable event on {Exchange} ({RoutingKey}): {Reason}", RabbitTopology.EventsExchange, e.RoutingKey, error.Message);
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
