using System.Globalization;
using Akka.Actor;
using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.GpuNode.Programs;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>
/// Program trials leased to a node's real agent and slot runners (NodeHarness): the rows they become, the GPU each
/// slot hands its program, heartbeats, batching left to the engine, and a node that stops.
/// </summary>
public sealed class NodeProgramTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    private string RunDirectory => Path.Combine(_folder.Path, "runs", Specs.Sweep);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(RunDirectory);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_program_trial_becomes_a_result_row_with_its_metrics_its_log_and_its_axes()
    {
        _folder.File("train.py", """
            import json, os, sys
            t = json.load(open(os.environ["SWEEP_TRIAL"]))
            layers = [0.5 for _ in range(t["depth"])]
            print("training", t["trial_id"], "depth", t["depth"], "lr", t["learning_rate"])
            print("a warning", file=sys.stderr)
            json.dump({"test_error": 0.125, "train_loss": 0.5, "steps": 300, "param_count": 97, "accuracy": 0.75,
                       "layers": len(layers), "seed": t["seed"], "n": t["sample_size"], "mode": os.environ["MODE"],
                       "lr_type": type(t["learning_rate"]).__name__, "depth_type": type(t["depth"]).__name__},
                      open(os.environ["SWEEP_RESULT"], "w"))
            """);
        var spec = Specs.Program(_folder.Path, RunDirectory, ["python3", "train.py"], seed: 4,
            axes: new Dictionary<string, double> { ["depth"] = 3, ["learning_rate"] = 1e-3 }, env: ["MODE=fast"], sampleSize: 64);
        var before = DateTime.UtcNow;
        await using var node = new NodeHarness([spec], slots: 1);

        var row = await node.Log.ResultOf(spec.Id);

        Assert.Equal(TrialStatus.Ok, row.Status);
        Assert.Null(row.Error);
        Assert.Equal(0.125, row.TestError);
        Assert.Equal(0.5, row.TrainLoss);
        Assert.Equal(300, row.Steps);
        Assert.Equal(97, row.ParamCount);
        Assert.Equal("program train.py", row.Model);
        Assert.Equal("n1", row.Node.Value);
        Assert.Equal(1, row.Attempt);
        Assert.Null(row.Gpu);
        Assert.True(row.StartedAt >= before && row.FinishedAt >= row.StartedAt, $"{before:O} {row.StartedAt:O} {row.FinishedAt:O}");
        Assert.True(row.WallSeconds > 0 && row.WallSeconds < 60, $"wall {row.WallSeconds}");
        var metrics = JsonNode.Parse(row.Metrics!)!;
        Assert.Equal(0.75, (double)metrics["accuracy"]!);
        Assert.Equal(3, (int)metrics["layers"]!);
        Assert.Equal(4, (int)metrics["seed"]!);
        Assert.Equal(64, (int)metrics["n"]!);
        Assert.Equal("fast", (string?)metrics["mode"]);
        Assert.Equal("int", (string?)metrics["depth_type"]);
        Assert.Equal("float", (string?)metrics["lr_type"]);
        var log = await File.ReadAllTextAsync(Path.Combine(RunDirectory, "logs", $"{spec.Id}.log"));
        Assert.True(log.Contains($"training {spec.Id} depth 3 lr 0.001", StringComparison.Ordinal), log);
        Assert.True(log.Contains("a warning", StringComparison.Ordinal), log);
        Assert.True(File.Exists(Path.Combine(RunDirectory, "trials", spec.Id.Value, "result.json")));
    }

    [Fact]
    public async Task Failed_timed_out_and_crashed_programs_are_rows_with_their_status_and_why()
    {
        _folder.File("fail.py", """
            import sys
            for i in range(30): print(f"line {i}", file=sys.stderr)
            print("ValueError: bad width", file=sys.stderr)
            sys.exit(3)
            """);
        _folder.File("segv.py", """
            import os, signal, sys
            print("about to crash", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGSEGV)
            """);
        var failed = Specs.Program(_folder.Path, RunDirectory, ["python3", "fail.py"], seed: 1);
        var segv = Specs.Program(_folder.Path, RunDirectory, ["python3", "segv.py"], seed: 2);
        var killed = Specs.Program(_folder.Path, RunDirectory, ["sh", "-c", "echo going >&2; kill -9 $$"], seed: 3);
        var slow = Specs.Program(_folder.Path, RunDirectory,
            ["sh", "-c", $"echo $$ > {_folder.Path}/slow.pid; sleep 300 & echo $! > {_folder.Path}/slow-child.pid; wait"], seed: 4, timeoutSeconds: 1.5);
        var noResult = Specs.Program(_folder.Path, RunDirectory, ["sh", "-c", "echo done"], seed: 5);
        await using var node = new NodeHarness([failed, segv, killed, slow, noResult], slots: 2);

        var rows = new Dictionary<string, TrialResult>();
        foreach (var (name, spec) in new[] { ("failed", failed), ("segv", segv), ("killed", killed), ("slow", slow), ("none", noResult) })
            rows[name] = await node.Log.ResultOf(spec.Id);

        Assert.Equal(TrialStatus.Failed, rows["failed"].Status);
        Assert.Contains("exited with code 3", rows["failed"].Error);
        Assert.Contains("ValueError: bad width", rows["failed"].Error);
        Assert.Contains("line 29", rows["failed"].Error);
        Assert.True(double.IsNaN(rows["failed"].TestError) && double.IsNaN(rows["failed"].TrainLoss));
        Assert.Equal(0, rows["failed"].Steps);
        Assert.Equal(0, rows["failed"].ParamCount);
        Assert.Null(rows["failed"].Metrics);

        Assert.Equal(TrialStatus.Failed, rows["segv"].Status);
        Assert.Contains("killed by SIGSEGV", rows["segv"].Error);
        Assert.Contains("about to crash", rows["segv"].Error);
        Assert.Equal(TrialStatus.Failed, rows["killed"].Status);
        Assert.Contains("killed by SIGKILL", rows["killed"].Error);
        Assert.Contains("going", rows["killed"].Error);

        Assert.Equal(TrialStatus.Timeout, rows["slow"].Status);
        Assert.Contains("time limit of 1.5 s", rows["slow"].Error);
        Assert.True(rows["slow"].WallSeconds >= 1.4, $"wall {rows["slow"].WallSeconds}");
        Assert.True(await Processes.GoneWithin(Pid("slow.pid"), TimeSpan.FromSeconds(5)), "the timed-out program survived");
        Assert.True(await Processes.GoneWithin(Pid("slow-child.pid"), TimeSpan.FromSeconds(5)), "the timed-out program's child survived");

        Assert.Equal(TrialStatus.Failed, rows["none"].Status);
        Assert.Contains("wrote no result file", rows["none"].Error);
        Assert.Equal(5, node.Log.Results.Count);
    }

    [Theory]
    [InlineData("7,9", 1, 6)]
    [InlineData("7,9", 2, 8)]
    [InlineData("7", 2, 4)]
    public async Task Each_program_sees_exactly_one_GPU_and_no_more_programs_share_one_than_slots_per_GPU_allow(string gpus, int perGpu, int trials)
    {
        var options = GpuOptions.Parse(gpus, perGpu.ToString(CultureInfo.InvariantCulture), out var error)!;
        Assert.Null(error);
        // Each program says what it saw and when it ran; they sleep long enough that the node's slots overlap.
        _folder.File("gpu.py", """
            import json, os, time
            start = time.time()
            time.sleep(1.5)
            json.dump({"test_error": 0.0, "start": start, "end": time.time(), "seen": os.environ["CUDA_VISIBLE_DEVICES"]},
                      open(os.environ["SWEEP_RESULT"], "w"))
            """);
        var specs = Enumerable.Range(0, trials).Select(i => Specs.Program(_folder.Path, RunDirectory, ["python3", "gpu.py"], seed: i)).ToList();
        await using var node = new NodeHarness(specs, options.Slots, options);

        var rows = new List<(string Seen, string? Gpu, double Start, double End)>();
        foreach (var spec in specs)
        {
            var row = await node.Log.ResultOf(spec.Id);
            Assert.Equal(TrialStatus.Ok, row.Status);
            var metrics = JsonNode.Parse(row.Metrics!)!;
            rows.Add(((string)metrics["seen"]!, row.Gpu, (double)metrics["start"]!, (double)metrics["end"]!));
        }

        var ids = gpus.Split(',');
        Assert.All(rows, r => Assert.Contains(r.Seen, ids));   // exactly one id, never a list, never empty
        Assert.All(rows, r => Assert.Equal(r.Seen, r.Gpu));     // the row names the GPU the program saw
        foreach (var gpu in ids)
        {
            var onGpu = rows.Where(r => r.Seen == gpu).ToList();
            Assert.Equal(perGpu, MaxConcurrent(onGpu.Select(r => (r.Start, r.End))));
        }
        // The node's slots ran together: every GPU's slots at once.
        Assert.Equal(options.Slots, MaxConcurrent(rows.Select(r => (r.Start, r.End))));
    }

    [Fact]
    public async Task Heartbeats_name_the_GPU_of_each_busy_slot()
    {
        var release = Path.Combine(_folder.Path, "release");
        string[] command = ["sh", "-c", $"while [ ! -e {release} ]; do sleep 0.05; done; echo '{{\"test_error\": 0}}' > \"$SWEEP_RESULT\""];
        var specs = new[] { Specs.Program(_folder.Path, RunDirectory, command, seed: 1), Specs.Program(_folder.Path, RunDirectory, command, seed: 2) };
        var gpus = GpuOptions.Parse("7,9", null, out _)!;
        await using var node = new NodeHarness(specs, gpus.Slots, gpus);

        Assert.True(await Eventually.True(() => node.Log.Heartbeats.Any(h => h.BusyGpus is ["7", "9"] && h.BusySlots == 2), 30),
            "no heartbeat named both busy GPUs: " + string.Join("; ", node.Log.Heartbeats.Select(h => $"{h.BusySlots} [{string.Join(',', h.BusyGpus ?? [])}]")));
        await File.WriteAllTextAsync(release, "");
        foreach (var spec in specs) Assert.Equal(TrialStatus.Ok, (await node.Log.ResultOf(spec.Id)).Status);
        var seen = node.Log.Heartbeats.Count;
        Assert.True(await Eventually.True(() => node.Log.Heartbeats.Skip(seen).Any(h => h.BusySlots == 0 && h.BusyGpus is []), 10));
    }

    [Fact]
    public async Task Program_trials_are_never_batched_even_when_many_wait_with_one_batch_key()
    {
        // Engine trials first, so that the node learns to ask for batches; then programs that a batch key cannot tell
        // apart, more of them than free slots.
        var engine = Enumerable.Range(0, 2).Select(Specs.Engine).ToList();
        string[] command = ["sh", "-c", "printf '{\"test_error\": 0, \"me\": \"%s\"}' \"$SWEEP_TRIAL\" > \"$SWEEP_RESULT\""];
        var programs = Enumerable.Range(0, 6).Select(i => Specs.Program(_folder.Path, RunDirectory, command, seed: i)).ToList();
        await using var node = new NodeHarness([.. engine, .. programs, .. Enumerable.Range(2, 20).Select(Specs.Engine)], slots: 2);

        foreach (var spec in programs)
        {
            var row = await node.Log.ResultOf(spec.Id);
            Assert.Equal(TrialStatus.Ok, row.Status);
            // Its own process, with its own trial file.
            Assert.Equal(Path.Combine(RunDirectory, "trials", spec.Id.Value, "trial.json"), (string?)JsonNode.Parse(row.Metrics!)!["me"]);
        }
    }

    [Fact]
    public async Task A_program_is_never_batched_and_engine_trials_run_beside_it_in_the_other_slot()
    {
        var release = Path.Combine(_folder.Path, "release");
        string[] command = ["sh", "-c", $"echo $SWEEP_TRIAL >> {_folder.Path}/started; while [ ! -e {release} ]; do sleep 0.05; done; echo '{{\"test_error\": 0}}' > \"$SWEEP_RESULT\""];
        // Two programs whose every field a batch key reads is the same, and engine trials that do batch.
        var programs = new[] { Specs.Program(_folder.Path, RunDirectory, command, seed: 1), Specs.Program(_folder.Path, RunDirectory, command, seed: 2) };
        var engine = Enumerable.Range(0, 40).Select(Specs.Engine).ToList();
        await using var node = new NodeHarness([programs[0], .. engine, programs[1]], slots: 2);

        foreach (var spec in engine) Assert.Equal(TrialStatus.Ok, (await node.Log.ResultOf(spec.Id)).Status);
        // Both programs run, each in its own process and slot, while the engine's trials went through the other.
        Assert.True(await Eventually.True(() => File.Exists(Path.Combine(_folder.Path, "started")) && File.ReadAllLines(Path.Combine(_folder.Path, "started")).Length == 2, 30));
        Assert.DoesNotContain(node.Log.Results.Keys, programs.Select(p => p.Id).Contains);
        Assert.Equal(2, node.State.BusySlots);
        await File.WriteAllTextAsync(release, "");
        foreach (var spec in programs) Assert.Equal(TrialStatus.Ok, (await node.Log.ResultOf(spec.Id)).Status);
    }

    [Fact]
    public async Task A_node_that_stops_kills_its_programs_and_hands_their_trials_back()
    {
        string[] command = ["sh", "-c", $"sleep 300 & echo $! > {_folder.Path}/child.pid; echo $$ > {_folder.Path}/program.pid; wait"];
        var spec = Specs.Program(_folder.Path, RunDirectory, command, seed: 1);
        await using var node = new NodeHarness([spec], slots: 1);
        await Processes.WaitForFile(Path.Combine(_folder.Path, "program.pid"));
        await Processes.WaitForFile(Path.Combine(_folder.Path, "child.pid"));

        var handed = await node.Agent.Ask<NodeAgent.HandedBack>(new NodeAgent.HandBack(), TimeSpan.FromSeconds(20));

        Assert.Equal(1, handed.Returned);
        Assert.Equal([spec.Id], node.Log.Returned);
        Assert.True(await Processes.GoneWithin(Pid("program.pid"), TimeSpan.FromSeconds(10)), "the program outlived its stopped node");
        Assert.True(await Processes.GoneWithin(Pid("child.pid"), TimeSpan.FromSeconds(10)), "the program's child outlived its stopped node");
        Assert.True(await Eventually.True(() => node.State.BusySlots == 0, 10));
        Assert.Empty(node.Log.Results);
    }

    [Fact]
    public void Logs_go_to_the_coordinators_run_folder_when_this_node_sees_it_else_to_runs_under_the_current_folder()
    {
        var shared = Specs.Program(_folder.Path, RunDirectory, ["python3", "train.py"], seed: 1, timeoutSeconds: 0);
        var trial = ProgramTrials.For(shared, new GpuId("3"))!;
        Assert.Equal(Path.Combine(RunDirectory, "logs", $"{shared.Id}.log"), trial.LogPath);
        Assert.Equal(Path.Combine(RunDirectory, "trials", shared.Id.Value), trial.TrialDirectory);
        Assert.Equal(_folder.Path, trial.Program.WorkingDirectory);
        Assert.Equal(new GpuId("3"), trial.Gpu);
        Assert.Equal(Timeout.InfiniteTimeSpan, trial.Timeout);   // 0: no limit, as for the engine's trials

        var elsewhere = shared with { RunDirectory = Path.Combine(_folder.Path, "not-on-this-node", Specs.Sweep) };
        var local = ProgramTrials.For(elsewhere, null)!;
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "runs", Specs.Sweep, "logs", $"{shared.Id}.log"), local.LogPath);
        Assert.Null(ProgramTrials.For(shared with { ProgramDirectory = null }, null));
    }

    private static int MaxConcurrent(IEnumerable<(double Start, double End)> runs)
    {
        var events = runs.SelectMany(r => new[] { (At: r.Start, Delta: 1), (At: r.End, Delta: -1) }).OrderBy(e => e.At).ThenBy(e => e.Delta);
        int now = 0, max = 0;
        foreach (var e in events) max = Math.Max(max, now += e.Delta);
        return max;
    }

    private int Pid(string file) => int.Parse(File.ReadAllText(Path.Combine(_folder.Path, file)).Trim(), CultureInfo.InvariantCulture);
}
