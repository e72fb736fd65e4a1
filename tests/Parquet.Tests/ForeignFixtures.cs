using SweepCluster.Parquet.Format;
using Encoding = SweepCluster.Parquet.Format.Encoding;

namespace SweepCluster.Parquet.Tests;

/// <summary>
/// Files from other writers, made by tests/interop/make-fixtures.mjs: DuckDB (ZSTD, GZIP, PARQUET_VERSION V2),
/// polars (ZSTD) and arrow-rs (DATA_PAGE_V2, compressed and not). Every value is recomputed here from the
/// script's formulas, so a reader bug cannot hide behind another reader's.
/// </summary>
public sealed class ForeignFixtures
{
    private const int Rows = 5000;
    private static readonly string[] Labels = ["alpha", "beta", "gamma", "delta", "épsilon ✓"];
    private static readonly DateTime Start = new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks(10);

    /// <summary>The rows of tests/interop/make-fixtures.mjs's foreign_rows table, by the same formulas.</summary>
    internal static Table Expected(int rows = Rows) => new(
        [
            new("id", ColumnType.Int32, true), new("i32", ColumnType.Int32, true), new("i64", ColumnType.Int64, true),
            new("f64", ColumnType.Double, true), new("f32", ColumnType.Float, true), new("flag", ColumnType.Boolean, true),
            new("label", ColumnType.String, true), new("name", ColumnType.String, true), new("ts", ColumnType.TimestampMicros, true),
        ],
        [
            Tables.Fill<int?>(rows, i => i),
            Tables.Fill<int?>(rows, i => i % 13 == 5 ? null : i * 7919 % 20011 - 10000),
            Tables.Fill<long?>(rows, i => i % 11 == 0 ? null : (i - 2500L) * 3689348814741910L),
            Tables.Fill<double?>(rows, i => i % 19 == 4 ? null
                : i % 17 == 3 ? double.NaN
                : i == 1 ? double.PositiveInfinity
                : i == 2 ? double.NegativeInfinity
                : i == 6 ? -0.0
                : (i - 2500) / 7.0),
            Tables.Fill<float?>(rows, i => i % 23 == 9 ? null : i / 4096f),
            Tables.Fill<bool?>(rows, i => i % 23 == 7 ? null : i % 3 != 0),
            Tables.Fill<string?>(rows, i => i % 29 == 1 ? null : Labels[i % 5]),
            Tables.Fill<string?>(rows, i => i % 31 == 2 ? null : $"trial-{i:D5}"),
            Tables.Fill<DateTime?>(rows, i => i % 37 == 8 ? null : Start.AddTicks(i * 1234567L * 10)),
        ]);

