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
/// The home-made codec and Parquet.Net on the same 1M-row table, interleaved round by round so that the load
/// of a shared machine falls on both alike: `dotnet run -c Release -- --parquet-compare`.
/// </summary>
internal static class ParquetCompare
{
    private sealed record Op(string Name, Func<string, int> Run);

    public static void Print(int rounds)
    {
        var table = ParquetBenchmarks.ResultsTable(ParquetBenchmarks.Rows);
        var dir = Path.Combine(Path.GetTempPath(), "sweepcluster-bench");
        Directory.CreateDirectory(dir);
        string File(string name) => Path.Combine(dir, name);
        int WriteWith(string path, Action<Stream> write)
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
            stream.Flush(flushToDisk: true);
            return table.RowCount;
        }
        Op[] ops =
        [
            new("home-made write SNAPPY", p => WriteWith(p, s => ParquetFile.Write(s, table, new WriteOptions { Compression = Compression.Snappy }))),
            new("Parquet.Net write SNAPPY", p => WriteWith(p, s => ParquetCodec.Write(s, table, new WriteOptions { Compression = Compression.Snappy }))),
            new("Parquet.Net write ZSTD", p => WriteWith(p, s => ParquetCodec.Write(s, table, new WriteOptions { Compression = Compression.Zstd }))),
            new("home-made read SNAPPY", p => ParquetFile.Read(p).RowCount),
            new("Parquet.Net read SNAPPY", p => ParquetCodec.Read(p, System.IO.File.ReadAllBytes(p), null).RowCount),
            new("Parquet.Net read ZSTD", p => ParquetCodec.Read(p, System.IO.File.ReadAllBytes(p), null).RowCount),
        ];
        string PathOf(Op op) => File(op.Name.Contains("home-made", StringComparison.Ordinal) ? "old-snappy.parquet"
            : op.Name.Contains("ZSTD", StringComparison.Ordinal) ? "net-zstd.parquet" : "net-snappy.parquet");

        var seconds = ops.ToDictionary(o => o.Name, _ => new List<double>());
        var allocated = ops.ToDictionary(o => o.Name, _ => 0L);
        for (var round = 0; round <= rounds; round++) // round 0 warms up
        {
            foreach (var op in ops)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var rows = op.Run(PathOf(op));
                var elapsed = clock.Elapsed.TotalSeconds;
                var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
                if (rows != table.RowCount) throw new InvalidOperationException($"{op.Name}: {rows} rows");
                if (round == 0) continue;
                seconds[op.Name].Add(elapsed);
                allocated[op.Name] = Math.Max(allocated[op.Name], bytes);
            }
        }
        CheckSame(table, ParquetCodec.Read("net-snappy", System.IO.File.ReadAllBytes(File("net-snappy.parquet")), null));

        Console.WriteLine($"| Operation ({table.RowCount:N0} rows × {table.Schema.Count} columns) | median | min | max | rows/s (median) | allocated | file size |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var op in ops)
        {
            var s = seconds[op.Name].Order().ToArray();
            var median = s[s.Length / 2];
            var size = op.Name.Contains("write", StringComparison.Ordinal) ? $"{new FileInfo(PathOf(op)).Length / 1e6:F1} MB" : "";
            Console.WriteLine($"| {op.Name} | {median:F2} s | {s[0]:F2} s | {s[^1]:F2} s | {table.RowCount / median / 1e6:F2} M | {allocated[op.Name] / 1e6:F0} MB | {size} |");
        }
    }

    /// <summary>What Parquet.Net read back equals what was written (timestamps at millisecond precision).</summary>
    private static void CheckSame(Table written, Table read)
    {
        for (var c = 0; c < written.Schema.Count; c++)
            for (var r = 0; r < written.RowCount; r++)
            {
                var want = written.Columns[c].GetValue(r);
                if (want is DateTime t) want = new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
                var got = read.Columns[c].GetValue(r);
                if (!Equals(want, got) && !(want is double a && got is double b && double.IsNaN(a) && double.IsNaN(b)))
                    throw new InvalidOperationException($"column {written.Schema[c].Name} row {r}: wrote {want}, read {got}");
            }
    }
}
