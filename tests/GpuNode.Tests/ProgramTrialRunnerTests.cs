using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.GpuNode.Programs;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>Real programs (python3 and sh) run through ProgramTrialRunner: every way a trial can end.</summary>
public sealed class ProgramTrialRunnerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        // A test that failed may have left its sleepers: end their group before the folder goes.
        var pid = Path.Combine(_folder.Path, "program.pid");
        if (File.Exists(pid) && int.TryParse(File.ReadAllText(pid).Trim(), out var group) && group > 1) Posix.KillGroup(group);
        _folder.Dispose();
    }

    /// <summary>stdout and stderr reach the log through two pipes: a line written in pieces stays whole, whatever comes between.</summary>
    [Fact]
    public async Task The_log_interleaves_stdout_and_stderr_only_between_lines()
    {
        _folder.File("train.py", """
            import json, os, sys, time
            for i in range(3):
                sys.stdout.write(f"step {i}: "); sys.stdout.flush(); time.sleep(0.05)
                sys.stderr.write(f"warning {i}\n"); sys.stderr.flush(); time.sleep(0.05)
                sys.stdout.write("loss 0.5\n"); sys.stdout.flush()
            sys.stdout.write("no newline at the end"); sys.stdout.flush()
            json.dump({"test_error": 0}, open(os.environ["SWEEP_RESULT"], "w"))
            """);

        var outcome = await ProgramTrialRunner.RunAsync(Trial(["python3", "train.py"]), CancellationToken.None);

        Assert.Equal(TrialStatus.Ok, outcome.Status);
        var lines = await File.ReadAllLinesAsync(Path.Combine(_folder.Path, "logs", "t0.log"));
        Assert.Equal(["warning 0", "step 0: loss 0.5", "warning 1", "step 1: loss 0.5", "warning 2", "step 2: loss 0.5", "no newline at the end"], lines);
    }

    [Fact]
    public async Task Metrics_of_the_result_file_land_in_the_outcome()
    {
        _folder.File("train.py", """
            import json, os, sys
            trial = json.load(open(os.environ["SWEEP_TRIAL"]))
            print("training", trial["trial_id"])
            print("a warning", file=sys.stderr)
            open(os.path.join(os.environ["SWEEP_TRIAL_DIR"], "checkpoint.bin"), "w").write("x")
            json.dump({"test_error": 0.125, "train_loss": 0.5, "steps": 300, "accuracy": 0.75,
                       "width_seen": trial["width"], "gpu": os.environ["CUDA_VISIBLE_DEVICES"], "mode": os.environ["MODE"]},
                      open(os.environ["SWEEP_RESULT"], "w"))
            """);
        var trial = Trial(["python3", "train.py"], new JsonObject { ["trial_id"] = "t1", ["width"] = 64, ["seed"] = 3 },
            env: new Dictionary<string, string> { ["MODE"] = "fast" });

        var outcome = await ProgramTrialRunner.RunAsync(trial, CancellationToken.None);

        Assert.Equal(TrialStatus.Ok, outcome.Status);
        Assert.Null(outcome.Error);
        Assert.Equal(0.125, outcome.TestError);
        Assert.Equal(0.5, outcome.TrainLoss);
        Assert.Equal(300L, outcome.Steps);
        Assert.Equal(0.75, outcome.Metrics["accuracy"]);
        Assert.Equal(64.0, outcome.Metrics["width_seen"]);
        Assert.False(outcome.Metrics.ContainsKey("gpu"));
        var json = JsonNode.Parse(outcome.MetricsJson!)!.AsObject();
        Assert.Equal("", (string?)json["gpu"]);
        Assert.Equal("fast", (string?)json["mode"]);
        Assert.Equal(0, outcome.ExitCode);
        Assert.True(File.Exists(Path.Combine(trial.TrialDirectory, "checkpoint.bin")));
        var log = await File.ReadAllTextAsync(trial.LogPath);
        Assert.Contains("training t1", log);
        Assert.Contains("a warning", log);
    }

    [Fact]
    public async Task A_non_zero_exit_is_failed_with_the_code_and_the_end_of_stderr()
    {
        _folder.File("fail.py", """
            import sys
            for i in range(30): print(f"line {i}", file=sys.stderr)
            print("ValueError: bad width", file=sys.stderr)
            sys.exit(3)
            """);
        var outcome = await ProgramTrialRunner.RunAsync(Trial(["python3", "fail.py"]), CancellationToken.None);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Null(outcome.Signal);
        Assert.Contains("exited with code 3", outcome.Error);
        Assert.Contains("ValueError: bad width", outcome.Error);
        Assert.Contains("line 29", outcome.Error);
        Assert.DoesNotContain("line 5\n", outcome.Error);
        Assert.True(double.IsNaN(outcome.TestError));
    }

    [Fact]
    public async Task A_program_killed_by_a_signal_is_failed_and_names_the_signal()
    {
        _folder.File("crash.py", """
            import os, signal, sys
            print("about to crash", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGSEGV)
            """);
        var outcome = await ProgramTrialRunner.RunAsync(Trial(["python3", "crash.py"]), CancellationToken.None);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Equal(11, outcome.Signal);
        Assert.Contains("SIGSEGV", outcome.Error);
        Assert.Contains("about to crash", outcome.Error);
    }

    [Fact]
    public async Task Exit_zero_without_a_result_file_is_failed_even_when_an_earlier_attempt_left_one()
    {
        var trial = Trial(["sh", "-c", "echo done"]);
        Directory.CreateDirectory(trial.TrialDirectory);
        await File.WriteAllTextAsync(trial.ResultFile, """{"test_error": 0.0}""");

        var outcome = await ProgramTrialRunner.RunAsync(trial, CancellationToken.None);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains("wrote no result file", outcome.Error);
    }

    [Theory]
    [InlineData("{\"test_error\": 0.1", "not valid JSON")]
    [InlineData("[0.1]", "holds a JSON array")]
    [InlineData("{\"train_loss\": 0.1}", "has no test_error")]
    [InlineData("{\"test_error\": \"low\"}", "test_error is \"low\"; expected a number")]
    public async Task An_unusable_result_file_is_failed_and_says_why(string result, string expected)
    {
        _folder.File("result.txt", result);
        var outcome = await ProgramTrialRunner.RunAsync(Trial(["sh", "-c", $"cp {_folder.Path}/result.txt \"$SWEEP_RESULT\""]), CancellationToken.None);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains(expected, outcome.Error);
    }

    [Fact]
    public async Task Pythons_bare_NaN_is_read_and_the_trial_is_diverged()
    {
        _folder.File("nan.py", """
            import json, os
            json.dump({"test_error": float("nan"), "train_loss": float("inf"), "note": "NaN in a string stays"}, open(os.environ["SWEEP_RESULT"], "w"))
            """);
        var outcome = await ProgramTrialRunner.RunAsync(Trial(["python3", "nan.py"]), CancellationToken.None);

        Assert.Equal(TrialStatus.Diverged, outcome.Status);
        Assert.True(double.IsNaN(outcome.TestError));
        Assert.Equal(double.PositiveInfinity, outcome.TrainLoss);
        Assert.Equal("NaN in a string stays", (string?)JsonNode.Parse(outcome.MetricsJson!)!["note"]);
    }

    [Fact]
    public async Task Past_its_time_limit_the_whole_process_group_is_killed()
    {
        // The program starts a grandchild that sleeps too: both must be gone.
        var trial = Trial(["sh", "-c", $"sleep 300 & echo $! > {_folder.Path}/grandchild.pid; echo $$ > {_folder.Path}/program.pid; sleep 300"],
            timeout: TimeSpan.FromSeconds(1.5));

        var outcome = await ProgramTrialRunner.RunAsync(trial, CancellationToken.None);

        Assert.Equal(TrialStatus.Timeout, outcome.Status);
        Assert.Contains("time limit of 1.5 s", outcome.Error);
        Assert.True(outcome.Wall >= TimeSpan.FromSeconds(1.4) && outcome.Wall < TimeSpan.FromSeconds(30), $"wall {outcome.Wall}");
        var program = Pid("program.pid");
        Assert.True(await Processes.GoneWithin(program, TimeSpan.FromSeconds(5)), "the program survived its timeout");
        Assert.True(await Processes.GoneWithin(Pid("grandchild.pid"), TimeSpan.FromSeconds(5)), "the program's child survived its timeout");
        Assert.False(Posix.GroupAlive(program));
    }

    [Fact]
    public async Task Cancelling_kills_the_group_and_gives_no_outcome()
    {
        using var stop = new CancellationTokenSource();
        var trial = Trial(["sh", "-c", $"sleep 300 & echo $! > {_folder.Path}/grandchild.pid; echo $$ > {_folder.Path}/program.pid; sleep 300"]);
        var run = ProgramTrialRunner.RunAsync(trial, stop.Token);
        await Processes.WaitForFile(Path.Combine(_folder.Path, "grandchild.pid"));
        await Processes.WaitForFile(Path.Combine(_folder.Path, "program.pid"));

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(await Processes.GoneWithin(Pid("program.pid"), TimeSpan.FromSeconds(5)));
        Assert.True(await Processes.GoneWithin(Pid("grandchild.pid"), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task The_slots_GPU_is_the_only_one_the_program_sees()
    {
        var trial = Trial(["sh", "-c", "printf '{\"test_error\": 0, \"gpu\": %s}' \"$CUDA_VISIBLE_DEVICES\" > \"$SWEEP_RESULT\""]) with { Gpu = new GpuId("7") };

        var outcome = await ProgramTrialRunner.RunAsync(trial, CancellationToken.None);

        Assert.Equal(TrialStatus.Ok, outcome.Status);
        Assert.Equal(7.0, outcome.Metrics["gpu"]);
        Assert.Equal(new GpuId("7"), outcome.Gpu);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_is_failed_with_the_reason()
    {
        var outcome = await ProgramTrialRunner.RunAsync(Trial(["no-such-program-xyz", "train.py"]), CancellationToken.None);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains("no-such-program-xyz", outcome.Error);
    }

    [Fact]
    public async Task A_program_folder_missing_on_this_node_is_failed_and_names_the_folder()
    {
        var missing = Path.Combine(_folder.Path, "not-shared");
        var trial = Trial(["python3", "train.py"]);
        var outcome = await ProgramTrialRunner.RunAsync(trial with { Program = trial.Program with { WorkingDirectory = missing } }, CancellationToken.None);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains($"the program's folder {missing} does not exist on node", outcome.Error);
    }

    [Fact]
    public async Task A_trial_in_its_run_folder_gets_the_logs_and_trials_layout_and_every_axis_by_name()
    {
        _folder.File("echo.py", """
            import json, os
            t = json.load(open(os.environ["SWEEP_TRIAL"]))
            json.dump({"test_error": 0.0, "echo": [t["trial_id"], t["sweep"], t["seed"], t["sample_size"], t["depth"], t["learning_rate"]],
                       "types": [type(t[k]).__name__ for k in ("seed", "sample_size", "depth", "learning_rate", "big", "scale")],
                       "layers": len(list(range(t["depth"])))},
                      open(os.environ["SWEEP_RESULT"], "w"))
            """);
        var run = Path.Combine(_folder.Path, "runs", "my-mlp");
        var json = ProgramTrial.TrialJson("ab12", "my-mlp", 4, 64,
            [new("learning_rate", 1e-3), new("depth", 3.0), new("scale", 2.5e20), new("big", 1e16)]);
        var trial = ProgramTrial.InRunFolder(new ProgramInvocation(["python3", "echo.py"], _folder.Path), json, run, null, TimeSpan.FromSeconds(60));

        var outcome = await ProgramTrialRunner.RunAsync(trial, CancellationToken.None);

        Assert.Equal(TrialStatus.Ok, outcome.Status);
        Assert.Equal(Path.Combine(run, "logs", "ab12.log"), trial.LogPath);
        Assert.True(File.Exists(Path.Combine(run, "trials", "ab12", "result.json")));
        // The fixed fields first, then the axes by name; a whole value is an integer, so range(depth) works.
        Assert.Equal("""{"trial_id":"ab12","sweep":"my-mlp","seed":4,"sample_size":64,"big":10000000000000000,"depth":3,"learning_rate":0.001,"scale":2.5E+20}""",
            json.ToJsonString());
        var result = JsonNode.Parse(outcome.MetricsJson!)!;
        Assert.Equal("""["ab12","my-mlp",4,64,3,0.001]""", result["echo"]!.ToJsonString());
        Assert.Equal("""["int","int","int","float","int","float"]""", result["types"]!.ToJsonString());
        Assert.Equal(3.0, outcome.Metrics["layers"]);
        Assert.Throws<ArgumentException>(() => ProgramTrial.TrialJson("x", "s", 0, 1, [new("seed", 1)]));
        Assert.Throws<ArgumentException>(() => ProgramTrial.TrialJson("x", "s", 0, 1, [new("lr", double.NaN)]));
    }

    private ProgramTrial Trial(string[] command, JsonObject? json = null, TimeSpan? timeout = null, Dictionary<string, string>? env = null) =>
        new(new ProgramInvocation(command, _folder.Path, env ?? []),
            json ?? new JsonObject { ["trial_id"] = "t0" },
            Path.Combine(_folder.Path, "files", "t0"),
            Path.Combine(_folder.Path, "logs", "t0.log"),
            null,
            timeout ?? TimeSpan.FromSeconds(60));

    private int Pid(string file) => int.Parse(File.ReadAllText(Path.Combine(_folder.Path, file)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
