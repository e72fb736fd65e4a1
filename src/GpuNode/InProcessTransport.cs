using System.Runtime.CompilerServices;
using System.Threading.Channels;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>
/// Both sides of a transport inside one process, with the broker's semantics where they matter: a node holds at
/// most prefetch unsettled trials, and a result counts as delivered once it is in the results channel. Nothing
/// here survives the process; the run folder's Parquet files are what make an embedded sweep resumable.
/// </summary>
internal sealed class InProcessTransport : ISweepTransport, INodeTransport
{
    private readonly Channel<TrialSpec> _trials = Channel.CreateUnbounded<TrialSpec>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<TrialResult> _results = Channel.CreateUnbounded<TrialResult>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask PublishTrialAsync(TrialSpec trial, CancellationToken cancellation) =>
        _trials.Writer.WriteAsync(trial, cancellation);

    public async IAsyncEnumerable<Delivery<TrialResult>> ReadResultsAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        await foreach (var result in _results.Reader.ReadAllAsync(cancellation))
            yield return new Delivery<TrialResult>(result, 1, static () => ValueTask.CompletedTask, static _ => ValueTask.CompletedTask);
    }

    public async IAsyncEnumerable<Delivery<TrialSpec>> ReadTrialsAsync(int prefetch, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var window = new SemaphoreSlim(prefetch, prefetch);
        while (true)
        {
            await window.WaitAsync(cancellation);
            if (!await _trials.Reader.WaitToReadAsync(cancellation)) yield break;
            if (!_trials.Reader.TryRead(out var trial)) { window.Release(); continue; }
            var settled = 0;
            ValueTask Settle()
            {
                if (Interlocked.Exchange(ref settled, 1) == 0) window.Release();
                return ValueTask.CompletedTask;
            }
            ValueTask Reject(bool requeue)
            {
                if (requeue) _trials.Writer.TryWrite(trial);
                return Settle();
            }
            yield return new Delivery<TrialSpec>(trial, 1, Settle, Reject);
        }
    }

    public ValueTask PublishResultAsync(TrialResult result, CancellationToken cancellation) =>
        _results.Writer.WriteAsync(result, cancellation);

    public ValueTask PublishHeartbeatAsync(NodeHeartbeat heartbeat, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _trials.Writer.TryComplete();
        _results.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
