using System.CommandLine;
using Akka.Actor;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep run FILE`: runs (or continues) a sweep, then prints the estimate and writes the report.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the sweep file (YAML)" };
        var slots = new Option<int>("--slots") { Description = "cores used by the embedded node: each slot trains one batch of trials at once, or runs one trial of the user's program (default: one per core, or one per GPU slot with --gpus)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var gpus = new Option<string?>("--gpus") { Description = "GPUs the embedded node hands to the user's program, one per slot: 'all' or indices/UUIDs such as 0,1 (slots = GPUs × --slots-per-gpu)" };
        var slotsPerGpu = new Option<string?>("--slots-per-gpu") { Description = "programs that may share one GPU (default 1)" };
        var noBatch = new Option<bool>("--no-batch") { Description = "the embedded node trains one trial per slot instead of a batch (same results, slower for small models)" };
        // The concept's old name, kept so that existing scripts keep working; not shown in --help.
        var workers = new Option<int?>("--workers") { Hidden = true };
        var fresh = new Option<bool>("--fresh") { Description = "start over: the previous run folder is moved aside to <name>.archived-<time>" };
        var runs = new Option<string>("--runs") { Description = "folder that holds run folders", DefaultValueFactory = _ => "runs" };
        var listen = new Option<string?>("--listen") { Description = "run on a cluster: listen on HOST:PORT for sweep-node processes (this process is the cluster's seed)" };
        var secretFile = new Option<string?>("--secret-file") { Description = $"file holding the sweep's shared secret, required with --listen on a non-loopback address (or env {Hosting.SharedSecret.Variable})" };
        var flushRows = new Option<int>("--flush-rows") { Description = "write a part file after this many results", DefaultValueFactory = _ => 2000 };
        var flushSeconds = new Option<double>("--flush-seconds") { Description = "or after this many seconds", DefaultValueFactory = _ => 5 };
        var retryFailed = new Option<bool>("--retry-failed") { Description = "run again the trials recorded as failed or timeout (their rows are replaced)" };
        var command = new Command("run", "run a sweep, or continue it where it stopped") { file, slots, gpus, slotsPerGpu, noBatch, workers, fresh, retryFailed, runs, listen, secretFile, flushRows, flushSeconds };
        command.SetAction((p, cancellation) =>
        {
            // The embedded node's slots and GPUs, by sweep-node's rules and messages.
            var given = p.GetValue(workers) ?? (p.GetResult(slots) is { Implicit: false } ? p.GetValue(slots) : null);
            if (NodeCommand.Slots("sweep run", given, p.GetValue(gpus), p.GetValue(slotsPerGpu), out var gpuOptions, out var error) is not { } slotCount)
                return Task.FromResult(Cli.Fail(error!));
            if (gpuOptions.Gpus.Count > 0 && p.GetValue(listen) is not null)
                return Task.FromResult(Cli.Fail($"sweep run: --gpus {p.GetValue(gpus)} is for the embedded node, and --listen runs none; give --gpus to each sweep-node instead"));
            return RunAsync(new RunRequest(
                p.GetValue(file)!, slotCount, p.GetValue(fresh), p.GetValue(retryFailed), p.GetValue(runs)!, p.GetValue(listen),
                p.GetValue(secretFile), p.GetValue(flushRows), p.GetValue(flushSeconds), !p.GetValue(noBatch), gpuOptions), cancellation);
        });
        return command;
    }

    private sealed record RunRequest(string File, int Slots, bool Fresh, bool RetryFailed, string Runs, string? Listen, string? SecretFile, int FlushRows, double FlushSeconds, bool Batching, GpuOptions Gpus);

    private static async Task<int> RunAsync(RunRequest request, CancellationToken cancellation)
    {
        if (request.Slots < 1) return Cli.Fail($"sweep run: --slots is {request.Slots}; expected at least 1");
        if (request.FlushRows < 1) return Cli.Fail($"sweep run: --flush-rows is {request.FlushRows}; expected at least 1");
        if (request.FlushSeconds <= 0) return Cli.Fail($"sweep run: --flush-seconds is {request.FlushSeconds}; expected a positive number");
        (string Host, int Port)? listen = null;
        SharedSecret? secret;
        try
        {
            if (request.Listen is not null) listen = AkkaConfig.ParseEndpoint("sweep run: --listen", request.Listen);
            secret = SharedSecret.Load(request.SecretFile);
        }
        catch (ArgumentException e) { return Cli.Fail(e.Message.StartsWith("sweep run", StringComparison.Ordinal) ? e.Message : $"sweep run: {e.Message}"); }
        if (listen is { } l && secret is null && !AkkaConfig.IsLoopback(l.Host))
            return Cli.Fail($"sweep run: --listen {request.Listen} is not a loopback address and no secret is set; anyone who reaches the port could take trials " +
                $"and inject results. Pass --secret-file FILE (or set {SharedSecret.Variable}) here and on every node, or listen on 127.0.0.1");
        SweepFile sweep;
        try { sweep = SweepFileParser.Load(request.File); }
        catch (SweepFileException e) { return Cli.Fail(e.Message); }

        var runDirectory = Path.Combine(request.Runs, sweep.Name);
        // Every trial's id, computed once; a trial's spec is built when it is handed out.
        var grid = TrialPlanner.Plan(sweep, runDirectory);
        RunFolder folder;
        try { folder = RunFolder.OpenForRun(runDirectory, request.File, request.Fresh, sweep.ProgramFiles); }
        catch (RunFolderBusyException e) { await Console.Error.WriteLineAsync(e.Message); return Cli.RuntimeFailure; }
        using var _ = folder;
        sweep.Estimate.Save(folder.Root);

        Dictionary<TrialKey, TrialStatus> recorded;
        try
        {
            if (request.RetryFailed)
                Console.WriteLine($"--retry-failed: {folder.DropRows(s => s is TrialStatus.Failed or TrialStatus.Timeout)} failed or timed-out rows removed; those trials run again");
            recorded = folder.ReadRecorded();
        }
        catch (ParquetFormatException e) { return Cli.Fail($"{e.Message} (a part file of this run is unreadable; move it away to continue)"); }

        var options = new SweepRun.Options(new ResultSink.Options(request.FlushRows, TimeSpan.FromSeconds(request.FlushSeconds), Compression.Snappy, sweep.Estimate.Axes), secret);
        var trials = Trials(sweep, grid, folder);
        Console.WriteLine(sweep.Estimate.Search == SearchMode.Adaptive
            ? $"sweep {sweep.Name}: adaptive search over {grid.Count} trials of the full grid, {recorded.Count} already recorded in {folder.Root}"
            : $"sweep {sweep.Name}: {grid.Count} trials, {recorded.Count} already recorded in {folder.Root}");
        var counts = await RunActorsAsync(sweep, trials, recorded, folder, request.Slots, request.Batching, request.Gpus, listen, options, cancellation);
        if (cancellation.IsCancellationRequested)
        {
            Console.WriteLine($"interrupted: {counts.Done} of {counts.Total} trials are recorded; run the same command again to continue");
            return Cli.Interrupted;
        }
        EstimateOutput.PrintAndReport(folder.Root);
        return Cli.Ok;
    }

    /// <summary>The whole grid, or for an adaptive search the trials it asks for, replayed from what is recorded.</summary>
    private static ITrialSource Trials(SweepFile sweep, TrialGrid grid, RunFolder folder) =>
        sweep.Estimate.Search == SearchMode.Adaptive
            ? new AdaptiveTrials(grid, sweep.Estimate, ResultsLoader.Load(folder.Root, sweep.Estimate))
            : new GridTrials(grid);

    /// <summary>
    /// One ActorSystem with the sweep's actors. Embedded (the default) it is provider local with one NodeAgent in
    /// this process; with --listen it is the cluster's seed and the nodes are sweep-node processes that join it.
    /// </summary>
    private static async Task<SweepCounts> RunActorsAsync(SweepFile sweep, ITrialSource trials, Dictionary<TrialKey, TrialStatus> recorded,
        RunFolder folder, int slots, bool batching, GpuOptions gpus, (string Host, int Port)? listen, SweepRun.Options options, CancellationToken cancellation)
    {
        var config = listen is { } l
            ? AkkaConfig.Cluster(l.Host, l.Port, $"{l.Host}:{l.Port}", AkkaConfig.CoordinatorRole)
            : AkkaConfig.Embedded();
        using var system = ActorSystem.Create(AkkaConfig.SystemName, config);
        var node = new NodeState();
        try
        {
            return await ProgressDisplay.RunAsync(sweep.Name, async progress =>
            {
                var finished = new TaskCompletionSource<SweepCounts>(TaskCreationOptions.RunContinuationsAsynchronously);
                var run = system.ActorOf(Props.Create(() => new SweepRun(new SweepId(sweep.Name), trials, recorded, folder, progress, options, finished)),
                    AkkaConfig.SweepActorName);
                if (listen is { } at)
                    Console.WriteLine($"listening on {at.Host}:{at.Port}; start nodes with: sweep-node --coordinator {at.Host}:{at.Port} --slots N" +
                        (options.Secret is null ? "" : " (and the same --secret-file or SWEEP_SECRET)"));
                else
                {
                    var settings = new NodeAgent.Settings(new NodeOptions(new NodeId("embedded"), slots, TimeSpan.FromSeconds(30), batching, gpus), null, null);
                    var lost = new TaskCompletionSource<string>();
                    system.ActorOf(Props.Create(() => new NodeAgent(settings, node, run, lost)), "node");
                }
                await using var stop = cancellation.Register(() =>
                {
                    node.Stopping.Cancel();
                    run.Tell(new SweepRun.Stop());
                });
                return await finished.Task;
            });
        }
        finally
        {
            node.Stopping.Cancel();
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }
}
