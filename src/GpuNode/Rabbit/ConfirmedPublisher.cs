using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>
/// Persistent publishes that complete only on the broker's confirm, retried across broker restarts and channel
/// closes until confirmed or cancelled. A retry after a lost confirm can publish a message twice; every consumer
/// de-duplicates by trial id, which is cheaper than any attempt at exactly-once delivery.
/// </summary>
internal sealed class ConfirmedPublisher(IConnection connection, ILogger logger) : IAsyncDisposable
{
    private static readonly CreateChannelOptions Confirms = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private readonly SemaphoreSlim _reopen = new(1, 1);
    private IChannel? _channel;

    /// <param name="onReturned">Runs when the broker could not route the message (no such queue), before the retry.</param>
    /// <param name="mandatory">False for messages nobody may be listening for (heartbeats): unroutable is then fine.</param>
    public async ValueTask PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellation, Func<CancellationToken, Task>? onReturned = null, bool mandatory = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var channel = await OpenChannelAsync(cancellation);
                await channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, cancellation);
                return;
            }
            catch (PublishException e) when (e.IsReturn && onReturned is not null && attempt < 5)
            {
                await onReturned(cancellation);
            }
            catch (Exception e) when (IsTransient(e) && !cancellation.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 20 == 0)
                    logger.LogWarning("Publish to {Exchange}/{RoutingKey} not confirmed ({Reason}); retrying", exchange, routingKey, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 2000)), cancellation);
            }
        }
    }

    /// <summary>The confirm channel, reopened if the broker closed it (automatic recovery only reopens after a lost connection).</summary>
    private async ValueTask<IChannel> OpenChannelAsync(CancellationToken cancellation)
    {
        var channel = _channel;
        if (channel is { IsOpen: true }) return channel;
        await _reopen.WaitAsync(cancellation);
        try
        {
            if (_channel is { IsOpen: true }) return _channel;
            // While the connection is down its channels come back with it; a new one now would fail anyway.
            if (!connection.IsOpen) throw new IOException("the connection to the broker is down");
            if (_channel is not null) await _channel.DisposeAsync();
            _channel = await connection.CreateChannelAsync(Confirms, cancellation);
            return _channel;
        }
        finally { _reopen.Release(); }
    }

    internal static bool IsTransient(Exception e) =>
        e is AlreadyClosedException or OperationInterruptedException or PublishException or IOException or ObjectDisposedException
            or TimeoutException or BrokerUnreachableException;

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null) await _channel.DisposeAsync();
        _reopen.Dispose();
    }
}
