using System.Diagnostics;
using System.Threading.Channels;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Owns a sweep's progress: the trials still pending, the bounded window in flight, and which results are
/// recorded. Results are de-duplicated by trial id (a redelivered or re-run trial is dropped), handed to the
/// ResultSink, and count as done only when the sink reports them durable.
/// </summary>
internal sealed class SweepRun(
    IReadOnlyList<TrialSpec> grid,
    Dictionary<TrialId, TrialStatus> recorded,
    ISweepTransport transport,
    RunFolder folder,
    ISweepProgress progress,
    SweepRun.Options options)
{
    internal sealed record Options(int Window, ResultSink.Options Sink);

    private abstract record Message;
    private sealed record ResultArrived(Delivery<TrialResult> Delivery) : Message;
    private sealed record ResultsDurable(IReadOnlyList<TrialResult> Results) : Message;
    private sealed record Faulted(string Where, Exception Error) : Message;

    private readonly Channel<Message> _inbox = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<TrialId> _expected = grid.Select(t => t.Id).ToHashSet();
    private readonly HashSet<TrialId> _recording = [];
    private readonly HashSet<TrialId> _inFlight = [];
    private readonly Queue<TrialSpec> _pending = new(grid.Where(t => !recorded.ContainsKey(t.Id)));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private SweepCounts _counts = SweepCounts.Of(grid, recorded);

    /// <summary>Runs until every trial of the grid is recorded or cancellation; returns the final counts.</summary>
    public async Task<SweepCounts> RunAsync(CancellationToken cancellation)
    {
        progress.Report(_counts);
        if (_counts.Remaining == 0) return _counts;

        using var background = new CancellationTokenSource();
        var sink = new ResultSink(folder, options.Sink, results => _inbox.Writer.TryWrite(new ResultsDurable(results)));
        var sinkLoop = sink.RunAsync(background.Token);
        _ = sinkLoop.ContinueWith(t => _inbox.Writer.TryWrite(new Faulted("writing results", t.Exception!.GetBaseException())), TaskContinuationOptions.OnlyOnFaulted);
        var results = PumpResultsAsync(background.Token);
        try
        {
            await RefillAsync(cancellation);
            await foreach (var message in _inbox.Reader.ReadAllAsync(cancellation))
            {
                switch (message)
                {
                    case ResultArrived m: await HandleResultArrivedAsync(m.Delivery, sink, cancellation); break;
                    case ResultsDurable m: HandleResultsDurable(m.Results); break;
                    case Faulted m: throw new InvalidOperationException($"{m.Where} failed: {m.Error.Message}", m.Error);
                }
                if (_counts.Remaining == 0) break;
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Interrupted: what has arrived is still written, so no finished trial is lost.
        }
        finally
        {
            if (!sinkLoop.IsCompleted) await sink.DrainAsync();
            await background.CancelAsync();
            await Task.WhenAll(sinkLoop, results).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        while (_inbox.Reader.TryRead(out var late))
            if (late is ResultsDurable m) Count(m.Results);
        return _counts with { Elapsed = _clock.Elapsed };
    }

    private async Task HandleResultArrivedAsync(Delivery<TrialResult> delivery, ResultSink sink, CancellationToken cancellation)
    {
        var id = delivery.Message.Spec.Id;
        if (recorded.ContainsKey(id) || !_recording.Add(id))
        {
            // A second result for a recorded trial (redelivery, broker restart, coordinator restart): drop it.
            await delivery.AckAsync();
            return;
        }
        sink.Post(delivery.Message, delivery);
        // The trial has left the nodes; its result waits in the sink (and unacknowledged in the transport).
        _inFlight.Remove(id);
        await RefillAsync(cancellation);
        // The last result is in: write now rather than when the flush timer fires.
        if (_inFlight.Count == 0 && _pending.Count == 0) _ = sink.DrainAsync();
    }

    private void HandleResultsDurable(IReadOnlyList<TrialResult> results)
    {
        Count(results);
        progress.Report(_counts with { Elapsed = _clock.Elapsed });
    }

    private void Count(IReadOnlyList<TrialResult> results)
    {
        foreach (var r in results)
        {
            _recording.Remove(r.Spec.Id);
            if (recorded.TryAdd(r.Spec.Id, r.Status) && _expected.Contains(r.Spec.Id))
                _counts = _counts.With(r.Status);
        }
    }

    /// <summary>Keeps the window full: a huge grid never floods the transport, and a restart re-sends at most a window.</summary>
    private async Task RefillAsync(CancellationToken cancellation)
    {
        while (_inFlight.Count < options.Window && _pending.TryDequeue(out var trial))
        {
            if (recorded.ContainsKey(trial.Id) || _recording.Contains(trial.Id)) continue;
            await transport.PublishTrialAsync(trial, cancellation);
            _inFlight.Add(trial.Id);
        }
    }

    private async Task PumpResultsAsync(CancellationToken cancellation)
    {
        try
        {
            await foreach (var delivery in transport.ReadResultsAsync(cancellation))
                _inbox.Writer.TryWrite(new ResultArrived(delivery));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _inbox.Writer.TryWrite(new Faulted("reading results", e));
        }
    }
}
