using System.CommandLine;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using Microsoft.Extensions.Logging.Abstractions;
using SweepCluster.GpuNode;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Parquet;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep status DIR`: trials done, failed and remaining for a run folder (works while the sweep runs).</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "a run folder, e.g. runs/quickstart" };
        var broker = new Option<string?>("--broker") { Description = "also list the live nodes seen on this broker" };
        var command = new Command("status", "show a run folder's progress") { dir, broker };
        command.SetAction((p, cancellation) => StatusAsync(p.GetValue(dir)!, p.GetValue(broker), cancellation));
        return command;
    }

    private static async Task<int> StatusAsync(string dir, string? broker, CancellationToken cancellation)
    {
        var copy = Path.Combine(dir, RunFolder.SweepCopy);
        if (!File.Exists(copy))
            return Cli.Fail($"{dir}: not a run folder (it has no {RunFolder.SweepCopy}); expected a folder made by `sweep run`, e.g. runs/<name>");
        SweepFile sweep;
        try { sweep = SweepFileParser.Load(copy); }
        catch (SweepFileException e) { return Cli.Fail(e.Message); }
        var folder = RunFolder.ForReading(dir);
        try
        {
            var counts = SweepCounts.Of(TrialPlanner.Expand(sweep), folder.ReadRecorded());
            Console.WriteLine($"sweep {sweep.Name} ({dir})");
            Console.WriteLine($"  total      {counts.Total}");
            Console.WriteLine($"  done       {counts.Done}  (ok {counts.Ok}, diverged {counts.Diverged}, failed {counts.Failed}, timeout {counts.TimedOut})");
            Console.WriteLine($"  remaining  {counts.Remaining}");
            Console.WriteLine($"  part files {folder.PartFiles(folder.Results).Count}");
        }
        catch (ParquetFormatException e) { return Cli.Fail(e.Message); }
        if (broker is not null) return await PrintNodesAsync(broker, cancellation);
        return Cli.Ok;
    }

    /// <summary>
    /// Heartbeats are not stored by the broker, so status listens for a little longer than the nodes' default
    /// heartbeat interval (5 s) and shows whoever spoke.
    /// </summary>
    private static async Task<int> PrintNodesAsync(string broker, CancellationToken cancellation)
    {
        RabbitOptions rabbit;
        try { rabbit = RabbitOptions.From(broker); }
        catch (ArgumentException e) { return Cli.Fail($"sweep status: {e.Message}"); }
        var listen = TimeSpan.FromSeconds(6);
        ClusterSnapshot snapshot;
        try
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            patience.CancelAfter(TimeSpan.FromSeconds(30) + listen);
            snapshot = await RabbitEventsListener.SnapshotAsync(rabbit, listen, NullLogger.Instance, patience.Token);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"sweep status: broker {rabbit.Redacted()} did not answer within 30 s");
            return Cli.RuntimeFailure;
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"sweep status: {e.Message}");
            return Cli.RuntimeFailure;
        }
        Console.WriteLine($"broker {rabbit.Redacted()}");
        Console.WriteLine($"  queued     {snapshot.TrialsReady} trials (all sweeps), {snapshot.TrialsConsumers} node consumers");
        Console.WriteLine($"  nodes      {snapshot.Nodes.Count} heard from in {listen.TotalSeconds:0} s");
        if (snapshot.Nodes.Count == 0) return Cli.Ok;
        var now = DateTime.UtcNow;
        Console.WriteLine($"  {"node",-28} {"host",-20} {"slots",5} {"busy",5} {"done",8}  last heartbeat");
        foreach (var n in snapshot.Nodes)
        {
            var h = n.Heartbeat;
            Console.WriteLine($"  {h.Node.Value,-28} {h.Host,-20} {h.Slots,5} {h.BusySlots,5} {h.TrialsDone,8}  {(now - n.ReceivedAt).TotalSeconds:0.0} s ago");
        }
        return Cli.Ok;
    }
}
