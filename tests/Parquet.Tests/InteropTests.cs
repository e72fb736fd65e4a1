using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Parquet.Tests;

/// <summary>
/// Every kind of file the writer makes is read back by DuckDB, by Arrow's Rust reader (parquet-wasm) and by polars'
/// Rust reader (nodejs-polars) through tests/interop/read-parquet.mjs, which must return exactly the rows written.
/// Needs `npm ci --prefix tests/interop`.
/// Set PARQUET_INTEROP_OUT to a directory to keep the files (with expected JSON for parquet-check).
/// </summary>
public sealed class InteropTests
{
    private sealed record Case(string Name, Table Table, WriteOptions Options);

    private static IEnumerable<Case> Cases()
    {
        foreach (var codec in Enum.GetValues<Compression>())
            yield return new($"edge_{codec}".ToLowerInvariant(), Tables.Edge(), new WriteOptions { Compression = codec });
        var rng = new Random(42);
        yield return new("types_required", TypedTable(rng, 500, optional: false, nullRate: 0), new WriteOptions());
        yield return new("types_optional_nulls", TypedTable(rng, 500, optional: true, nullRate: 0.3), new WriteOptions { Compression = Compression.Gzip });
        yield return new("all_null", TypedTable(rng, 50, optional: true, nullRate: 1), new WriteOptions());
        yield return new("zero_rows", TypedTable(rng, 0, optional: true, nullRate: 0.5), new WriteOptions());
        yield return new("one_row", TypedTable(rng, 1, optional: true, nullRate: 0), new WriteOptions { Compression = Compression.Uncompressed });
        yield return new("row_groups_and_pages", TypedTable(rng, 10_000, optional: true, nullRate: 0.1),
            new WriteOptions { Compression = Compression.Gzip, RowGroupRows = 1500 });
        yield return new("strings_no_dictionary", TypedTable(rng, 300, optional: true, nullRate: 0.2), new WriteOptions { DictionaryForStrings = false });
        // 3000 distinct 500-byte strings, each twice: the dictionary passes 1 MiB, so the writer falls back to PLAIN.
        yield return new("strings_dictionary_fallback", new Table([new("s", ColumnType.String, false)],
            [Tables.Fill<string?>(6000, i => $"{i % 3000:D5}" + new string('é', 250))]), new WriteOptions());
        for (var seed = 0; seed < 4; seed++)
        {
            var r = new Random(1000 + seed);
            yield return new($"random_{seed}", Tables.Random(r, r.Next(0, 2000)),
                new WriteOptions { Compression = (Compression)(seed % 4), RowGroupRows = r.Next(1, 800) });
        }
        yield return new("million_rows", Million(), new WriteOptions { RowGroupRows = 300_000 });
    }

    /// <summary>One column of every type, values drawn from the edge-heavy random generator.</summary>
    private static Table TypedTable(Random rng, int rows, bool optional, double nullRate)
    {
        var types = Enum.GetValues<ColumnType>().Distinct().ToArray(); // TimestampMicros is an alias
        return new Table(types.Select(t => new ColumnSchema(t.ToString().ToLowerInvariant(), t, optional)).ToArray(),
            types.Select(t => Tables.RandomColumn(rng, t, rows, nullRate)).ToArray());
    }

    private static Table Million()
    {
        const int rows = 1_000_000;
        string[] labels = ["ok", "diverged", "failed", "timeout", "épsilon ✓"];
        return new Table(
            [new("id", ColumnType.Int64, false), new("x", ColumnType.Double, true), new("label", ColumnType.String, true), new("t", ColumnType.Timestamp, false)],
            [
                Tables.Fill<long?>(rows, i => i * 6148914691236517L),
                Tables.Fill<double?>(rows, i => i % 11 == 0 ? null : i % 97 == 0 ? double.NaN : Math.Sqrt(i) - 500),
                Tables.Fill<string?>(rows, i => i % 13 == 0 ? null : labels[i % labels.Length]),
                Tables.Fill<DateTime?>(rows, i => new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks(i * 12_340_000L)),
            ]);
    }

