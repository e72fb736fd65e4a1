using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SweepCluster.Parquet;

/// <summary>Renders tables for `sweep inspect`: a text view (schema and rows) or JSON rows keyed by column name.</summary>
public static class ParquetInspect
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The schema, then up to limit rows as an aligned text table.</summary>
    public static string ToText(Table table, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = RowsToShow(table, limit);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{table.Schema.Count} columns, {table.RowCount} rows\n");
        foreach (var c in table.Schema)
            text.Append(CultureInfo.InvariantCulture, $"  {c.Name}: {TypeName(c.Type)} {(c.Optional ? "OPTIONAL" : "REQUIRED")}\n");
        if (table.Schema.Count == 0) return text.ToString();

        var cells = new string[rows + 1][];
        cells[0] = table.Schema.Select(c => c.Name).ToArray();
        for (var r = 0; r < rows; r++)
        {
            cells[r + 1] = new string[table.Schema.Count];
            for (var c = 0; c < table.Schema.Count; c++) cells[r + 1][c] = TextCell(table.Columns[c].GetValue(r));
        }
        var widths = Enumerable.Range(0, table.Schema.Count).Select(c => cells.Max(row => row[c].Length)).ToArray();
        text.Append('\n');
        foreach (var row in cells)
        {
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0) text.Append(" | ");
                text.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c]));
            }
            text.Append('\n');
        }
        if (rows < table.RowCount) text.Append(CultureInfo.InvariantCulture, $"... {table.RowCount - rows} more rows\n");
        return text.ToString();
    }

    /// <summary>
    /// A JSON array with one object per row, one row per line. NaN and infinities are the strings "NaN",
    /// "Infinity" and "-Infinity"; timestamps are ISO-8601 with microseconds and Z when UTC.
    /// </summary>
    public static string ToJson(Table table, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = RowsToShow(table, limit);
        using var stream = new MemoryStream();
        stream.Write("["u8);
        for (var r = 0; r < rows; r++)
        {
            stream.Write(r == 0 ? "\n"u8 : ",\n"u8);
            using var json = new Utf8JsonWriter(stream, JsonOptions);
            json.WriteStartObject();
            for (var c = 0; c < table.Schema.Count; c++)
            {
                json.WritePropertyName(table.Schema[c].Name);
                WriteJsonValue(json, table.Columns[c].GetValue(r));
            }
            json.WriteEndObject();
            json.Flush();
        }
        stream.Write(rows > 0 ? "\n]\n"u8 : "]\n"u8);
        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Reads the file and renders it; errors are ParquetFormatException as from ParquetFile.Read.</summary>
    public static string Render(string path, bool json, int? limit = null)
    {
        var table = ParquetFile.Read(path);
        return json ? ToJson(table, limit) : ToText(table, limit);
    }

    private static int RowsToShow(Table table, int? limit)
    {
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must not be negative");
        return Math.Min(table.RowCount, limit ?? int.MaxValue);
    }

    private static string TypeName(ColumnType type) => type switch
    {
        ColumnType.Timestamp => "TIMESTAMP(UTC)",
        _ => type.ToString().ToUpperInvariant(),
    };

    // Long strings would stretch every line of the text table; the JSON view shows them whole.
    private const int MaxCellChars = 60;

    private static string TextCell(object? value) => value switch
    {
        null => "null",
        string s => Shorten(s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)),
        _ => Scalar(value),
    };

    private static string Shorten(string s)
    {
        if (s.Length <= MaxCellChars) return s;
        var keep = MaxCellChars - 1;
        if (char.IsHighSurrogate(s[keep - 1])) keep--; // never split a surrogate pair
        return string.Concat(s.AsSpan(0, keep), "…");
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case string s: json.WriteStringValue(s); break;
            case DateTime t: json.WriteStringValue(Timestamp(t)); break;
            case float f when !float.IsFinite(f): json.WriteStringValue(Scalar(f)); break;
            case double d when !double.IsFinite(d): json.WriteStringValue(Scalar(d)); break;
            default: json.WriteRawValue(Scalar(value)); break;
        }
    }

    /// <summary>Numbers in the shortest form that round-trips; -0.0 keeps its sign.</summary>
    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        float f when float.IsNaN(f) => "NaN",
        double d when double.IsNaN(d) => "NaN",
        float f when float.IsInfinity(f) => f > 0 ? "Infinity" : "-Infinity",
        double d when double.IsInfinity(d) => d > 0 ? "Infinity" : "-Infinity",
        float f when f == 0 => float.IsNegative(f) ? "-0.0" : "0.0",
        double d when d == 0 => double.IsNegative(d) ? "-0.0" : "0.0",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => Timestamp(t),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Timestamp(DateTime t) =>
        t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + (t.Kind == DateTimeKind.Utc ? "Z" : "");
}
