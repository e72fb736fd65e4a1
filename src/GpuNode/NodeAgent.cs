using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>
/// Owns a node's slots: takes trials from the transport (never more than its free slots), starts a TrialRunner
/// per trial, and settles each delivery only after its result is durable in the transport. Heartbeats report
/// slots and busy slots on the events exchange. All state is touched by the inbox loop only.
/// </summary>
internal sealed class NodeAgent(INodeTransport transport, NodeOptions options, ILogger logger)
{
    private abstract record Message;
    private sealed record TrialArrived(Delivery<TrialSpec> Delivery) : Message;
    private sealed record TrialFinished(Delivery<TrialSpec> Delivery, TrialResult Result) : Message;
    private sealed record HeartbeatDue : Message;
    private sealed record TrialsFailed(Exception Error) : Message;

    private readonly Channel<Message> _inbox = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private int _busy;
    private long _done;

    public async Task RunAsync(CancellationToken stopping)
    {
        using var pumps = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var trials = PumpTrialsAsync(pumps.Token);
        var beats = PumpHeartbeatsAsync(pumps.Token);
        try
        {
            await foreach (var message in _inbox.Reader.ReadAllAsync(stopping))
            {
                switch (message)
                {
                    case TrialArrived m: await HandleTrialArrivedAsync(m.Delivery, stopping); break;
                    case TrialFinished m: await HandleTrialFinishedAsync(m.Delivery, m.Result, stopping); break;
                    case HeartbeatDue: await HandleHeartbeatAsync(stopping); break;
                    case TrialsFailed m: throw new InvalidOperationException($"node {options.Node}: the trial stream failed: {m.Error.Message}", m.Error);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await pumps.CancelAsync();
            await Task.WhenAll(trials, beats).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private async Task HandleTrialArrivedAsync(Delivery<TrialSpec> delivery, CancellationToken stopping)
    {
        var spec = delivery.Message;
        var maxDeliveries = spec.MaxDeliveries > 0 ? spec.MaxDeliveries : options.MaxDeliveries;
        if (delivery.DeliveryCount > maxDeliveries)
        {
            // It was handed out maxDeliveries times and never finished: it kills its node. Record it, don't run it.
            logger.LogWarning("trial {Trial} of sweep {Sweep} was delivered {Count} times; recording it as failed", spec.Id, spec.Sweep, delivery.DeliveryCount);
            var failed = TrialRunner.Failed(spec, options.Node, delivery.DeliveryCount,
                $"gave up after {delivery.DeliveryCount - 1} deliveries that never finished (the trial crashes or kills its node)");
            await HandleTrialFinishedAsync(delivery, failed, stopping, wasRunning: false);
            return;
        }
        _busy++;
        var timeout = spec.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(spec.TimeoutSeconds) : options.TrialTimeout;
        TrialRunner.Start(spec, options.Node, delivery.DeliveryCount, timeout,
            result => _inbox.Writer.TryWrite(new TrialFinished(delivery, result)), stopping);
    }

    private async Task HandleTrialFinishedAsync(Delivery<TrialSpec> delivery, TrialResult result, CancellationToken stopping, bool wasRunning = true)
    {
        if (wasRunning) _busy--;
        // The trial is acknowledged only once its result is durable: if this node dies in between, the trial
        // runs again and the coordinator drops the duplicate result by trial id.
        for (var wait = TimeSpan.FromMilliseconds(200); ; wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(10).Ticks)))
        {
            try
            {
                await transport.PublishResultAsync(result, stopping);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("publishing the result of trial {Trial} failed ({Error}); retrying in {Wait}", result.Spec.Id, e.Message, wait);
                await Task.Delay(wait, stopping);
            }
        }
        try
        {
            await delivery.AckAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // After a broker restart the delivery is stale and the trial was redelivered; the duplicate is dropped by id.
            logger.LogWarning("acknowledging trial {Trial} failed ({Error}); it may run again", result.Spec.Id, e.Message);
        }
        _done++;
    }

    private async Task HandleHeartbeatAsync(CancellationToken stopping)
    {
        try
        {
            await transport.PublishHeartbeatAsync(
                new NodeHeartbeat(options.Node, Environment.MachineName, options.Slots, _busy, _done, DateTime.UtcNow), stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("heartbeat not sent: {Error}", e.Message);
        }
    }

    private async Task PumpTrialsAsync(CancellationToken cancellation)
    {
        try
        {
            await foreach (var delivery in transport.ReadTrialsAsync(options.Slots, cancellation))
                await _inbox.Writer.WriteAsync(new TrialArrived(delivery), cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _inbox.Writer.TryWrite(new TrialsFailed(e));
        }
    }

    private async Task PumpHeartbeatsAsync(CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        try
        {
            do await _inbox.Writer.WriteAsync(new HeartbeatDue(), cancellation);
            while (await timer.WaitForNextTickAsync(cancellation));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
