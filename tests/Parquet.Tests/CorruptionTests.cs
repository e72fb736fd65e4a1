namespace SweepCluster.Parquet.Tests;

/// <summary>Damaged files end in ParquetFormatException naming the file, never in another exception.</summary>
public sealed class CorruptionTests
{
    private static Table Sample()
    {
        var rng = new Random(7);
        return new Table(
            [
                new("id", ColumnType.Int64, false), new("label", ColumnType.String, true), new("x", ColumnType.Double, true),
                new("ok", ColumnType.Boolean, false), new("name", ColumnType.String, false), new("t", ColumnType.Timestamp, true),
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
        var bytes = RoundTripTests.Write(Sample(), new WriteOptions { Compression = codec, RowGroupRows = 25 });
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes[..length], "cut.parquet"));
            Assert.StartsWith("cut.parquet: ", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_flipped_byte_anywhere_is_a_format_error_or_a_table(Compression codec)
    {
        var table = Sample();
        var bytes = RoundTripTests.Write(table, new WriteOptions { Compression = codec, RowGroupRows = 25 });
        var detected = 0;
        foreach (var mask in new byte[] { 0x01, 0xFF })
        {
            for (var at = 0; at < bytes.Length; at++)
            {
                var damaged = (byte[])bytes.Clone();
                damaged[at] ^= mask;
                try
                {
                    var read = ParquetFile.Read(damaged, "flip.parquet");
                    Assert.Equal(read.Schema.Count, read.Columns.Count);
                }
                catch (ParquetFormatException e)
                {
                    Assert.StartsWith("flip.parquet: ", e.Message);
                    detected++;
                }
            }
        }
        // Parquet.Net neither writes nor checks page CRCs, so a flip inside values can pass unnoticed (the
        // home-made reader caught those); flips in the footer, headers and lengths must still be caught.
        Assert.True(detected > bytes.Length / 4, $"only {detected} of {2 * bytes.Length} flips were detected");
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

    [Fact]
    public void A_fixture_truncated_anywhere_is_a_format_error()
    {
        var bytes = File.ReadAllBytes(FixtureTests.Fixture("results_snappy.parquet"));
        for (var length = 0; length < bytes.Length; length += 997)
            Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes[..length], "results_snappy.parquet"));
    }
}