    public static TheoryData<string> Files => new()
    {
        "foreign_duckdb_zstd.parquet", "foreign_duckdb_gzip.parquet", "foreign_duckdb_v2_zstd.parquet",
        "foreign_polars.parquet", "foreign_arrow_v2_zstd.parquet", "foreign_arrow_v2_plain.parquet",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_value_equals_the_scripts_formula(string file)
    {
        var read = ParquetFile.Read(FixtureTests.Fixture(file));
        Canonical.AssertSameTable(Expected(), read, file);
    }

    [Fact]
    public void The_small_v2_file_holds_the_first_300_rows()
    {
        var read = ParquetFile.Read(FixtureTests.Fixture("foreign_arrow_v2_small.parquet"));
        Canonical.AssertSameTable(Expected(300), read, "foreign_arrow_v2_small.parquet");
        var pages = DataPages("foreign_arrow_v2_small.parquet");
        Assert.All(pages, p => Assert.Equal(PageType.DataPageV2, p.Type));
        Assert.True(pages.Count > 9, $"{pages.Count} data pages for 9 columns");
    }

    private static List<PageInfo> Pages(string file)
    {
        var path = FixtureTests.Fixture(file);
        var reader = new ParquetReader(path, File.ReadAllBytes(path)) { PageLog = [] };
        reader.ReadTable();
        return reader.PageLog!;
    }

    private static List<PageInfo> DataPages(string file) => Pages(file).Where(p => p.Type != PageType.DictionaryPage).ToList();

    [Theory]
    [InlineData("foreign_duckdb_zstd.parquet", (int)Codec.Zstd)]
    [InlineData("foreign_duckdb_gzip.parquet", (int)Codec.Gzip)]
    [InlineData("foreign_polars.parquet", (int)Codec.Zstd)]
    [InlineData("foreign_arrow_v2_zstd.parquet", (int)Codec.Zstd)]
    [InlineData("foreign_arrow_v2_plain.parquet", (int)Codec.Uncompressed)]
    public void The_fixture_uses_the_codec_it_is_named_for(string file, int codec) =>
        Assert.All(Pages(file), p => Assert.Equal((Codec)codec, p.Codec));

    [Fact]
    public void DuckDBs_version_2_file_has_v1_pages_with_the_version_2_encodings()
    {
        var pages = DataPages("foreign_duckdb_v2_zstd.parquet");
        Assert.All(pages, p => Assert.Equal(PageType.DataPage, p.Type));
        var encodings = pages.Select(p => (p.Column, p.Encoding)).ToHashSet();
        Assert.Contains(("i64", Encoding.DeltaBinaryPacked), encodings);
        Assert.Contains(("ts", Encoding.DeltaBinaryPacked), encodings);
        Assert.Contains(("f64", Encoding.ByteStreamSplit), encodings);
        Assert.Contains(("f32", Encoding.ByteStreamSplit), encodings);
        Assert.Contains(("name", Encoding.DeltaLengthByteArray), encodings);
        Assert.Contains(("label", Encoding.RleDictionary), encodings);
    }

    [Fact]
    public void Arrows_files_have_data_page_v2_pages_compressed_or_not()
    {
        var zstd = DataPages("foreign_arrow_v2_zstd.parquet");
        Assert.All(zstd, p => Assert.Equal(PageType.DataPageV2, p.Type));
        Assert.Contains(zstd, p => p.Column == "label" && p.Encoding == Encoding.RleDictionary);
        // arrow-rs stores a page's values uncompressed, is_compressed = false, when ZSTD would not make them smaller.
        Assert.Contains(zstd, p => p.IsCompressed);
        Assert.Contains(zstd, p => !p.IsCompressed);

        var plain = DataPages("foreign_arrow_v2_plain.parquet");
        Assert.All(plain, p => Assert.Equal(PageType.DataPageV2, p.Type));
        Assert.All(plain, p => Assert.False(p.IsCompressed));
        // 3 row groups × 9 columns; more pages than chunks means chunks of several pages.
        Assert.True(plain.Count > 27, $"{plain.Count} data pages");
        var encodings = plain.Select(p => (p.Column, p.Encoding)).ToHashSet();
        Assert.Contains(("i32", Encoding.DeltaBinaryPacked), encodings);
        Assert.Contains(("i64", Encoding.DeltaBinaryPacked), encodings);
        Assert.Contains(("ts", Encoding.DeltaBinaryPacked), encodings);
        Assert.Contains(("name", Encoding.DeltaByteArray), encodings);
        Assert.Contains(("label", Encoding.DeltaByteArray), encodings);
        Assert.Contains(("flag", Encoding.Rle), encodings);
    }

    [Fact]
    public void A_results_file_rewritten_by_duckdb_with_zstd_and_v2_reads_as_the_original()
    {
        // results_sweep_run.parquet is a part file `sweep run` wrote; the script rewrote it with DuckDB.
        var original = ParquetFile.Read(FixtureTests.Fixture("results_sweep_run.parquet"));
        var rewritten = ParquetFile.Read(FixtureTests.Fixture("results_duckdb_v2_zstd.parquet"));
        Assert.Contains(DataPages("results_duckdb_v2_zstd.parquet"), p => p.Encoding == Encoding.ByteStreamSplit);
        // DuckDB writes every column OPTIONAL; names, types and values stay.
        var relaxed = new Table(original.Schema.Select(c => c with { Optional = true }).ToList(), original.Columns);
        Canonical.AssertSameTable(relaxed, rewritten, "results_duckdb_v2_zstd.parquet");
        Assert.True(original.RowCount > 0);
    }

    [Fact]
    public void Millisecond_and_nanosecond_timestamps_read_as_the_same_instants()
    {
        var table = ParquetFile.Read(FixtureTests.Fixture("foreign_polars_time_units.parquet"));
        Assert.Equal(
            [new ColumnSchema("id", ColumnType.Int32, true), new("ts_ms", ColumnType.TimestampMicros, true), new("ts_ns", ColumnType.TimestampMicros, true)],
            table.Schema);
        var expected = (DateTime?[])Expected().Columns[8];
        var ms = (DateTime?[])table.Columns[1];
        var ns = (DateTime?[])table.Columns[2];
        Assert.Equal(Rows, table.RowCount);
        for (var i = 0; i < Rows; i++)
        {
            Assert.Equal(expected[i], ns[i]);
            Assert.Equal(expected[i] is { } t ? new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc) : null, ms[i]);
        }
    }

    [Fact]
    public void Inspect_shows_a_zstd_file()
    {
        var text = ParquetInspect.ToText(ParquetFile.Read(FixtureTests.Fixture("foreign_polars.parquet")), limit: 3);
        Assert.Contains("9 columns, 5000 rows", text);
        Assert.Contains("trial-00001", text);
        Assert.Contains("4997 more rows", text);
    }

    /// <summary>
    /// These writers store no page CRC, so a flipped value byte can go unnoticed; what must never happen is any
    /// other exception than ParquetFormatException (naming the file) from the new codec and page paths.
    /// </summary>
    [Theory]
    [InlineData("foreign_arrow_v2_plain.parquet")]
    [InlineData("foreign_arrow_v2_zstd.parquet")]
    [InlineData("foreign_duckdb_v2_zstd.parquet")]
    [InlineData("foreign_polars.parquet")]
    public void A_damaged_foreign_file_is_a_format_error_or_a_table(string file)
    {
        var bytes = File.ReadAllBytes(FixtureTests.Fixture(file));
        var rng = new Random(11);
        for (var trial = 0; trial < 300; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = rng.Next(4, bytes.Length - 8);
            damaged[at] ^= (byte)rng.Next(1, 256);
            Read(damaged, $"{file}, byte {at}");
            Read(bytes[..rng.Next(0, bytes.Length)], $"{file}, cut");
        }
        Read(bytes[..^1], $"{file}, last byte cut");

        static void Read(byte[] damaged, string name)
        {
            try
            {
                var table = ParquetFile.Read(damaged, name);
                Assert.Equal(Rows, table.RowCount);
            }
            catch (ParquetFormatException e)
            {
                Assert.StartsWith(name + ": ", e.Message);
            }
        }
    }
}
