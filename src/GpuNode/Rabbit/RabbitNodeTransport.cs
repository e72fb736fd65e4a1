using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>
/// A node's side: trials from the shared work queue with at most <c>prefetch</c> unacked, results to the queue of
/// the trial's sweep (confirmed, so the caller may then ack the trial), heartbeats to the events exchange.
/// </summary>
internal sealed class RabbitNodeTransport : INodeTransport
{
    private static readonly TimeSpan HeartbeatPatience = TimeSpan.FromSeconds(5);

    private readonly IConnection _connection;
    private readonly ConfirmedPublisher _publisher;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SweepId, bool> _declaredResultQueues = new();

    private RabbitNodeTransport(IConnection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
        _publisher = new ConfirmedPublisher(connection, logger);
    }

    public static async Task<RabbitNodeTransport> ConnectAsync(RabbitOptions options, NodeId node, ILogger logger, CancellationToken cancellation)
    {
        var connection = await RabbitConnector.ConnectAsync(options, $"{options.ClientName} node {node}", logger, cancellation);
        try
        {
            await RabbitTopology.DeclareSharedAsync(connection, cancellation);
            return new RabbitNodeTransport(connection, logger);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public IAsyncEnumerable<Delivery<TrialSpec>> ReadTrialsAsync(int prefetch, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefetch);
        var trials = new RabbitConsumer<TrialSpec>(_connection, _publisher, RabbitTopology.TrialsQueue, checked((ushort)prefetch),
            (body, _, _) => RabbitWire.Decode<TrialSpec>(body), _logger);
        return RabbitConsumer<TrialSpec>.ReadAsync([trials], cancellation);
    }

    public async ValueTask PublishResultAsync(TrialResult result, CancellationToken cancellation)
    {
        var sweep = result.Spec.Sweep;
        // The coordinator declares its results queue before it publishes a trial; declaring it here too (idempotent)
        // means a result is never dropped as unroutable, e.g. after someone deleted the queue by hand.
        if (!_declaredResultQueues.ContainsKey(sweep)) await DeclareResultQueueAsync(sweep, cancellation);
        await _publisher.PublishAsync("", RabbitTopology.ResultsQueue(sweep), RabbitWire.Properties(result, persistent: true), Wire.Encode(result),
            cancellation, onReturned: c => DeclareResultQueueAsync(sweep, c));
    }

    /// <summary>Best effort: a heartbeat that cannot go out now is superseded by the next one.</summary>
    public async ValueTask PublishHeartbeatAsync(NodeHeartbeat heartbeat, CancellationToken cancellation)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        patience.CancelAfter(HeartbeatPatience);
        try
        {
            await _publisher.PublishAsync(RabbitTopology.EventsExchange, RabbitTopology.HeartbeatRoutingKey(heartbeat.Node),
                RabbitWire.Properties(heartbeat, persistent: false), Wire.Encode(heartbeat), patience.Token, mandatory: false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            _logger.LogDebug("Heartbeat not sent: the broker did not confirm it within {Patience}", HeartbeatPatience);
        }
    }

    private async Task DeclareResultQueueAsync(SweepId sweep, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellation);
                await channel.QueueDeclareAsync(RabbitTopology.ResultsQueue(sweep), durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellation);
                _declaredResultQueues[sweep] = true;
                return;
            }
            catch (Exception e) when (ConfirmedPublisher.IsTransient(e) && !cancellation.IsCancellationRequested)
            {
                _logger.LogDebug("Declaring the results queue of {Sweep} failed ({Reason}); retrying", sweep, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 2000)), cancellation);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
