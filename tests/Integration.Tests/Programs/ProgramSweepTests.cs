using System.Diagnostics;
using System.Text.Json;
using SweepCluster.Analysis;
using SweepCluster.Integration.Tests.Embedded;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Programs;

/// <summary>A user's program as the trial, end to end through the real `sweep run` (embedded node).</summary>
public sealed class ProgramSweepTests
{
    private const string Sweep = """
        name: fake
        experiment:
          program:
            command: [python3, fake.py]
            env: { PYTHONDONTWRITEBYTECODE: "1" }
        grid:
          width: [1, 2]
          depth: [1, 2]
          sample_size: { range: [1, 5] }
          seed: [0, 1]
        estimate: { threshold: 1.0e-3, tune: [width] }
        """;

    /// <summary>Every row of a run's part files: status, the program's axes by name, metrics, gpu, error.</summary>
    internal sealed record Row(string Id, string Status, IReadOnlyDictionary<string, double> Axes, string? Metrics, string? Gpu, string? Error);

    internal static IReadOnlyList<Row> ReadRows(string runDir)
    {
        var settings = AnalysisSettings.Load(runDir);
        var rows = new List<Row>();
        foreach (var file in RunLayout.PartFiles(RunLayout.Results(runDir)))
        {
            var table = ParquetFile.Read(file);
            var ids = ResultTable.Get<string?>(table, ResultColumns.TrialId, file)!;
            var status = ResultTable.Get<string?>(table, ResultColumns.Status, file)!;
            var metrics = ResultTable.Get<string?>(table, ResultColumns.Metrics, file)!;
            var gpus = ResultTable.Get<string?>(table, ResultColumns.Gpu, file)!;
            var errors = ResultTable.Get<string?>(table, ResultColumns.Error, file)!;
            var records = ResultTable.Read(table, file, settings.Axes).ToList();
            for (var i = 0; i < table.RowCount; i++)
                rows.Add(new Row(ids[i]!, status[i]!, settings.Axes.ToDictionary(a => a.Name, a => records[i].Axes[a]), metrics[i], gpus[i], errors[i]));
        }
        return rows;
    }

