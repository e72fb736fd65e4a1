using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SweepCluster.Parquet.Tests;

/// <summary>
/// Values as canonical strings, the same form tests/interop/read-parquet.mjs prints: integers in decimal,
/// FLOAT/DOUBLE as the hex of their bits (NaN as "NaN"), timestamps as microseconds since the epoch.
/// </summary>
internal static class Canonical
{
    public static string? Of(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        float f => float.IsNaN(f) ? "NaN" : BitConverter.SingleToUInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture),
        double d => double.IsNaN(d) ? "NaN" : BitConverter.DoubleToUInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        string s => s,
        DateTime t => ((t.Ticks - DateTime.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"unexpected value type {value.GetType()}"),
    };

    public static string?[] Column(Array column)
    {
        var result = new string?[column.Length];
        for (var i = 0; i < column.Length; i++) result[i] = Of(column.GetValue(i));
        return result;
    }

    /// <summary>SHA-256 of the UTF-8 of, per value, '~' for null or its UTF-16 length, ':' and the value (as read-parquet.mjs).</summary>
    public static string Sha256(IEnumerable<string?> values)
    {
        var text = new StringBuilder();
        foreach (var v in values)
        {
            if (v is null) text.Append('~');
            else text.Append(v.Length).Append(':').Append(v);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A value of a fixture's expected JSON (parquet-check's canonical JSON) in canonical form.</summary>
    public static string? FromJson(ColumnType type, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        return type switch
        {
            ColumnType.Boolean => Of(e.GetBoolean()),
            ColumnType.Int32 => Of(e.GetInt32()),
            ColumnType.Int64 => Of(e.GetInt64()),
            ColumnType.Double => Of(e.ValueKind == JsonValueKind.String ? Special(e.GetString()!) : double.Parse(e.GetRawText(), CultureInfo.InvariantCulture)),
            ColumnType.Float => Of(e.ValueKind == JsonValueKind.String ? (float)Special(e.GetString()!) : float.Parse(e.GetRawText(), CultureInfo.InvariantCulture)),
            ColumnType.String => e.GetString(),
            ColumnType.Timestamp => Of(DateTime.ParseExact(e.GetString()!, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    private static double Special(string s) => s switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => throw new FormatException($"unexpected string '{s}' for a floating-point value"),
    };

    /// <summary>Asserts two tables hold the same schema and the same values, bit for bit.</summary>
    public static void AssertSameTable(Table expected, Table actual, string context)
    {
        Assert.Equal(expected.Schema, actual.Schema);
        Assert.Equal(expected.RowCount, actual.RowCount);
        for (var c = 0; c < expected.Schema.Count; c++)
        {
            var e = Column(expected.Columns[c]);
            var a = Column(actual.Columns[c]);
            for (var r = 0; r < e.Length; r++)
                if (e[r] != a[r])
                    Assert.Fail($"{context}: column '{expected.Schema[c].Name}' row {r}: expected {e[r] ?? "null"}, read {a[r] ?? "null"}");
        }
    }
}
