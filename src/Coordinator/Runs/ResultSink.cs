using System.Diagnostics;
using System.Threading.Channels;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Owns the results writer: batches rows and writes them as one part file per flush (atomically: temporary
/// name, fsync, rename). Each result's delivery is acknowledged only after its part file is durable, and only
/// then is the SweepRun told, so a result is never counted without being on disk.
/// </summary>
internal sealed class ResultSink(RunFolder folder, ResultSink.Options options, Action<IReadOnlyList<TrialResult>> onDurable)
{
    internal sealed record Options(int FlushRows, TimeSpan FlushInterval, Compression Compression);

    private abstract record Message;
    private sealed record Record(TrialResult Result, Delivery<TrialResult> Delivery) : Message;
    private sealed record FlushDue : Message;
    private sealed record Drain(TaskCompletionSource Done) : Message;

    private readonly Channel<Message> _inbox = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(TrialResult Result, Delivery<TrialResult> Delivery)> _buffer = [];
    private readonly Stopwatch _oldest = new();

    public void Post(TrialResult result, Delivery<TrialResult> delivery) => _inbox.Writer.TryWrite(new Record(result, delivery));

    /// <summary>Writes whatever is buffered and completes when it is durable and acknowledged.</summary>
    public Task DrainAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inbox.Writer.TryWrite(new Drain(done))) done.SetResult();
        return done.Task;
    }

    public async Task RunAsync(CancellationToken cancellation)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, options.FlushInterval.TotalMilliseconds / 4)));
        var ticker = Tick(ticks, cancellation);
        await foreach (var message in _inbox.Reader.ReadAllAsync(cancellation))
        {
            switch (message)
            {
                case Record m: await HandleRecordAsync(m); break;
                case FlushDue: await HandleFlushDueAsync(); break;
                case Drain m: await HandleDrainAsync(m); break;
            }
        }
        await ticker;
    }

    private async Task HandleRecordAsync(Record m)
    {
        if (_buffer.Count == 0) _oldest.Restart();
        _buffer.Add((m.Result, m.Delivery));
        if (_buffer.Count >= options.FlushRows) await FlushAsync();
    }

    private async Task HandleFlushDueAsync()
    {
        if (_buffer.Count > 0 && _oldest.Elapsed >= options.FlushInterval) await FlushAsync();
    }

    private async Task HandleDrainAsync(Drain m)
    {
        try
        {
            await FlushAsync();
            m.Done.SetResult();
        }
        catch (Exception e)
        {
            m.Done.SetException(e);
        }
    }

    private async Task FlushAsync()
    {
        if (_buffer.Count == 0) return;
        var results = _buffer.Select(b => b.Result).ToList();
        var part = folder.NextPart(folder.Results);
        var write = new WriteOptions { Compression = options.Compression };
        // Curves go first under the results part's number: a crash in between leaves an orphan curves part,
        // which the next run deletes (RunFolder) because its trials were never recorded and will run again.
        if (ResultRows.CurvesTable(results) is { } curves)
            ParquetFile.WriteAtomic(folder.CurvesPartFor(part), curves, write);
        ParquetFile.WriteAtomic(part, ResultRows.ToTable(results), write);
        foreach (var (_, delivery) in _buffer)
        {
            try
            {
                await delivery.AckAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The rows are durable; a lost ack only means the broker redelivers, and the duplicate is dropped by id.
            }
        }
        _buffer.Clear();
        onDurable(results);
    }

    private async Task Tick(PeriodicTimer timer, CancellationToken cancellation)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation))
                _inbox.Writer.TryWrite(new FlushDue());
        }
        catch (OperationCanceledException)
        {
        }
    }
}
