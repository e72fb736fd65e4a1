namespace SweepCluster.Parquet.Tests;

/// <summary>Damaged files end in ParquetFormatException naming the file, never another exception or a wrong table.</summary>
public sealed class CorruptionTests
{
    private static Table Sample()
    {
        var rng = new Random(7);
        return new Table(
            [
                new("id", ColumnType.Int64, false), new("label", ColumnType.String, true), new("x", ColumnType.Double, true),
                new("ok", ColumnType.Boolean, false), new("name", ColumnType.String, false), new("t", ColumnType.TimestampMicros, true),
            ],
            [
                Tables.Fill<long?>(60, i => i * 1000003L),
                Tables.Fill<string?>(60, i => i % 5 == 0 ? null : Tables.Words[i % 4 + 2]),
                Tables.Fill<double?>(60, i => i % 7 == 0 ? null : rng.NextDouble()),
                Tables.Fill<bool?>(60, i => i % 3 == 0),
                Tables.Fill<string?>(60, i => $"name-{i}"),
                Tables.Fill<DateTime?>(60, i => i % 4 == 0 ? null : DateTime.UnixEpoch.AddSeconds(i * 7919)),
            ]);
    }

    public static TheoryData<Compression> Codecs => new() { Compression.Uncompressed, Compression.Snappy, Compression.Gzip, Compression.Zstd };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_truncation_is_a_format_error_naming_the_file(Compression codec)
    {
        var bytes = RoundTripTests.Write(Sample(), new WriteOptions { Compression = codec, RowGroupRows = 25, PageRows = 10 });
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes[..length], "cut.parquet"));
            Assert.StartsWith("cut.parquet: ", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_flipped_byte_anywhere_is_a_format_error_or_changes_nothing(Compression codec)
    {
        var table = Sample();
        var bytes = RoundTripTests.Write(table, new WriteOptions { Compression = codec, RowGroupRows = 25, PageRows = 10 });
        var unnoticed = 0;
        foreach (var mask in new byte[] { 0x01, 0xFF })
        {
            for (var at = 0; at < bytes.Length; at++)
            {
                var damaged = (byte[])bytes.Clone();
                damaged[at] ^= mask;
                Table read;
                try
                {
                    read = ParquetFile.Read(damaged, "flip.parquet");
                }
                catch (ParquetFormatException e)
                {
                    Assert.StartsWith("flip.parquet: ", e.Message);
                    continue;
                }
                // Pages carry a CRC, and the footer's names, types and counts are cross-checked against each
                // other and the pages. What can pass unnoticed (created_by, statistics, sizes the reader does
                // not use) must not change the table.
                Canonical.AssertSameTable(table, read, $"byte {at} ^ {mask:x2}");
                unnoticed++;
            }
        }
        Assert.True(unnoticed < bytes.Length / 2, $"{unnoticed} flips went unnoticed; the test no longer damages what matters");
    }

    [Fact]
    public void Garbage_and_empty_files_are_format_errors()
    {
        Assert.Throws<ParquetFormatException>(() => ParquetFile.Read([], "empty"));
        Assert.Throws<ParquetFormatException>(() => ParquetFile.Read("not a parquet file at all"u8.ToArray(), "text"));
        var rng = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var junk = new byte[rng.Next(12, 400)];
            rng.NextBytes(junk);
            "PAR1"u8.CopyTo(junk);
            "PAR1"u8.CopyTo(junk.AsSpan(junk.Length - 4));
            BitConverter.TryWriteBytes(junk.AsSpan(junk.Length - 8), rng.Next(1, junk.Length - 12));
            Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(junk, "junk"));
        }
    }

    /// <summary>
    /// arrow-rs's small DATA_PAGE_V2 file (ZSTD, DELTA encodings, RLE booleans), damaged at every byte. It has no
    /// page CRC, so a flip inside a value may pass unnoticed; anything else must be a ParquetFormatException.
    /// </summary>
    [Fact]
    public void A_flipped_byte_in_a_foreign_v2_file_is_a_format_error_or_a_table()
    {
        var bytes = File.ReadAllBytes(FixtureTests.Fixture("foreign_arrow_v2_small.parquet"));
        var noticed = 0;
        foreach (var mask in new byte[] { 0x01, 0xFF })
        {
            for (var at = 0; at < bytes.Length; at++)
            {
                var damaged = (byte[])bytes.Clone();
                damaged[at] ^= mask;
                try
                {
                    Assert.Equal(300, ParquetFile.Read(damaged, "v2.parquet").RowCount);
                }
                catch (ParquetFormatException e)
                {
                    Assert.StartsWith("v2.parquet: ", e.Message);
                    noticed++;
                }
            }
        }
        Assert.True(noticed > bytes.Length / 2, $"only {noticed} of {2 * bytes.Length} flips noticed");
        for (var length = 0; length < bytes.Length; length += 7)
            Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes[..length], "v2.parquet"));
    }

    [Fact]
    public void A_fixture_truncated_anywhere_is_a_format_error()
    {
        var bytes = File.ReadAllBytes(FixtureTests.Fixture("results_snappy.parquet"));
        for (var length = 0; length < bytes.Length; length += 997)
            Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes[..length], "results_snappy.parquet"));
    }
}
