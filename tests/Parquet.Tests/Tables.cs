namespace SweepCluster.Parquet.Tests;

/// <summary>Builds test tables: random ones for property tests and hand-made ones for edge values.</summary>
internal static class Tables
{
    public static readonly string[] Words = ["", "a", "alpha", "beta", "épsilon ✓", "😀 emoji", "中文", "NULL", "  spaces  ", "quote \" \\ \n\t", "\uE000 private", "z"];

    public static Table Random(Random rng, int rows)
    {
        var columns = rng.Next(1, 9);
        var schema = new List<ColumnSchema>();
        var arrays = new List<Array>();
        for (var c = 0; c < columns; c++)
        {
            var type = (ColumnType)rng.Next(0, 7);
            var optional = rng.Next(2) == 0;
            var nullRate = optional ? rng.Next(4) switch { 0 => 0.0, 1 => 0.1, 2 => 0.7, _ => 1.0 } : 0.0;
            schema.Add(new ColumnSchema($"c{c}_{type}", type, optional));
            arrays.Add(RandomColumn(rng, type, rows, nullRate));
        }
        return new Table(schema, arrays);
    }

    public static Array RandomColumn(Random rng, ColumnType type, int rows, double nullRate)
    {
        bool IsNull() => nullRate > 0 && rng.NextDouble() < nullRate;
        // Strings either repeat from a small pool (dictionary) or are fresh (plain fallback).
        var fresh = rng.Next(2) == 0;
        return type switch
        {
            ColumnType.Boolean => Fill<bool?>(rows, _ => IsNull() ? null : rng.Next(2) == 0),
            ColumnType.Int32 => Fill<int?>(rows, _ => IsNull() ? null : rng.Next(3) == 0 ? rng.Next(-3, 3) : (int)rng.NextInt64(int.MinValue, int.MaxValue + 1L)),
            ColumnType.Int64 => Fill<long?>(rows, _ => IsNull() ? null : rng.Next(3) == 0 ? rng.Next(-3, 3) : rng.NextInt64(long.MinValue, long.MaxValue)),
            ColumnType.Float => Fill<float?>(rows, _ => IsNull() ? null : (float)SpecialOr(rng, () => BitConverter.Int32BitsToSingle(rng.Next()) * (rng.Next(2) == 0 ? 1 : -1))),
            ColumnType.Double => Fill<double?>(rows, _ => IsNull() ? null : SpecialOr(rng, () => BitConverter.Int64BitsToDouble(rng.NextInt64()))),
            ColumnType.String => Fill<string?>(rows, _ => IsNull() ? null : fresh ? RandomString(rng) : Words[rng.Next(Words.Length)]),
            ColumnType.Timestamp => Fill<DateTime?>(rows, _ => IsNull() ? null :
                // Millisecond precision: what the writer keeps (TIMESTAMP(MILLIS), see ParquetCodec).
                new DateTime(rng.NextInt64(0, DateTime.MaxValue.Ticks / TimeSpan.TicksPerMillisecond) * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc)),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    private static double SpecialOr(Random rng, Func<double> value) => rng.Next(10) switch
    {
        0 => new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, -double.MaxValue }[rng.Next(7)],
        1 => rng.Next(-5, 5) / 2.0,
        _ => value(),
    };

    private static string RandomString(Random rng)
    {
        var length = rng.Next(0, 20);
        var chars = new System.Text.StringBuilder();
        for (var i = 0; i < length; i++)
        {
            switch (rng.Next(5))
            {
                case 0: chars.Append((char)rng.Next(0x20, 0x7F)); break;
                case 1: chars.Append((char)rng.Next(0xA0, 0x800)); break;
                case 2: chars.Append((char)rng.Next(0xE000, 0xFFFE)); break;
                case 3: chars.Append(char.ConvertFromUtf32(rng.Next(0x10000, 0x10FFFF))); break;
                default: chars.Append((char)rng.Next(0x3000, 0xD7FF)); break;
            }
        }
        return chars.ToString();
    }

    public static T[] Fill<T>(int rows, Func<int, T> value)
    {
        var result = new T[rows];
        for (var i = 0; i < rows; i++) result[i] = value(i);
        return result;
    }

    /// <summary>Every type, required and optional, with nulls, NaN, ±Infinity, −0.0, extremes and non-ASCII strings.</summary>
    public static Table Edge()
    {
        double?[] doubles = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue, 0.1, null];
        float?[] floats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, 0.0f, float.Epsilon, float.MaxValue, float.MinValue, 0.1f, null];
        string?[] strings = ["", "ünïcødé ✓ 😀 中文", "quote \" backslash \\ newline\ntab\tend", "NULL", new string('x', 2000), "\uE000", "😀", "a", "A", null];
        DateTime?[] times =
        [
            DateTime.UnixEpoch, DateTime.UnixEpoch.AddMilliseconds(-1), new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(9999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc), new DateTime(2000, 2, 29, 12, 34, 56, 789, DateTimeKind.Utc),
            new DateTime(1900, 1, 1, 0, 0, 0, 1, DateTimeKind.Utc), DateTime.UnixEpoch, DateTime.UnixEpoch, DateTime.UnixEpoch, null,
        ];
        return new Table(
        [
            new("i32", ColumnType.Int32, false), new("i32_opt", ColumnType.Int32, true),
            new("i64", ColumnType.Int64, false), new("i64_opt", ColumnType.Int64, true),
            new("f64", ColumnType.Double, true), new("f32", ColumnType.Float, true),
            new("b", ColumnType.Boolean, true), new("b_req", ColumnType.Boolean, false),
            new("s", ColumnType.String, true), new("ts", ColumnType.Timestamp, true), new("all_null", ColumnType.Double, true),
        ],
        [
            new int?[] { int.MinValue, int.MaxValue, 0, -1, 1, 2, 3, 4, 5, 6 },
            new int?[] { null, int.MaxValue, 0, -1, null, 2, 3, 4, 5, null },
            new long?[] { long.MinValue, long.MaxValue, 0, -1, 9007199254740993, -9007199254740993, 3, 4, 5, 6 },
            new long?[] { long.MinValue, null, 0, -1, 9007199254740993, null, 3, 4, 5, null },
            doubles, floats,
            new bool?[] { true, false, null, true, false, true, false, null, true, true },
            new bool?[] { true, false, false, true, false, true, false, false, true, true },
            strings, times, new double?[10],
        ]);
    }
}
