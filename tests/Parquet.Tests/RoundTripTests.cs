using System.Buffers.Binary;
using SweepCluster.Parquet.Format;

namespace SweepCluster.Parquet.Tests;

public sealed class RoundTripTests
{
    /// <summary>Random schemas, types, nulls, sizes, codecs and layouts survive writer and reader, with correct statistics.</summary>
    [Fact]
    public void Random_tables_round_trip_with_correct_statistics()
    {
        var rng = new Random(20261122);
        for (var i = 0; i < 200; i++)
        {
            var rows = rng.Next(6) switch { 0 => 0, 1 => 1, 2 => rng.Next(2, 20), 3 => rng.Next(20, 300), _ => rng.Next(300, 3000) };
            var table = Tables.Random(rng, rows);
            var options = new WriteOptions
            {
                Compression = (Compression)rng.Next(Enum.GetValues<Compression>().Length),
                RowGroupRows = rng.Next(3) == 0 ? rng.Next(1, 50) : rng.Next(1, 5000),
                PageRows = rng.Next(3) == 0 ? rng.Next(1, 30) : rng.Next(1, 5000),
                DictionaryForStrings = rng.Next(4) != 0,
            };
            var context = $"case {i} ({rows} rows, {options})";
            var bytes = Write(table, options);
            var read = ParquetFile.Read(bytes, context);
            Canonical.AssertSameTable(table, read, context);
            CheckStatistics(table, bytes, options, context);
        }
    }

    internal static byte[] Write(Table table, WriteOptions? options = null)
    {
        using var stream = new MemoryStream();
        ParquetFile.Write(stream, table, options);
        return stream.ToArray();
    }

    internal static FileMetaData Footer(byte[] bytes)
    {
        var reader = new ParquetReader("test", bytes);
        reader.ReadSchema();
        return reader.Metadata;
    }

