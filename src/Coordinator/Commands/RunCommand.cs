using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep run FILE`: runs (or continues) a sweep, then prints the estimate and writes the report.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the sweep file (YAML)" };
        var workers = new Option<int>("--workers") { Description = "embedded worker slots (default: one per core)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var fresh = new Option<bool>("--fresh") { Description = "start over: the previous run folder is moved aside to <name>.archived-<time>" };
        var runs = new Option<string>("--runs") { Description = "folder that holds run folders", DefaultValueFactory = _ => "runs" };
        var broker = new Option<string?>("--broker") { Description = "run on a cluster through this RabbitMQ broker (amqp://… or env SWEEP_BROKER)" };
        var window = new Option<int>("--window") { Description = "most trials in flight at once", DefaultValueFactory = _ => 0 };
        var flushRows = new Option<int>("--flush-rows") { Description = "write a part file after this many results", DefaultValueFactory = _ => 2000 };
        var flushSeconds = new Option<double>("--flush-seconds") { Description = "or after this many seconds", DefaultValueFactory = _ => 5 };
        var retryFailed = new Option<bool>("--retry-failed") { Description = "run again the trials recorded as failed or timeout (their rows are replaced)" };
        var command = new Command("run", "run a sweep, or continue it where it stopped") { file, workers, fresh, retryFailed, runs, broker, window, flushRows, flushSeconds };
        command.SetAction((p, cancellation) => RunAsync(new RunRequest(
            p.GetValue(file)!, p.GetValue(workers), p.GetValue(fresh), p.GetValue(retryFailed), p.GetValue(runs)!, p.GetValue(broker),
            p.GetValue(window), p.GetValue(flushRows), p.GetValue(flushSeconds)), cancellation));
        return command;
    }

    private sealed record RunRequest(string File, int Workers, bool Fresh, bool RetryFailed, string Runs, string? Broker, int Window, int FlushRows, double FlushSeconds);

    private static async Task<int> RunAsync(RunRequest request, CancellationToken cancellation)
    {
        if (request.Workers < 1) return Cli.Fail($"sweep run: --workers is {request.Workers}; expected at least 1");
        if (request.Window < 0) return Cli.Fail($"sweep run: --window is {request.Window}; expected a positive number (or 0 for automatic)");
        if (request.FlushRows < 1) return Cli.Fail($"sweep run: --flush-rows is {request.FlushRows}; expected at least 1");
        if (request.FlushSeconds <= 0) return Cli.Fail($"sweep run: --flush-seconds is {request.FlushSeconds}; expected a positive number");
        SweepFile sweep;
        try { sweep = SweepFileParser.Load(request.File); }
        catch (SweepFileException e) { return Cli.Fail(e.Message); }

        var grid = TrialPlanner.Expand(sweep);
        var broker = request.Broker ?? Environment.GetEnvironmentVariable("SWEEP_BROKER");
        RunFolder folder;
        try { folder = RunFolder.OpenForRun(Path.Combine(request.Runs, sweep.Name), request.File, request.Fresh); }
        catch (RunFolderBusyException e) { await Console.Error.WriteLineAsync(e.Message); return Cli.RuntimeFailure; }
        using var _ = folder;
        sweep.Estimate.Save(folder.Root);

        Dictionary<TrialId, TrialStatus> recorded;
        try
        {
            if (request.RetryFailed)
                Console.WriteLine($"--retry-failed: {folder.DropRows(s => s is TrialStatus.Failed or TrialStatus.Timeout)} failed or timed-out rows removed; those trials run again");
            recorded = folder.ReadRecorded();
        }
        catch (ParquetFormatException e) { return Cli.Fail($"{e.Message} (a part file of this run is unreadable; move it away to continue)"); }

        var window = request.Window > 0 ? request.Window : broker is null ? Math.Max(64, 4 * request.Workers) : 1000;
        var options = new SweepRun.Options(window, new ResultSink.Options(request.FlushRows, TimeSpan.FromSeconds(request.FlushSeconds), Compression.Snappy));
        Console.WriteLine($"sweep {sweep.Name}: {grid.Count} trials, {recorded.Count} already recorded in {folder.Root}");

        var (exit, counts) = broker is null
            ? (null, await RunEmbeddedAsync(sweep, grid, recorded, folder, request.Workers, options, cancellation))
            : await RunOnBrokerAsync(sweep, grid, recorded, folder, broker, request.FlushRows, options, cancellation);
        if (exit is { } code) return code;
        if (cancellation.IsCancellationRequested)
        {
            Console.WriteLine($"interrupted: {counts.Done} of {counts.Total} trials are recorded; run the same command again to continue");
            return Cli.Interrupted;
        }
        EstimateOutput.PrintAndReport(folder.Root);
        return Cli.Ok;
    }

    /// <summary>The default: one NodeAgent in this process with a slot per worker, over channels.</summary>
    private static async Task<SweepCounts> RunEmbeddedAsync(SweepFile sweep, IReadOnlyList<TrialSpec> grid, Dictionary<TrialId, TrialStatus> recorded,
        RunFolder folder, int workers, SweepRun.Options options, CancellationToken cancellation)
    {
        await using var transport = new InProcessTransport();
        using var nodeStop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var node = new NodeAgent(transport, new NodeOptions(new NodeId("embedded"), workers,
            sweep.Limits.TrialTimeout, sweep.Limits.MaxDeliveries, TimeSpan.FromSeconds(30)), NullLogger.Instance);
        var nodeLoop = node.RunAsync(nodeStop.Token);
        // If the node fails, the sweep would wait for results forever: stop it and report the node's error.
        using var runStop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _ = nodeLoop.ContinueWith(_ => runStop.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var counts = await ProgressDisplay.RunAsync(sweep.Name,
            progress => new SweepRun(grid, recorded, transport, folder, progress, options).RunAsync(runStop.Token));
        await nodeStop.CancelAsync();
        await nodeLoop;
        return counts;
    }

    /// <summary>Cluster mode: trials out through the broker's work queue, results back on this sweep's queue.</summary>
    private static async Task<(int? Exit, SweepCounts Counts)> RunOnBrokerAsync(SweepFile sweep, IReadOnlyList<TrialSpec> grid, Dictionary<TrialId, TrialStatus> recorded,
        RunFolder folder, string broker, int flushRows, SweepRun.Options options, CancellationToken cancellation)
    {
        RabbitOptions rabbit;
        try { rabbit = RabbitOptions.From(broker); }
        catch (ArgumentException e) { return (Cli.Fail($"sweep run: {e.Message}"), null!); }
        rabbit.ResultPrefetch = (ushort)Math.Clamp(2L * flushRows, 100, ushort.MaxValue);
        // Log lines go to stderr so that stdout keeps the progress and the summary.
        using var logs = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Information));
        var logger = logs.CreateLogger("sweep");
        try
        {
            await using var transport = await RabbitSweepTransport.ConnectAsync(rabbit, new SweepId(sweep.Name), logger, cancellation);
            Console.WriteLine($"trials go to {rabbit.Redacted()}; start nodes with: sweep-node --broker {rabbit.Redacted()} --slots N");
            return (null, await ProgressDisplay.RunAsync(sweep.Name,
                progress => new SweepRun(grid, recorded, transport, folder, progress, options).RunAsync(cancellation)));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.WriteLine($"interrupted before the broker answered: {recorded.Count} of {grid.Count} trials are recorded");
            return (Cli.Interrupted, null!);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("broker ", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"sweep run: {e.Message}");
            return (Cli.RuntimeFailure, null!);
        }
    }
}
