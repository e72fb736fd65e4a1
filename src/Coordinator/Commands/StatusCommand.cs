using System.CommandLine;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;
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
        if (broker is not null)
        {
            // TODO(rabbit): list live nodes from heartbeats.
            await Task.CompletedTask;
            _ = cancellation;
        }
        return Cli.Ok;
    }
}
