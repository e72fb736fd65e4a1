using System.Diagnostics;
using Akka.Actor;
using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Owns the results writer: batches rows and writes them as one part file per flush (atomically: temporary
/// name, fsync, rename, RunFolder's mechanics). Only after the part file is durable are its rows acknowledged to
/// the nodes that sent them and reported to the SweepRun, so a result is never counted, nor forgotten by its node,
/// without being on disk. A failed write throws: the SweepRun's supervision stops the sweep (see SweepRun).
/// </summary>
internal sealed class ResultSink : ReceiveActor, IWithTimers
{
    /// <param name="Axes">The sweep's grid axes, one results column each; null: the built-in engine's.</param>
    internal sealed record Options(int FlushRows, TimeSpan FlushInterval, Compression Compression, IReadOnlyList<GridAxis>? Axes = null);

    /// <summary>A result to write; ReplyTo (a node's agent, or Nobody) gets the acknowledgement once it is durable.</summary>
    public sealed record Write(TrialResult Result, IActorRef ReplyTo);

    /// <summary>Write what is buffered now; answered with Flushed.</summary>
    public sealed record FlushNow;
    public sealed record Flushed;

    /// <summary>To the parent: these results are durable.</summary>
    public sealed record Durable(IReadOnlyList<TrialResult> Results);

    private sealed record FlushDue;

    private readonly RunFolder _folder;
    private readonly Options _options;
    private readonly List<Write> _buffer = [];
    private readonly Stopwatch _oldest = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public ResultSink(RunFolder folder, Options options)
    {
        (_folder, _options) = (folder, options);
        Receive<Write>(HandleWrite);
        Receive<FlushDue>(_ => HandleFlushDue());
        Receive<FlushNow>(_ => HandleFlushNow());
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("flush", new FlushDue(), TimeSpan.FromMilliseconds(Math.Max(50, _options.FlushInterval.TotalMilliseconds / 4)));

    private void HandleWrite(Write write)
    {
        if (_buffer.Count == 0) _oldest.Restart();
        _buffer.Add(write);
        if (_buffer.Count >= _options.FlushRows) Flush();
    }

    private void HandleFlushDue()
    {
        if (_buffer.Count > 0 && _oldest.Elapsed >= _options.FlushInterval) Flush();
    }

    private void HandleFlushNow()
    {
        Flush();
        Sender.Tell(new Flushed());
    }

    private void Flush()
    {
        if (_buffer.Count == 0) return;
        var results = _buffer.Select(b => b.Result).ToList();
        var part = _folder.NextPart(_folder.Results);
        var write = new WriteOptions { Compression = _options.Compression };
        // Curves go first under the results part's number: a crash in between leaves an orphan curves part,
        // which the next run deletes (RunFolder) because its trials were never recorded and will run again.
        if (ResultTable.CurvesTable(results) is { } curves)
            ParquetFile.WriteAtomic(_folder.CurvesPartFor(part), curves, write);
        ParquetFile.WriteAtomic(part, ResultTable.ToTable(results, _options.Axes ?? GridAxes.All), write);
        foreach (var node in _buffer.GroupBy(b => b.ReplyTo))
            if (!node.Key.IsNobody())
                node.Key.Tell(new ResultsAcknowledged([.. node.Select(b => b.Result.Spec.Id)]));
        _buffer.Clear();
        Context.Parent.Tell(new Durable(results));
    }
}
