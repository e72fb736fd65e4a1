using System.Buffers.Binary;
using SweepCluster.Parquet.Encodings;
using SweepCluster.Parquet.Format;
using SweepCluster.Parquet.Thrift;

namespace SweepCluster.Parquet.Tests;

public sealed class UnitTests
{
    [Fact]
    public void Crc32_matches_the_zlib_check_value() => Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Rle_hybrid_round_trips_runs_and_literals()
    {
        var rng = new Random(11);
        var buffer = new ByteBuffer();
        for (var i = 0; i < 500; i++)
        {
            var width = rng.Next(1, 21);
            var values = new int[rng.Next(0, 300)];
            for (var k = 0; k < values.Length; k++)
                values[k] = rng.Next(3) == 0 ? (k > 0 ? values[k - 1] : 0) : rng.Next(0, 1 << Math.Min(width, 20));
            buffer.Clear();
            RleHybrid.Encode(values, width, buffer);
            var decoded = new int[values.Length];
            Assert.True(RleHybrid.Decode(buffer.Span, width, decoded));
            Assert.Equal(values, decoded);
        }
    }

    [Fact]
    public void Utf8_order_matches_bytewise_comparison_of_utf8()
    {
        string[] samples = ["", "a", "ab", "b", "\u00e9", "\uE000", "\uFFFD", "😀", "😀a", "中", "\u007f", "Z"];
        foreach (var a in samples)
            foreach (var b in samples)
                Assert.Equal(Math.Sign(System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b))),
                    Math.Sign(Utf8Order.Compare(a, b)));
    }

    [Fact]
    public void WriteAtomic_replaces_the_file_and_leaves_no_temporary_files()
    {
        var dir = Directory.CreateTempSubdirectory("parquet-atomic-");
        try
        {
            var path = Path.Combine(dir.FullName, "part-00000.parquet");
            File.WriteAllText(path, "old content");
            var table = new Table([new("x", ColumnType.Int32, false)], [new int?[] { 1, 2, 3 }]);
            ParquetFile.WriteAtomic(path, table);
            Canonical.AssertSameTable(table, ParquetFile.Read(path), "atomic");
            Assert.Equal(["part-00000.parquet"], Directory.GetFiles(dir.FullName).Select(Path.GetFileName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_failed_write_leaves_neither_the_file_nor_a_temporary()
    {
        var dir = Directory.CreateTempSubdirectory("parquet-atomic-");
        try
        {
            var path = Path.Combine(dir.FullName, "part-00001.parquet");
            var table = new Table([new("x", ColumnType.Int32, false)], [new int?[] { 1, null, 3 }]);
            var e = Assert.Throws<ArgumentException>(() => ParquetFile.WriteAtomic(path, table));
            Assert.Contains("'x' is REQUIRED", e.Message);
            Assert.Empty(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Writer_rejects_unusable_schemas()
    {
        Assert.Throws<ArgumentException>(() => RoundTripTests.Write(new Table([], [])));
        Assert.Throws<ArgumentException>(() => RoundTripTests.Write(new Table(
            [new("a", ColumnType.Int32, false), new("a", ColumnType.Int32, false)], [new int?[1], new int?[1]])));
    }

    [Fact]
    public void Zero_rows_make_a_file_with_the_schema_and_no_row_groups()
    {
        var table = new Table([new("s", ColumnType.String, true), new("n", ColumnType.Int64, false)], [Array.Empty<string?>(), Array.Empty<long?>()]);
        var bytes = RoundTripTests.Write(table);
        Assert.Empty(RoundTripTests.Footer(bytes).RowGroups);
        var read = ParquetFile.Read(bytes, "zero");
        Assert.Equal(table.Schema, read.Schema);
        Assert.Equal(0, read.RowCount);
    }

    [Fact]
    public void Selected_columns_and_the_schema_alone_can_be_read()
    {
        var path = FixtureTests.Fixture("results_gzip.parquet");
        var table = ParquetFile.Read(path, ["name", "id"]);
        Assert.Equal(["id", "name"], table.Schema.Select(c => c.Name));
        Assert.Equal("case-2999", ((string?[])table.Columns[1])[2999]);
        Assert.Equal(9, ParquetFile.ReadSchema(path).Count);
        var e = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(path, ["nope"]));
        Assert.Contains("no column 'nope'", e.Message);
    }

    [Fact]
    public void A_v1_page_relabelled_data_page_v2_is_a_format_error_naming_the_file()
    {
        var bytes = RoundTripTests.Write(new Table([new("x", ColumnType.Int32, false)], [new int?[] { 1, 2, 3 }]),
            new WriteOptions { Compression = Compression.Uncompressed });
        // The first page header starts right after the magic: field 1 (type, i32) = zigzag 0, DATA_PAGE.
        Assert.Equal([0x15, 0x00], bytes[4..6]);
        bytes[5] = 0x06; // zigzag 3: DATA_PAGE_V2, whose header struct (field 8) the page lacks
        var e = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes, "v2.parquet"));
        Assert.StartsWith("v2.parquet: ", e.Message);
        Assert.Contains("DATA_PAGE_V2", e.Message);
    }

    [Theory]
    [InlineData((int)Codec.Lzo, "LZO")]
    [InlineData((int)Codec.Brotli, "BROTLI")]
    [InlineData((int)Codec.Lz4, "LZ4")]
    [InlineData((int)Codec.Lz4Raw, "LZ4_RAW")]
    public void Codecs_the_reader_lacks_are_refused_by_name(int codec, string name)
    {
        var bytes = RoundTripTests.Write(new Table([new("x", ColumnType.Int32, false)], [new int?[] { 1, 2, 3 }]),
            new WriteOptions { Compression = Compression.Uncompressed });
        var reader = new ParquetReader("lz.parquet", bytes);
        reader.ReadSchema();
        foreach (var group in reader.Metadata.RowGroups)
        {
            foreach (var chunk in group.Columns) chunk.Codec = (Codec)codec;
            group.ChunkFileOffsets = group.Columns.Select(c => c.DataPageOffset).ToList(); // the reader does not keep them
        }
        var footer = new ByteBuffer();
        reader.Metadata.Write(new CompactWriter(footer));
        var oldFooter = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        byte[] relabelled = [.. bytes.AsSpan(0, bytes.Length - 8 - oldFooter), .. footer.Span, .. BitConverter.GetBytes(footer.Length), .. "PAR1"u8];
        var e = Assert.Throws<ParquetUnsupportedException>(() => ParquetFile.Read(relabelled, "lz.parquet"));
        Assert.StartsWith("lz.parquet: ", e.Message);
        Assert.Equal($"{name} compression (column 'x' in row group 0)", e.Feature);
    }

    [Fact]
    public void Millis_and_nanos_convert_to_the_microsecond_floor_and_out_of_range_values_are_refused()
    {
        Assert.True(Timestamps.TryFromUnit(-1, TimeUnit.Nanos, DateTimeKind.Utc, out var t));
        Assert.Equal(DateTime.UnixEpoch.AddTicks(-10), t);
        Assert.True(Timestamps.TryFromUnit(1_999, TimeUnit.Nanos, DateTimeKind.Utc, out t));
        Assert.Equal(DateTime.UnixEpoch.AddTicks(10), t);
        Assert.True(Timestamps.TryFromUnit(-1, TimeUnit.Millis, DateTimeKind.Utc, out t));
        Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(-1), t);
        Assert.False(Timestamps.TryFromUnit(long.MaxValue / 1000, TimeUnit.Millis, DateTimeKind.Utc, out _));
        Assert.False(Timestamps.TryFromUnit(long.MinValue, TimeUnit.Millis, DateTimeKind.Utc, out _));
        Assert.True(Timestamps.TryFromUnit(long.MinValue, TimeUnit.Nanos, DateTimeKind.Utc, out t)); // 1677, within DateTime
        Assert.Equal(1677, t.Year);
    }

    /// <summary>The format's own example: 1, 2, 3, 4, 5 as block size 128, 4 miniblocks, first value 1, min delta 1, widths 0.</summary>
    [Fact]
    public void Delta_binary_packed_decodes_the_format_example_and_reports_its_length()
    {
        byte[] data = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0, 0xEE];
        var values = new long[5];
        Assert.Equal(10, DeltaBinaryPacked.Decode(data, values));
        Assert.Equal([1L, 2, 3, 4, 5], values);
        Assert.Equal(-1, DeltaBinaryPacked.Decode(data, new long[4])); // the header says 5
        Assert.Equal(-1, DeltaBinaryPacked.Decode(data[..9], values)); // a bit width is missing
    }

    /// <summary>7, 5, 3, 1, 2, 3, 4, 5: deltas -2 -2 -2 1 1 1 1, min delta -2, so 0 0 0 3 3 3 3 in 2 bits per value.</summary>
    [Fact]
    public void Delta_binary_packed_decodes_negative_deltas_from_bit_packed_miniblocks()
    {
        var data = new List<byte> { 0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 2, 0, 0, 0 };
        // One miniblock of 32 values at 2 bits: 0,0,0,3 then 3,3,3,(pad 0): bytes 0b11000000, 0b00111111, then zeros.
        data.AddRange([0xC0, 0x3F, 0, 0, 0, 0, 0, 0]);
        var values = new long[8];
        Assert.Equal(data.Count, DeltaBinaryPacked.Decode(data.ToArray(), values));
        Assert.Equal([7L, 5, 3, 1, 2, 3, 4, 5], values);
    }
}