    /// <summary>Recomputes each chunk's null count and min/max independently of the writer and compares with the footer.</summary>
    private static void CheckStatistics(Table table, byte[] bytes, WriteOptions options, string context)
    {
        var footer = Footer(bytes);
        Assert.Equal(table.RowCount, footer.NumRows);
        Assert.Equal((table.RowCount + options.RowGroupRows - 1) / options.RowGroupRows, footer.RowGroups.Count);
        var start = 0;
        foreach (var group in footer.RowGroups)
        {
            for (var c = 0; c < table.Schema.Count; c++)
            {
                var values = Enumerable.Range(start, (int)group.NumRows).Select(r => table.Columns[c].GetValue(r)).ToArray();
                var stats = group.Columns[c].Statistics!;
                var where = $"{context}: column {table.Schema[c].Name} at row {start}";
                Assert.True(values.Count(v => v is null) == stats.NullCount, $"{where}: null_count {stats.NullCount}");
                var (min, max) = ExpectedRange(table.Schema[c].Type, values.Where(v => v is not null).ToArray()!);
                Assert.True(Same(min, stats.MinValue), $"{where}: min_value {Hex(stats.MinValue)}, expected {Hex(min)}");
                Assert.True(Same(max, stats.MaxValue), $"{where}: max_value {Hex(stats.MaxValue)}, expected {Hex(max)}");
            }
            start += (int)group.NumRows;
        }
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
    private static string Hex(byte[]? b) => b is null ? "none" : Convert.ToHexString(b);

    private static (byte[]?, byte[]?) ExpectedRange(ColumnType type, object[] values)
    {
        switch (type)
        {
            case ColumnType.Boolean:
                if (values.Length == 0) return (null, null);
                var bools = values.Cast<bool>().ToArray();
                return ([bools.All(b => b) ? (byte)1 : (byte)0], [bools.Any(b => b) ? (byte)1 : (byte)0]);
            case ColumnType.Int32:
                if (values.Length == 0) return (null, null);
                return (Le(values.Cast<int>().Min()), Le(values.Cast<int>().Max()));
            case ColumnType.Int64:
                if (values.Length == 0) return (null, null);
                return (Le(values.Cast<long>().Min()), Le(values.Cast<long>().Max()));
            case ColumnType.TimestampMicros:
                if (values.Length == 0) return (null, null);
                var micros = values.Cast<DateTime>().Select(t => (t.Ticks - DateTime.UnixEpoch.Ticks) / 10).ToArray();
                return (Le(micros.Min()), Le(micros.Max()));
            case ColumnType.Double:
            {
                var d = values.Cast<double>().Where(x => !double.IsNaN(x)).ToArray();
                if (d.Length == 0) return (null, null);
                // Zero as min is written as -0.0 and as max as +0.0, whichever zeros the data holds.
                var lo = d.Min() == 0 ? -0.0 : d.Min();
                var hi = d.Max() == 0 ? 0.0 : d.Max();
                return (Le(BitConverter.DoubleToInt64Bits(lo)), Le(BitConverter.DoubleToInt64Bits(hi)));
            }
            case ColumnType.Float:
            {
                var f = values.Cast<float>().Where(x => !float.IsNaN(x)).ToArray();
                if (f.Length == 0) return (null, null);
                var lo = f.Min() == 0 ? -0.0f : f.Min();
                var hi = f.Max() == 0 ? 0.0f : f.Max();
                return (Le(BitConverter.SingleToInt32Bits(lo)), Le(BitConverter.SingleToInt32Bits(hi)));
            }
            case ColumnType.String:
            {
                if (values.Length == 0) return (null, null);
                var utf8 = values.Cast<string>().Select(s => System.Text.Encoding.UTF8.GetBytes(s)).ToArray();
                var comparer = Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b));
                var min = utf8.Min(comparer)!;
                var max = utf8.Max(comparer)!;
                return min.Length > 1024 || max.Length > 1024 ? (null, null) : (min, max);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    private static byte[] Le(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return b; }
    private static byte[] Le(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }

    [Fact]
    public void Edge_table_round_trips_through_a_file_with_each_codec()
    {
        var dir = Directory.CreateTempSubdirectory("parquet-roundtrip-");
        try
        {
            foreach (var codec in Enum.GetValues<Compression>())
            {
                var path = Path.Combine(dir.FullName, $"edge-{codec}.parquet");
                ParquetFile.WriteAtomic(path, Tables.Edge(), new WriteOptions { Compression = codec, PageRows = 3, RowGroupRows = 4 });
                Canonical.AssertSameTable(Tables.Edge(), ParquetFile.Read(path), codec.ToString());
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Strings_use_a_dictionary_when_values_repeat_and_plain_when_unique()
    {
        var repeated = new Table([new("s", ColumnType.String, true)], [Tables.Fill<string?>(1000, i => i % 10 == 0 ? null : $"v{i % 7}")]);
        var unique = new Table([new("s", ColumnType.String, true)], [Tables.Fill<string?>(1000, i => $"v{i}")]);
        var dict = Footer(Write(repeated)).RowGroups[0].Columns[0];
        var plain = Footer(Write(unique)).RowGroups[0].Columns[0];
        Assert.Contains(Format.Encoding.RleDictionary, dict.Encodings);
        Assert.NotNull(dict.DictionaryPageOffset);
        Assert.DoesNotContain(Format.Encoding.RleDictionary, plain.Encodings);
        Assert.Null(plain.DictionaryPageOffset);
        Canonical.AssertSameTable(repeated, ParquetFile.Read(Write(repeated), "repeated"), "repeated");
    }

    [Fact]
    public void Footer_declares_string_and_timestamp_logical_types()
    {
        var table = new Table([new("s", ColumnType.String, false), new("t", ColumnType.TimestampMicros, true)],
            [new string?[] { "x" }, new DateTime?[] { DateTime.UnixEpoch }]);
        var schema = Footer(Write(table)).Schema;
        Assert.Equal(LogicalKind.String, schema[1].Logical);
        Assert.Equal(ConvertedType.Utf8, schema[1].ConvertedType);
        Assert.Equal(Repetition.Required, schema[1].Repetition);
        Assert.Equal(LogicalKind.Timestamp, schema[2].Logical);
        Assert.True(schema[2].TimestampUtc);
        Assert.Equal(TimeUnit.Micros, schema[2].TimestampUnit);
        Assert.Equal(Repetition.Optional, schema[2].Repetition);
    }
}