    private static readonly Dictionary<ColumnType, (string Duck, string Arrow, string Polars)> TypeNames = new()
    {
        [ColumnType.Boolean] = ("BOOLEAN", "Bool", "Bool"),
        [ColumnType.Int32] = ("INTEGER", "Int32", "Int32"),
        [ColumnType.Int64] = ("BIGINT", "Int64", "Int64"),
        [ColumnType.Float] = ("FLOAT", "Float32", "Float32"),
        [ColumnType.Double] = ("DOUBLE", "Float64", "Float64"),
        [ColumnType.String] = ("VARCHAR", "Utf8", "String"),
        [ColumnType.Timestamp] = ("TIMESTAMP WITH TIME ZONE", "Timestamp<MILLISECOND, UTC>", "Datetime(ms,UTC)"),
    };

    private static readonly string[] Packages = ["@duckdb/node-api", "parquet-wasm", "apache-arrow", "nodejs-polars", "nodejs-polars-linux-x64-gnu"];

    internal static string Interop()
    {
        var interop = Path.Combine(RepoRoot(), "tests", "interop");
        var missing = Packages.Where(p => !Directory.Exists(Path.Combine(interop, "node_modules", p))).ToArray();
        if (missing.Length > 0)
            Assert.Fail($"the interop readers are not installed ({string.Join(", ", missing)}): run `npm ci --prefix tests/interop`");
        return interop;
    }

    [Fact]
    public void DuckDB_Arrow_and_polars_read_exactly_the_rows_written()
    {
        var interop = Interop();

        var keep = Environment.GetEnvironmentVariable("PARQUET_INTEROP_OUT");
        var dir = keep is { Length: > 0 } ? Directory.CreateDirectory(keep) : Directory.CreateTempSubdirectory("parquet-interop-");
        try
        {
            var cases = Cases().ToList();
            var paths = new List<string>();
            foreach (var c in cases)
            {
                var path = Path.Combine(dir.FullName, c.Name + ".parquet");
                ParquetFile.WriteAtomic(path, c.Table, c.Options);
                if (keep is { Length: > 0 } && c.Table.RowCount <= 100_000)
                    File.WriteAllText(Path.ChangeExtension(path, ".expected.json"), ParquetInspect.ToJson(c.Table));
                paths.Add(path);
            }
            using var output = JsonDocument.Parse(RunNode(Path.Combine(interop, "read-parquet.mjs"), paths));
            for (var i = 0; i < cases.Count; i++)
            {
                var file = output.RootElement.GetProperty(paths[i]);
                Check(cases[i], "duckdb", file.GetProperty("duckdb"));
                Check(cases[i], "arrow", file.GetProperty("arrow"));
                Check(cases[i], "polars", file.GetProperty("polars"));
            }
        }
        finally
        {
            if (keep is not { Length: > 0 }) dir.Delete(recursive: true);
        }
    }

    private static void Check(Case c, string reader, JsonElement result)
    {
        var where = $"{c.Name} ({reader})";
        if (result.TryGetProperty("error", out var error)) Assert.Fail($"{where}: the reader failed: {error.GetString()}");
        Assert.True(c.Table.RowCount == result.GetProperty("rows").GetInt32(), $"{where}: row count");
        var columns = result.GetProperty("columns").EnumerateArray().ToArray();
        Assert.True(c.Table.Schema.Count == columns.Length, $"{where}: column count");
        for (var k = 0; k < columns.Length; k++)
        {
            var schema = c.Table.Schema[k];
            var column = columns[k];
            var at = $"{where} column '{schema.Name}'";
            Assert.Equal(schema.Name, column.GetProperty("name").GetString());
            var type = column.GetProperty("type").GetString();
            var names = TypeNames[schema.Type];
            Assert.True((reader switch { "duckdb" => names.Duck, "arrow" => names.Arrow, _ => names.Polars }) == type, $"{at}: read as {type}");
            // polars keeps no nullability in its schema.
            if (reader == "duckdb") Assert.Equal(schema.Optional ? "OPTIONAL" : "REQUIRED", column.GetProperty("repetition").GetString());
            else if (reader == "arrow") Assert.Equal(schema.Optional, column.GetProperty("nullable").GetBoolean());
            var expected = Canonical.Column(c.Table.Columns[k]);
            if (column.TryGetProperty("values", out var values))
            {
                var actual = values.EnumerateArray().Select(v => v.GetString()).ToArray();
                Assert.True(expected.Length == actual.Length, $"{at}: value count");
                for (var r = 0; r < expected.Length; r++)
                    if (expected[r] != actual[r]) Assert.Fail($"{at} row {r}: wrote {expected[r] ?? "null"}, read {actual[r] ?? "null"}");
            }
            else
            {
                Assert.True(Canonical.Sha256(expected) == column.GetProperty("sha256").GetString(), $"{at}: the values' SHA-256 differs");
                Assert.Equal(expected.Count(v => v is null), column.GetProperty("nulls").GetInt32());
            }
        }
    }

