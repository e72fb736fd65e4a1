namespace SweepCluster.Protocol;

/// <summary>
/// A message handed to a consumer that must be settled: Ack once its effect is durable, Reject to set it
/// aside (dead-letter) or return it to the queue. DeliveryCount is 1 on first delivery.
/// </summary>
public sealed class Delivery<T>(T message, int deliveryCount, Func<ValueTask> ack, Func<bool, ValueTask> reject)
{
    public T Message { get; } = message;
    public int DeliveryCount { get; } = deliveryCount;
    public ValueTask AckAsync() => ack();
    public ValueTask RejectAsync(bool requeue) => reject(requeue);
}

/// <summary>The coordinator's side of a transport: trials out on the shared work queue, this sweep's results in.</summary>
public interface ISweepTransport : IAsyncDisposable
{
    /// <summary>Completes when the trial is durable in the transport (broker confirm).</summary>
    ValueTask PublishTrialAsync(TrialSpec trial, CancellationToken cancellation);

    /// <summary>This sweep's results, each to be acknowledged only after it is durable in Parquet.</summary>
    IAsyncEnumerable<Delivery<TrialResult>> ReadResultsAsync(CancellationToken cancellation);
}

/// <summary>A node's side: trials in with at most prefetch unacknowledged, results and heartbeats out.</summary>
public interface INodeTransport : IAsyncDisposable
{
    /// <summary>Trials for this node; unreadable messages are set aside inside the transport and never yielded.</summary>
    IAsyncEnumerable<Delivery<TrialSpec>> ReadTrialsAsync(int prefetch, CancellationToken cancellation);

    /// <summary>Completes when the result is durable in the transport; only then may the trial be acknowledged.</summary>
    ValueTask PublishResultAsync(TrialResult result, CancellationToken cancellation);

    ValueTask PublishHeartbeatAsync(NodeHeartbeat heartbeat, CancellationToken cancellation);
}
