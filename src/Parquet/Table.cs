namespace SweepCluster.Parquet;

public enum ColumnType { Boolean, Int32, Int64, Float, Double, String, TimestampMicros }

public enum Compression { Uncompressed, Snappy, Gzip, Zstd }

/// <summary>A flat column: REQUIRED when Optional is false, OPTIONAL otherwise.</summary>
public sealed record ColumnSchema(string Name, ColumnType Type, bool Optional);

/// <summary>
/// A flat table held by column. Column i is an array of RowCount values whose element type follows
/// Schema[i].Type: bool?[], int?[], long?[], float?[], double?[], string?[] or DateTime?[] (UTC, microsecond
/// precision). Nulls are allowed only in OPTIONAL columns.
/// </summary>
public sealed class Table
{
    public Table(IReadOnlyList<ColumnSchema> schema, IReadOnlyList<Array> columns)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columns);
        if (schema.Count != columns.Count)
            throw new ArgumentException($"schema has {schema.Count} columns but {columns.Count} arrays were given");
        RowCount = columns.Count == 0 ? 0 : columns[0].Length;
        for (var i = 0; i < columns.Count; i++)
        {
            var expected = ElementType(schema[i].Type);
            if (columns[i].GetType().GetElementType() != expected)
                throw new ArgumentException($"column '{schema[i].Name}' ({schema[i].Type}) needs {expected.Name}[] but got {columns[i].GetType().Name}");
            if (columns[i].Length != RowCount)
                throw new ArgumentException($"column '{schema[i].Name}' has {columns[i].Length} values, expected {RowCount}");
        }
        Schema = schema;
        Columns = columns;
    }

    public IReadOnlyList<ColumnSchema> Schema { get; }
    public IReadOnlyList<Array> Columns { get; }
    public int RowCount { get; }

    public int IndexOf(string name)
    {
        for (var i = 0; i < Schema.Count; i++)
            if (Schema[i].Name == name) return i;
        return -1;
    }

    public static Type ElementType(ColumnType type) => type switch
    {
        ColumnType.Boolean => typeof(bool?),
        ColumnType.Int32 => typeof(int?),
        ColumnType.Int64 => typeof(long?),
        ColumnType.Float => typeof(float?),
        ColumnType.Double => typeof(double?),
        ColumnType.String => typeof(string),
        ColumnType.TimestampMicros => typeof(DateTime?),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
    };
}

public sealed record WriteOptions
{
    public Compression Compression { get; init; } = Compression.Snappy;
    public int RowGroupRows { get; init; } = 1 << 20;
    public int PageRows { get; init; } = 1 << 14;
    public bool DictionaryForStrings { get; init; } = true;
}

/// <summary>A file that is not valid Parquet, is truncated, or uses a feature the reader lacks.</summary>
public class ParquetFormatException(string path, string message) : Exception($"{path}: {message}")
{
    public string FilePath { get; } = path;
}

/// <summary>A valid file that uses a codec, encoding or page kind this reader does not support.</summary>
public sealed class ParquetUnsupportedException(string path, string feature)
    : ParquetFormatException(path, $"unsupported Parquet feature: {feature}")
{
    public string Feature { get; } = feature;
}