    /// <summary>
    /// DuckDB skips row groups by their min/max statistics, so wrong timestamp statistics (MICROS written in
    /// milliseconds by Parquet.Net 6.1.0) make a range filter silently drop rows. Filtering each timestamp column
    /// of a results-like file, in several row groups, between its own minimum and maximum must count every row,
    /// and a bound in the middle must count exactly the rows on its side.
    /// </summary>
    [Fact]
    public void DuckDB_filters_on_started_at_and_finished_at_find_every_row()
    {
        var interop = Interop();
        var dir = Directory.CreateTempSubdirectory("parquet-filter-");
        try
        {
            const int rows = 5000;
            var start = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc);
            var started = Tables.Fill<DateTime?>(rows, i => start.AddMilliseconds(i * 1_234.567));
            var finished = Tables.Fill<DateTime?>(rows, i => started[i]!.Value.AddMilliseconds(500 + i % 97 * 31.25));
            var table = new Table(
                [new("trial_id", ColumnType.String, false), new("started_at", ColumnType.Timestamp, false), new("finished_at", ColumnType.Timestamp, false)],
                [Tables.Fill<string?>(rows, i => $"t{i:D5}"), started, finished]);
            var path = Path.Combine(dir.FullName, "part-00000.parquet");
            ParquetFile.WriteAtomic(path, table, new WriteOptions { RowGroupRows = 700 });
            var written = ParquetFile.Read(path);
            var queries = new List<(string Sql, long Expected)>();
            foreach (var name in new[] { "started_at", "finished_at" })
            {
                var values = ((DateTime?[])written.Columns[written.IndexOf(name)]).Select(v => v!.Value).ToArray();
                var (lo, hi, mid) = (values.Min(), values.Max(), values[rows / 3]);
                string Lit(DateTime t) => $"TIMESTAMPTZ '{t:yyyy-MM-dd HH:mm:ss.fff}+00'";
                queries.Add(($"{name} >= {Lit(lo)} AND {name} <= {Lit(hi)}", rows));
                queries.Add(($"{name} >= {Lit(mid)}", values.Count(v => v >= mid)));
                queries.Add(($"{name} <= {Lit(mid)}", values.Count(v => v <= mid)));
                queries.Add(($"{name} > {Lit(hi)}", 0));
            }
            var output = RunNode(Path.Combine(interop, "count-where.mjs"), [path, .. queries.Select(q => q.Sql)]);
            var counts = JsonSerializer.Deserialize<long[]>(output)!;
            for (var i = 0; i < queries.Count; i++)
                Assert.True(queries[i].Expected == counts[i], $"WHERE {queries[i].Sql}: DuckDB counted {counts[i]}, expected {queries[i].Expected}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string RunNode(string script, IEnumerable<string> files)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var f in files) start.ArgumentList.Add(f);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) Assert.Fail($"node {script} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "tests", "interop", "read-parquet.mjs"))) return dir.FullName;
        throw new InvalidOperationException($"no repository root above {AppContext.BaseDirectory}");
    }
}