    [Fact]
    public void Metrics_axes_logs_and_files_land_in_the_run_folder_and_the_estimate_reads_them()
    {
        using var dir = new TempDir();
        var file = FakeProgram.WriteSweep(dir, Sweep);
        var runs = Path.Combine(dir.Path, "runs");

        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");

        Assert.True(code == 0, output);
        var runDir = Path.Combine(runs, "fake");
        var rows = ReadRows(runDir);
        Assert.Equal(40, rows.Count);
        Assert.Equal(40, rows.Select(r => r.Id).Distinct().Count());
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.All(rows, r =>
        {
            using var metrics = JsonDocument.Parse(r.Metrics!);
            var expected = r.Axes["sample_size"] >= 2 * r.Axes["depth"] && r.Axes["width"] >= 2 ? 0.0 : 0.5;
            Assert.Equal(1 - expected, metrics.RootElement.GetProperty("accuracy").GetDouble());
            // Whole-valued axes reach the program as integers.
            Assert.Equal("int", metrics.RootElement.GetProperty("depth_type").GetString());
            Assert.Null(r.Gpu);

            var log = File.ReadAllText(Path.Combine(runDir, "logs", $"{r.Id}.log"));
            Assert.Contains($"trial {r.Id} n={r.Axes["sample_size"]} depth={r.Axes["depth"]}", log, StringComparison.Ordinal);
            Assert.Contains("a line on stderr", log, StringComparison.Ordinal);
            Assert.Equal("saved", File.ReadAllText(Path.Combine(runDir, "trials", r.Id, "checkpoint.txt")));
        });

        // Other tools read the program's columns as written: DuckDB, Arrow's and polars' Rust readers (tests/interop).
        foreach (var (reader, columns) in ReadWithOtherTools(RunLayout.PartFiles(RunLayout.Results(runDir))))
        {
            Assert.Equal(rows.Select(r => r.Metrics), columns["metrics"]);
            Assert.Equal(rows.Select(r => ((long)r.Axes["depth"]).ToString(System.Globalization.CultureInfo.InvariantCulture)), columns["depth"]);
            Assert.All(columns["gpu"], g => Assert.True(g is null, $"{reader}: gpu {g}"));
        }

        // depth is not tuned: two groups, recovering from n = 2·depth with the best width (2).
        var settings = AnalysisSettings.Load(runDir);
        var estimates = Estimator.Estimate(ResultsLoader.Load(runDir, settings), settings);
        Assert.Equal(["fake depth=1", "fake depth=2"], estimates.Select(e => e.Group));
        Assert.Equal([2, 4], estimates.Select(e => e.EmpiricalSize));
        Assert.Contains("Empirical optimistic sample size", output, StringComparison.Ordinal);
        Assert.Contains("fake depth=2", File.ReadAllText(Path.Combine(runDir, "report.md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(runDir, "report.html")));
    }

    /// <summary>
    /// Per reader of tests/interop/read-parquet.mjs (duckdb, arrow, polars), each column's values over the files in order,
    /// in its canonical text form (integers in decimal, strings as they are, null as null).
    /// </summary>
    private static IEnumerable<(string Reader, Dictionary<string, List<string?>> Columns)> ReadWithOtherTools(IReadOnlyList<string> files)
    {
        var script = EmbeddedSweepTests.RepoFile("tests/interop/read-parquet.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var f in files) start.ArgumentList.Add(f);
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        node.WaitForExit();
        Assert.True(node.ExitCode == 0, $"node read-parquet.mjs: exit {node.ExitCode}: {stderr.Result}");
        using var json = JsonDocument.Parse(stdout.Result);
        var byReader = new Dictionary<string, Dictionary<string, List<string?>>>(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (var reader in json.RootElement.GetProperty(file).EnumerateObject())
            {
                var columns = byReader.TryGetValue(reader.Name, out var c) ? c : byReader[reader.Name] = new(StringComparer.Ordinal);
                foreach (var column in reader.Value.GetProperty("columns").EnumerateArray())
                {
                    var name = column.GetProperty("name").GetString()!;
                    if (!columns.TryGetValue(name, out var values)) columns[name] = values = [];
                    values.AddRange(column.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()));
                }
            }
        Assert.Equal(["arrow", "duckdb", "polars"], byReader.Keys.Order(StringComparer.Ordinal));
        return byReader.Select(r => (r.Key, r.Value));
    }

    [Fact]
    public void A_rerun_skips_finished_programs_and_an_edited_script_runs_them_again()
    {
        using var dir = new TempDir();
        var file = FakeProgram.WriteSweep(dir, Sweep);
        var runs = Path.Combine(dir.Path, "runs");
        var ran = Path.Combine(dir.Path, "ran.txt");

        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");
        Assert.True(code == 0, output);
        Assert.Equal(40, File.ReadAllLines(ran).Length);

        (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");
        Assert.True(code == 0, output);
        Assert.Contains("40 already recorded", output, StringComparison.Ordinal);
        Assert.Equal(40, File.ReadAllLines(ran).Length);

        File.AppendAllText(Path.Combine(dir.Path, "fake.py"), "# edited: a new version of the program\n");
        // The run folder keeps the program it ran (program/fake.py): its status is the run's, whatever the script is now.
        (code, output) = SweepCli.Run("status", Path.Combine(runs, "fake"));
        Assert.True(code == 0, output);
        Assert.Contains("done       40", output, StringComparison.Ordinal);
        Assert.Contains("remaining  0", output, StringComparison.Ordinal);

        (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");
        Assert.True(code == 0, output);
        Assert.Contains("0 already recorded", output, StringComparison.Ordinal);
        var lines = File.ReadAllLines(ran);
        Assert.Equal(80, lines.Length);
        Assert.Equal(80, lines.Distinct().Count());
        Assert.Equal(80, ReadRows(Path.Combine(runs, "fake")).Count);
    }

    [Fact]
    public void Failed_timeout_crash_and_missing_result_become_rows_that_say_why()
    {
        using var dir = new TempDir();
        var file = FakeProgram.WriteSweep(dir, """
            name: ends
            experiment:
              program: { command: [python3, fake.py] }
            grid:
              mode: [0, 1, 2, 3, 4]
              sample_size: [4]
            run: { trial_timeout_seconds: 3 }
            """);
        var runs = Path.Combine(dir.Path, "runs");

        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "5");

        Assert.True(code == 0, output);
        var rows = ReadRows(Path.Combine(runs, "ends")).ToDictionary(r => (int)r.Axes["mode"]);
        Assert.Equal(("ok", null), (rows[0].Status, rows[0].Error));
        Assert.Equal("failed", rows[1].Status);
        Assert.Contains("code 3", rows[1].Error, StringComparison.Ordinal);
        Assert.Contains("boom: the data file is missing", rows[1].Error, StringComparison.Ordinal);
        Assert.Equal("timeout", rows[2].Status);
        Assert.Equal("failed", rows[3].Status);
        Assert.Contains("SIGSEGV", rows[3].Error, StringComparison.Ordinal);
        Assert.Equal("failed", rows[4].Status);
        Assert.Contains("result", rows[4].Error, StringComparison.Ordinal);
        // The hung program was killed, not left running.
        Assert.All(FakeProgram.Pids(Path.Combine(runs, "ends")), pid => Assert.False(FakeProgram.IsAlive(pid), $"program {pid} still runs"));
    }

    [Fact]
    public void A_sigkilled_sweep_leaves_no_program_running_and_the_next_run_finishes_each_trial_once()
    {
        using var dir = new TempDir();
        var file = FakeProgram.WriteSweep(dir, Sweep);
        var slow = dir.Write("slow", "");
        var runs = Path.Combine(dir.Path, "runs");
        var runDir = Path.Combine(runs, "fake");

        using (var sweep = SweepCli.Start("run", file, "--runs", runs, "--slots", "2"))
        {
            var clock = Stopwatch.StartNew();
            while (FakeProgram.Pids(runDir).Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(60) && !sweep.HasExited) Thread.Sleep(20);
            Assert.True(FakeProgram.Pids(runDir).Count >= 2, sweep.Output);
            sweep.KillHard();
        }
        var pids = FakeProgram.Pids(runDir);
        var wait = Stopwatch.StartNew();
        while (pids.Any(FakeProgram.IsAlive) && wait.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
        Assert.All(pids, pid => Assert.False(FakeProgram.IsAlive(pid), $"program {pid} outlived its SIGKILLed sweep"));

        File.Delete(slow);
        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");
        Assert.True(code == 0, output);
        var rows = ReadRows(runDir);
        Assert.Equal(40, rows.Count);
        Assert.Equal(40, rows.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void Each_slot_hands_its_one_gpu_to_its_program_and_no_two_programs_share_one()
    {
        using var dir = new TempDir();
        var file = FakeProgram.WriteSweep(dir, Sweep.Replace("seed: [0, 1]", "seed: [0]", StringComparison.Ordinal)
            .Replace("env: { PYTHONDONTWRITEBYTECODE: \"1\" }", "env: { FAKE_SLEEP: \"0.3\" }", StringComparison.Ordinal));
        var runs = Path.Combine(dir.Path, "runs");

        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--gpus", "7,9");

        Assert.True(code == 0, output);
        var rows = ReadRows(Path.Combine(runs, "fake"));
        Assert.Equal(20, rows.Count);
        var runsOn = rows.Select(r =>
        {
            using var m = JsonDocument.Parse(r.Metrics!);
            var seen = m.RootElement.GetProperty("gpu_seen").GetString();
            Assert.Equal(r.Gpu, seen);
            return (Gpu: seen!, Start: m.RootElement.GetProperty("start").GetDouble(), End: m.RootElement.GetProperty("end").GetDouble());
        }).ToList();
        Assert.Equal(["7", "9"], runsOn.Select(r => r.Gpu).Distinct().Order(StringComparer.Ordinal));
        foreach (var a in runsOn)
            foreach (var b in runsOn.Where(b => b != a && b.Gpu == a.Gpu))
                Assert.False(a.Start < b.End && b.Start < a.End, $"two programs on GPU {a.Gpu} at once: {a} and {b}");
        // Both GPUs worked at the same time: two slots, not one.
        Assert.Contains(runsOn, a => runsOn.Any(b => b.Gpu != a.Gpu && a.Start < b.End && b.Start < a.End));
    }

    [Fact]
    public void An_adaptive_search_over_a_programs_sample_size_probes_a_few_sizes_and_finds_the_same_size()
    {
        using var dir = new TempDir();
        var file = FakeProgram.WriteSweep(dir, """
            name: adaptive
            experiment:
              program: { command: [python3, fake.py] }
            grid:
              width: [1, 2]
              depth: [3]
              sample_size: { range: [1, 16] }
              seed: [0, 1]
            estimate: { threshold: 1.0e-3, tune: [width], search: adaptive }
            """);
        var runs = Path.Combine(dir.Path, "runs");

        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");

        Assert.True(code == 0, output);
        var runDir = Path.Combine(runs, "adaptive");
        var rows = ReadRows(runDir);
        Assert.InRange(rows.Count, 8, 28);
        Assert.All(rows.GroupBy(r => r.Axes["sample_size"]), probe => Assert.Equal(4, probe.Count()));
        var settings = AnalysisSettings.Load(runDir);
        Assert.Equal(6, Assert.Single(Estimator.Estimate(ResultsLoader.Load(runDir, settings), settings)).EmpiricalSize);
        Assert.Contains("done", output, StringComparison.Ordinal);

        // Status counts what the finished search runs, not the sizes it skipped.
        (code, output) = SweepCli.Run("status", runDir);
        Assert.True(code == 0, output);
        Assert.Contains($"total      {rows.Count} of 64 in the full grid", output, StringComparison.Ordinal);
        Assert.Contains("remaining  0", output, StringComparison.Ordinal);
        Assert.Contains("adaptive: 1 of 1 group done", output, StringComparison.Ordinal);
    }

    /// <summary>The standard-library example as it is in the repository: the quickstart's teacher, optimistic size k(d+2) = 3.</summary>
    [Fact]
    public void The_stdlib_example_sweep_finds_the_optimistic_size_of_its_teacher()
    {
        using var dir = new TempDir();
        var runs = Path.Combine(dir.Path, "runs");

        var (code, output) = SweepCli.Run("run", EmbeddedSweepTests.RepoFile("sweeps/examples/teacher-stdlib/sweep.yaml"), "--runs", runs);

        Assert.True(code == 0, output);
        var runDir = Path.Combine(runs, "example-teacher-stdlib");
        Assert.Equal(80, ReadRows(runDir).Count(r => r.Status == "ok"));
        var settings = AnalysisSettings.Load(runDir);
        var estimate = Assert.Single(Estimator.Estimate(ResultsLoader.Load(runDir, settings), settings));
        Assert.Equal(3, estimate.EmpiricalSize);
        Assert.Null(estimate.TheoreticalSize);
    }

    /// <summary>
    /// The PyTorch example (sweeps/examples/torch-mlp) on the CPU with Debian's python3-torch, which scripts/test.sh
    /// installs: its own train.py, the widest width and both ends of its sample sizes, so it stays a few seconds.
    /// </summary>
    [Fact]
    public void The_pytorch_example_trains_on_the_cpu_and_learns_its_teacher_only_from_enough_samples()
    {
        using var dir = new TempDir();
        var example = EmbeddedSweepTests.RepoFile("sweeps/examples/torch-mlp");
        File.Copy(Path.Combine(example, "train.py"), Path.Combine(dir.Path, "train.py"));
        var yaml = File.ReadAllText(Path.Combine(example, "sweep.yaml"));
        // Debian's torch is under /usr/bin/python3, which need not be the python3 first on PATH.
        yaml = yaml.Replace("command: [python3,", "command: [/usr/bin/python3,", StringComparison.Ordinal);
        yaml = System.Text.RegularExpressions.Regex.Replace(yaml, @"(?ms)^grid:.*?^estimate:", """
            grid:
              width: [8]
              learning_rate: [0.5]
              init_scale: [0.1]
              sample_size: [4, 48]
              seed: [0]
            estimate:
            """);
        var file = dir.Write("sweep.yaml", yaml);
        var runs = Path.Combine(dir.Path, "runs");

        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "2");

        Assert.True(code == 0, output);
        var rows = ReadRows(Path.Combine(runs, "example-torch-mlp")).ToDictionary(r => (int)r.Axes["sample_size"]);
        Assert.All(rows.Values, r => Assert.Equal("ok", r.Status));
        using var few = JsonDocument.Parse(rows[4].Metrics!);
        using var many = JsonDocument.Parse(rows[48].Metrics!);
        Assert.Equal("cpu", many.RootElement.GetProperty("device").GetString());
        Assert.Equal(48, many.RootElement.GetProperty("param_count").GetInt32());
        // Four samples are fitted (48 parameters) without learning the teacher; 48 come close to it in 2000 steps.
        Assert.True(few.RootElement.GetProperty("test_error").GetDouble() > 0.1, rows[4].Metrics);
        Assert.True(many.RootElement.GetProperty("test_error").GetDouble() < 0.01, rows[48].Metrics);
    }
}
