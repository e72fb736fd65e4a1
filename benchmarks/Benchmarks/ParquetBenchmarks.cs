using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SweepCluster.Parquet;

namespace SweepCluster.Benchmarks;

/// <summary>
/// Writes and reads a 1M-row, 20-column results table (the shape ResultSink writes). GlobalSetup leaves the
/// file at <see cref="InputPath"/> so benchmarks/duckdb/write-bench.mjs can time DuckDB on the same rows.
/// </summary>
[Config(typeof(ParquetBenchmarkConfig))]
public class ParquetBenchmarks
{
    public const int Rows = 1_000_000;
    public static readonly string InputPath = Path.Combine(Path.GetTempPath(), "sweepcluster-bench", "results-1m.parquet");

    private Table _table = null!;
    private string _output = null!;

    [Params(Compression.Snappy, Compression.Uncompressed)]
    public Compression Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _table = ResultsTable(Rows);
        Directory.CreateDirectory(Path.GetDirectoryName(InputPath)!);
        ParquetFile.WriteAtomic(InputPath, _table, new WriteOptions { Compression = Codec });
        _output = Path.Combine(Path.GetDirectoryName(InputPath)!, $"out-{Codec}.parquet");
    }

    [Benchmark]
    public void Write1M() => ParquetFile.WriteAtomic(_output, _table, new WriteOptions { Compression = Codec });

    [Benchmark]
    public int Read1M() => ParquetFile.Read(InputPath).RowCount;

    /// <summary>A deterministic results table: one row per trial, columns as in DESIGN.md's result row.</summary>
    public static Table ResultsTable(int rows)
    {
        string[] statuses = ["ok", "ok", "ok", "diverged", "failed", "timeout"];
        string[] experiments = ["E1-two-layer-tanh", "E2-bias", "E3-matrix-completion", "E4-linear", "E5-cnn"];
        string[] nodes = ["gpu-node-01", "gpu-node-02", "gpu-node-03", "gpu-node-04", "gpu-node-05", "gpu-node-06", "gpu-node-07", "gpu-node-08"];
        var start = new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);
        var rng = new Random(12345);
        var schema = new ColumnSchema[]
        {
            new("sweep", ColumnType.String, false), new("trial_id", ColumnType.String, false), new("status", ColumnType.String, false),
            new("experiment", ColumnType.String, false), new("model", ColumnType.String, false), new("lr", ColumnType.Double, false),
            new("weight_decay", ColumnType.Double, false), new("width", ColumnType.Int32, false), new("n_samples", ColumnType.Int32, false),
            new("seed", ColumnType.Int64, false), new("param_count", ColumnType.Int64, false), new("train_loss", ColumnType.Double, true),
            new("test_error", ColumnType.Double, true), new("steps", ColumnType.Int32, false), new("wall_seconds", ColumnType.Double, false),
            new("node", ColumnType.String, false), new("attempt", ColumnType.Int32, false), new("started_at", ColumnType.TimestampMicros, false),
            new("finished_at", ColumnType.TimestampMicros, false), new("error", ColumnType.String, true),
        };
        var sweep = new string?[rows]; var trial = new string?[rows]; var status = new string?[rows]; var experiment = new string?[rows];
        var model = new string?[rows]; var lr = new double?[rows]; var wd = new double?[rows]; var width = new int?[rows];
        var samples = new int?[rows]; var seed = new long?[rows]; var parameters = new long?[rows]; var trainLoss = new double?[rows];
        var testError = new double?[rows]; var steps = new int?[rows]; var wall = new double?[rows]; var node = new string?[rows];
        var attempt = new int?[rows]; var started = new DateTime?[rows]; var finished = new DateTime?[rows]; var error = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            var s = statuses[i % statuses.Length];
            sweep[i] = "optimistic-size-e1";
            trial[i] = ((ulong)rng.NextInt64()).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            status[i] = s;
            experiment[i] = experiments[i % experiments.Length];
            width[i] = 8 << (i % 6);
            model[i] = $"tanh-w{width[i]}";
            lr[i] = Math.Pow(10, -4 + i % 5 * 0.5);
            wd[i] = i % 3 == 0 ? 0 : 1e-4 * (i % 7);
            samples[i] = 4 + i % 64 * 4;
            seed[i] = rng.NextInt64();
            parameters[i] = width[i]!.Value * 17L;
            trainLoss[i] = s == "failed" ? null : s == "diverged" ? double.NaN : rng.NextDouble() * 1e-3;
            testError[i] = s == "failed" ? null : s == "diverged" ? double.PositiveInfinity : rng.NextDouble();
            steps[i] = 1000 + i % 50 * 100;
            wall[i] = 0.5 + rng.NextDouble() * 30;
            node[i] = nodes[i % nodes.Length];
            attempt[i] = i % 100 == 0 ? 2 : 1;
            started[i] = start.AddTicks(i * 12_340_000L);
            finished[i] = started[i]!.Value.AddTicks((long)(wall[i]!.Value * 1e6) * 10);
            error[i] = s == "failed" ? "System.InvalidOperationException: the loss became NaN at step 17" : null;
        }
        return new Table(schema, [sweep, trial, status, experiment, model, lr, wd, width, samples, seed, parameters, trainLoss, testError,
            steps, wall, node, attempt, started, finished, error]);
    }
}

/// <summary>
/// Each operation takes about a second, so a few monitored iterations suffice. In-process, because the
/// generated out-of-process project cannot find this one (assembly name differs from the project name).
/// </summary>
internal sealed class ParquetBenchmarkConfig : ManualConfig
{
    public ParquetBenchmarkConfig()
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Reads the same 1M-row results table from our SNAPPY file and from DuckDB's ZSTD rewrites of it, with v1
/// encodings and with PARQUET_VERSION V2 (DELTA_*, BYTE_STREAM_SPLIT): what `sweep report` costs on results a
/// user rewrote with DuckDB. GlobalSetup writes our file and runs benchmarks/duckdb/zstd-files.mjs for the rest.
/// </summary>
[Config(typeof(ParquetBenchmarkConfig))]
public class ParquetReadBenchmarks
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "sweepcluster-bench");
    private string _path = null!;

    [Params("ours-snappy", "duckdb-zstd", "duckdb-zstd-v2")]
    public string Source { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(Folder);
        var ours = Path.Combine(Folder, "read-ours-snappy.parquet");
        if (!File.Exists(ours))
            ParquetFile.WriteAtomic(ours, ParquetBenchmarks.ResultsTable(ParquetBenchmarks.Rows), new WriteOptions { Compression = Compression.Snappy });
        _path = Path.Combine(Folder, $"read-{Source}.parquet");
        if (!File.Exists(_path)) RunNode("benchmarks/duckdb/zstd-files.mjs", ours);
        var rows = ParquetFile.Read(_path).RowCount;
        if (rows != ParquetBenchmarks.Rows) throw new InvalidOperationException($"{_path} has {rows} rows, expected {ParquetBenchmarks.Rows}");
    }

    [Benchmark]
    public int Read1M() => ParquetFile.Read(_path).RowCount;

    private static void RunNode(string script, string argument)
    {
        // The script lives in the repository; the benchmark runs from benchmarks/Benchmarks or its bin folder.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, script))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"{script} not found above {AppContext.BaseDirectory}");
        using var node = System.Diagnostics.Process.Start("node", [Path.Combine(root.FullName, script), argument]);
        node.WaitForExit();
        if (node.ExitCode != 0) throw new InvalidOperationException($"node {script} exited with {node.ExitCode} (run: npm ci --prefix tests/interop)");
    }
}
