using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>
/// Consumes one queue with manual acks and a prefetch, and turns its messages into <see cref="Delivery{T}"/>s.
/// A message that cannot be read is copied to the parking queue (confirmed), logged and acked, so one bad message
/// never stops a consumer. The channel is reopened when the broker closes it; after a lost connection the client's
/// automatic recovery restores channel and consumer, and deliveries buffered from before are dropped (the broker
/// redelivers them) so that a trial is not started on a delivery tag that can no longer be acked.
/// </summary>
internal sealed class RabbitConsumer<T>(
    IConnection connection,
    ConfirmedPublisher parking,
    string queue,
    ushort prefetch,
    Func<ReadOnlyMemory<byte>, IReadOnlyBasicProperties, int, T> read,
    ILogger logger)
{
    private readonly record struct Buffered(RabbitConsumer<T> From, int Generation, Delivery<T> Delivery)
    {
        public bool IsCurrent => Generation == Volatile.Read(ref From._generation);
    }

    private ChannelWriter<Buffered>? _output;
    private int _generation;

    /// <summary>The deliveries of all <paramref name="consumers"/>, interleaved, until cancelled.</summary>
    public static async IAsyncEnumerable<Delivery<T>> ReadAsync(IReadOnlyList<RabbitConsumer<T>> consumers, [EnumeratorCancellation] CancellationToken cancellation)
    {
        // Unbounded is safe: the broker never has more than the prefetch unacked per consumer.
        var buffer = Channel.CreateUnbounded<Buffered>(new() { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var pumps = consumers.Select(c =>
        {
            c._output = buffer.Writer;
            return Task.Run(() => c.PumpAsync(stop.Token), CancellationToken.None);
        }).ToArray();
        try
        {
            await foreach (var item in buffer.Reader.ReadAllAsync(cancellation))
                if (item.IsCurrent) yield return item.Delivery;
        }
        finally
        {
            await stop.CancelAsync();
            try { await Task.WhenAll(pumps); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>One channel at a time, reopened whenever the broker closes it, until cancelled.</summary>
    private async Task PumpAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellation);
                var closedByBroker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.ChannelShutdownAsync += (_, e) =>
                {
                    Interlocked.Increment(ref _generation);
                    // A lost connection is the recovery's job; a channel closed while the connection lives is ours.
                    if (e.Initiator != ShutdownInitiator.Application && connection.IsOpen)
                    {
                        logger.LogWarning("Broker closed the channel consuming {Queue}: {Code} {Reason}; reopening", queue, e.ReplyCode, e.ReplyText);
                        closedByBroker.TrySetResult();
                    }
                    return Task.CompletedTask;
                };
                await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: prefetch, global: false, cancellation);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, e) => OnReceivedAsync(channel, e);
                await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellation);
                await closedByBroker.Task.WaitAsync(cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ConfirmedPublisher.IsTransient(e))
            {
                logger.LogDebug("Consumer of {Queue} waiting for the broker: {Reason}", queue, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
        }
    }

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs e)
    {
        var generation = Volatile.Read(ref _generation);
        var tag = e.DeliveryTag;
        var count = DeliveryCount(e);
        T message;
        try
        {
            message = read(e.Body, e.BasicProperties, count);
        }
        catch (WireFormatException error)
        {
            await ParkAsync(channel, e, error);
            return;
        }
        var delivery = new Delivery<T>(message, count,
            ack: () => SettleAsync(() => channel.BasicAckAsync(tag, multiple: false), "ack"),
            reject: requeue => SettleAsync(() => channel.BasicRejectAsync(tag, requeue), requeue ? "requeue" : "reject"));
        _output!.TryWrite(new Buffered(this, generation, delivery));
    }

    /// <summary>
    /// A settle on a channel that has gone is not an error: the broker already put the message back, it will be
    /// delivered again, and the duplicate result is dropped by trial id.
    /// </summary>
    private async ValueTask SettleAsync(Func<ValueTask> settle, string what)
    {
        try { await settle(); }
        catch (Exception error) when (error is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException or IOException)
        {
            logger.LogDebug("Could not {What} a delivery from {Queue} ({Reason}); the broker will redeliver it", what, queue, error.Message);
        }
    }

    private async Task ParkAsync(IChannel channel, BasicDeliverEventArgs e, WireFormatException error)
    {
        logger.LogError("Unreadable message on {Queue} (message id {MessageId}, {Bytes} bytes): {Reason}; moved to {Parked}",
            queue, e.BasicProperties.MessageId ?? "none", e.Body.Length, error.Message, RabbitTopology.ParkedQueue);
        var headers = new Dictionary<string, object?>
        {
            [RabbitTopology.ParkedReasonHeader] = error.Message,
            [RabbitTopology.ParkedFromHeader] = queue,
        };
        var properties = new BasicProperties { Headers = headers, MessageId = e.BasicProperties.MessageId, ContentType = e.BasicProperties.ContentType };
        try
        {
            // Bounded: this blocks the channel's dispatch; if the broker is gone the message stays unacked and comes back.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await parking.PublishAsync("", RabbitTopology.ParkedQueue, properties, e.Body.ToArray(), timeout.Token);
            await SettleAsync(() => channel.BasicAckAsync(e.DeliveryTag, multiple: false), "ack");
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Not parked yet: leave it unacked; it comes back with the next connection and is parked then.
            logger.LogWarning("Could not park the unreadable message from {Queue}: {Reason}", queue, failure.Message);
        }
    }

    /// <summary>1 on first delivery. Quorum queues count returns in x-delivery-count, which survives a consumer's SIGKILL.</summary>
    private static int DeliveryCount(BasicDeliverEventArgs e)
    {
        if (e.BasicProperties.Headers?.TryGetValue("x-delivery-count", out var value) == true && value is not null)
            return checked((int)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) + 1);
        return e.Redelivered ? 2 : 1;
    }
}
