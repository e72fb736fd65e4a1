using System.CommandLine;
using Akka.Actor;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep status DIR`: trials done, failed and remaining for a run folder (works while the sweep runs).</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "a run folder, e.g. runs/quickstart" };
        var coordinator = new Option<string?>("--coordinator") { Description = "also list the live nodes of the coordinator listening on HOST:PORT" };
        var secretFile = new Option<string?>("--secret-file") { Description = $"file holding the sweep's shared secret (or env {SharedSecret.Variable})" };
        var command = new Command("status", "show a run folder's progress") { dir, coordinator, secretFile };
        command.SetAction((p, _) => StatusAsync(p.GetValue(dir)!, p.GetValue(coordinator), p.GetValue(secretFile)));
        return command;
    }

    private static async Task<int> StatusAsync(string dir, string? coordinator, string? secretFile)
    {
        var copy = Path.Combine(dir, RunFolder.SweepCopy);
        if (!File.Exists(copy))
            return Cli.Fail($"{dir}: not a run folder (it has no {RunFolder.SweepCopy}); expected a folder made by `sweep run`, e.g. runs/<name>");
        SweepFile sweep;
        try { sweep = SweepFileParser.Load(copy, RunLayout.ProgramCopy(dir)); }
        catch (SweepFileException e) { return Cli.Fail(e.Message); }
        var folder = RunFolder.ForReading(dir);
        try
        {
            var grid = TrialPlanner.Plan(sweep);
            var (trials, search) = sweep.Estimate.Search == SearchMode.Adaptive ? AdaptiveTrials(dir, grid, sweep.Estimate) : (grid.Keys, null);
            var counts = SweepCounts.Of(trials, folder.ReadRecorded());
            Console.WriteLine($"sweep {sweep.Name} ({dir})");
            Console.WriteLine($"  total      {counts.Total}{(search is null ? "" : $" of {grid.Count} in the full grid")}");
            Console.WriteLine($"  done       {counts.Done}  (ok {counts.Ok}, diverged {counts.Diverged}, failed {counts.Failed}, timeout {counts.TimedOut})");
            Console.WriteLine($"  remaining  {counts.Remaining}");
            Console.WriteLine($"  part files {folder.PartFiles(folder.Results).Count}");
            if (search is not null) Console.WriteLine($"  search     {search}");
        }
        catch (ParquetFormatException e) { return Cli.Fail(e.Message); }
        if (coordinator is not null) return await PrintNodesAsync(coordinator, secretFile);
        return Cli.Ok;
    }

    /// <summary>
    /// An adaptive sweep's trials as far as its search can tell from what is recorded: the full grid less the sample sizes
    /// that finished searches skipped (they will never run), and a line on the searches. A search still probing may yet
    /// release some of its skipped sizes, so its trials all count until it is done.
    /// </summary>
    private static (IEnumerable<TrialKey> Trials, string Search) AdaptiveTrials(string dir, TrialGrid grid, AnalysisSettings settings)
    {
        // Built once: the replay and the count walk the same specs.
        var specs = grid.Trials().ToList();
        var searches = GroupSearch.ReplayAll(specs, ResultsLoader.Load(dir, settings), settings);
        var trials = specs
            .Where(t => searches[t.Group] is not { Done: true } s || !s.Skipped.Contains(t.Config.Hyper.SampleSize))
            .Select(t => TrialKey.Of(t.Id)).ToList();
        var done = searches.Values.Count(s => s.Done);
        return (trials, $"adaptive: {done} of {searches.Count} group{(searches.Count == 1 ? "" : "s")} done; " +
            $"{searches.Values.Where(s => s.Done).Sum(s => s.Skipped.Count)} sample sizes skipped by finished searches are not counted");
    }

    /// <summary>
    /// Asks the coordinator's sweep actor over Akka.Remote (this short-lived process never joins the cluster) for
    /// its registered nodes, each as of its last heartbeat.
    /// </summary>
    private static async Task<int> PrintNodesAsync(string coordinator, string? secretFile)
    {
        string host;
        int port;
        SharedSecret? secret;
        try
        {
            (host, port) = AkkaConfig.ParseEndpoint("sweep status: --coordinator", coordinator);
            secret = SharedSecret.Load(secretFile);
        }
        catch (ArgumentException e) { return Cli.Fail(e.Message.StartsWith("sweep status", StringComparison.Ordinal) ? e.Message : $"sweep status: {e.Message}"); }
        var config = AkkaConfig.RemoteClient(AkkaConfig.IsLoopback(host) ? "127.0.0.1" : "0.0.0.0");
        using var system = ActorSystem.Create(AkkaConfig.SystemName, config);
        var nonce = SharedSecret.NewNonce();
        object answer;
        try
        {
            answer = await system.ActorSelection(AkkaConfig.SweepActorPath(config, host, port))
                .Ask<object>(new NodesQuery(nonce, secret?.Prove(nonce, "status") ?? ""), TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"sweep status: no coordinator answered at {host}:{port} within 15 s");
            return Cli.RuntimeFailure;
        }
        finally
        {
            await system.Terminate();
        }
        if (answer is NodeRejected rejected)
        {
            await Console.Error.WriteLineAsync($"sweep status: the coordinator refused: {rejected.Reason}");
            return Cli.RuntimeFailure;
        }
        var nodes = ((NodesReport)answer).Nodes;
        Console.WriteLine($"coordinator {host}:{port}");
        Console.WriteLine($"  nodes      {nodes.Count} registered");
        if (nodes.Count == 0) return Cli.Ok;
        foreach (var line in NodeLines(nodes, DateTime.UtcNow)) Console.WriteLine(line);
        return Cli.Ok;
    }

    /// <summary>
    /// One line per node: its slots, busy slots, trials done, the age of its last heartbeat, and the GPU of each busy
    /// slot that has one (as the heartbeat names them; "-" for a node without GPUs).
    /// </summary>
    internal static IEnumerable<string> NodeLines(IReadOnlyList<NodeHeartbeat> nodes, DateTime now)
    {
        yield return $"  {"node",-28} {"host",-20} {"slots",5} {"busy",5} {"done",8}  {"last heartbeat",-14}  busy GPUs";
        foreach (var h in nodes)
        {
            var gpus = h.BusyGpus is { Count: > 0 } busy ? string.Join(',', busy) : "-";
            yield return $"  {h.Node.Value,-28} {h.Host,-20} {h.Slots,5} {h.BusySlots,5} {h.TrialsDone,8}  {$"{(now - h.At).TotalSeconds:0.0} s ago",-14}  {gpus}";
        }
    }
}
