using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using SweepCluster.Parquet.Encodings;
using SweepCluster.Parquet.Format;
using SweepCluster.Parquet.Thrift;
using Encoding = SweepCluster.Parquet.Format.Encoding;

namespace SweepCluster.Parquet;

/// <summary>
/// Writes a Parquet file to a stream one row group at a time: DATA_PAGE v1 pages, PLAIN values,
/// dictionary-encoded strings, RLE definition levels, CRC-checked pages and a Thrift compact footer.
/// </summary>
internal sealed class ParquetWriter
{
    public const string CreatedBy = "SweepCluster.Parquet version 1.0.0";
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    // A dictionary larger than this is unlikely to pay off and some readers cap dictionary pages near 1 MiB.
    private const int MaxDictionaryBytes = 1 << 20;

    private readonly Stream _stream;
    private readonly IReadOnlyList<ColumnSchema> _schema;
    private readonly WriteOptions _options;
    private readonly Codec _codec;
    private readonly List<RowGroup> _rowGroups = [];
    private readonly ByteBuffer _page = new(1 << 16);
    private readonly ByteBuffer _header = new(256);
    private readonly MemoryStream _compressScratch = new();
    private int[] _levels = [];
    private int[] _indices = [];
    private long _position;
    private long _rows;

    public ParquetWriter(Stream stream, IReadOnlyList<ColumnSchema> schema, WriteOptions options)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the Parquet writer needs a little-endian machine");
        ValidateSchema(schema);
        if (options.RowGroupRows < 1) throw new ArgumentException($"RowGroupRows must be at least 1, got {options.RowGroupRows}");
        if (options.PageRows < 1) throw new ArgumentException($"PageRows must be at least 1, got {options.PageRows}");
        _stream = stream;
        _schema = schema;
        _options = options;
        _codec = Codecs.ToFormat(options.Compression);
        Write(Magic);
    }

    private static void ValidateSchema(IReadOnlyList<ColumnSchema> schema)
    {
        if (schema.Count == 0) throw new ArgumentException("a Parquet file needs at least one column");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in schema)
        {
            if (string.IsNullOrEmpty(c.Name)) throw new ArgumentException("column names must not be empty");
            if (!names.Add(c.Name)) throw new ArgumentException($"column name '{c.Name}' appears twice");
        }
    }

    /// <summary>Writes rows [start, start + count) of the table as one row group.</summary>
    public void WriteRowGroup(Table table, int start, int count)
    {
        if (!ReferenceEquals(table.Schema, _schema) && !table.Schema.SequenceEqual(_schema))
            throw new ArgumentException("the table's schema differs from the writer's");
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, table.RowCount);

        var group = new RowGroup { NumRows = count, FileOffset = _position, Ordinal = (short)Math.Min(short.MaxValue, _rowGroups.Count) };
        for (var c = 0; c < _schema.Count; c++)
        {
            var chunkStart = _position;
            var meta = WriteColumnChunk(_schema[c], table.Columns[c], start, count);
            group.Columns.Add(meta);
            group.ChunkFileOffsets.Add(chunkStart);
            group.TotalByteSize += meta.TotalUncompressedSize;
            group.TotalCompressedSize += meta.TotalCompressedSize;
        }
        _rowGroups.Add(group);
        _rows += count;
    }

    /// <summary>Writes the footer. The stream is left open for the caller to flush and close.</summary>
    public void Finish()
    {
        var schema = new List<SchemaElement> { new() { Name = "schema", NumChildren = _schema.Count } };
        foreach (var c in _schema) schema.Add(ToElement(c));
        var meta = new FileMetaData { Version = 2, Schema = schema, NumRows = _rows, RowGroups = _rowGroups, CreatedBy = CreatedBy };
        _header.Clear();
        meta.Write(new CompactWriter(_header));
        Write(_header.Span);
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tail, _header.Length);
        Magic.CopyTo(tail[4..]);
        Write(tail);
    }

    private static SchemaElement ToElement(ColumnSchema c)
    {
        var e = new SchemaElement
        {
            Name = c.Name,
            Repetition = c.Optional ? Repetition.Optional : Repetition.Required,
            Type = PhysicalTypeOf(c.Type),
        };
        if (c.Type == ColumnType.String)
        {
            e.ConvertedType = ConvertedType.Utf8;
            e.Logical = LogicalKind.String;
        }
        else if (c.Type == ColumnType.TimestampMicros)
        {
            e.ConvertedType = ConvertedType.TimestampMicros;
            e.Logical = LogicalKind.Timestamp;
            e.TimestampUtc = true;
            e.TimestampUnit = TimeUnit.Micros;
        }
        return e;
    }

    internal static PhysicalType PhysicalTypeOf(ColumnType type) => type switch
    {
        ColumnType.Boolean => PhysicalType.Boolean,
        ColumnType.Int32 => PhysicalType.Int32,
        ColumnType.Int64 or ColumnType.TimestampMicros => PhysicalType.Int64,
        ColumnType.Float => PhysicalType.Float,
        ColumnType.Double => PhysicalType.Double,
        ColumnType.String => PhysicalType.ByteArray,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
    };

    private ColumnMetaData WriteColumnChunk(ColumnSchema column, Array values, int start, int count)
    {
        var meta = new ColumnMetaData
        {
            Type = PhysicalTypeOf(column.Type),
            Path = [column.Name],
            Codec = _codec,
            NumValues = count,
            Encodings = column.Optional ? [Encoding.Plain, Encoding.Rle] : [Encoding.Plain],
        };
        var stats = new StatsBuilder();
        string[]? dictionary = null;
        if (column.Type == ColumnType.String && _options.DictionaryForStrings)
        {
            dictionary = BuildDictionary(column, ((string?[])values).AsSpan(start, count), ref stats);
            if (dictionary is not null)
            {
                meta.Encodings.Add(Encoding.RleDictionary);
                meta.DictionaryPageOffset = _position;
                _page.Clear();
                foreach (var s in dictionary) WritePlainString(s, _page);
                WritePage(meta, PageType.DictionaryPage, dictionary.Length, Encoding.Plain);
            }
        }
        meta.DataPageOffset = _position;
        for (var pageStart = 0; pageStart < count; pageStart += _options.PageRows)
        {
            var rows = Math.Min(_options.PageRows, count - pageStart);
            _page.Clear();
            var levelsAt = 0;
            if (column.Optional)
            {
                levelsAt = _page.Length;
                _page.WriteInt32(0); // length prefix, patched once the levels are encoded
            }
            if (_levels.Length < rows) _levels = new int[rows];
            var levels = _levels.AsSpan(0, rows);
            var from = start + pageStart;
            var nulls = dictionary is not null
                ? WriteIndices(pageStart, rows, ref stats)
                : column.Type switch
                {
                    ColumnType.Boolean => EncodeBooleans(((bool?[])values).AsSpan(from, rows), levels, ref stats),
                    ColumnType.Int32 => EncodeNumbers(((int?[])values).AsSpan(from, rows), levels, ref stats),
                    ColumnType.Int64 => EncodeNumbers(((long?[])values).AsSpan(from, rows), levels, ref stats),
                    ColumnType.Float => EncodeNumbers(((float?[])values).AsSpan(from, rows), levels, ref stats),
                    ColumnType.Double => EncodeNumbers(((double?[])values).AsSpan(from, rows), levels, ref stats),
                    ColumnType.TimestampMicros => EncodeTimestamps(((DateTime?[])values).AsSpan(from, rows), levels, ref stats),
                    ColumnType.String => EncodeStrings(((string?[])values).AsSpan(from, rows), levels, ref stats),
                    _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type"),
                };
            if (nulls > 0 && !column.Optional)
                throw new ArgumentException($"column '{column.Name}' is REQUIRED but holds a null at row {from + levels.IndexOf(0)}");
            if (column.Optional) InsertLevels(levels, levelsAt);
            WritePage(meta, PageType.DataPage, rows, dictionary is not null ? Encoding.RleDictionary : Encoding.Plain);
        }
        meta.Statistics = stats.Build(column.Type);
        return meta;
    }

    /// <summary>
    /// Encodes the definition levels and moves them in front of the values. Levels are known only after the
    /// values were encoded (both come from one pass over the column), so the values are shifted once per page.
    /// </summary>
    private void InsertLevels(ReadOnlySpan<int> levels, int levelsAt)
    {
        var valuesStart = levelsAt + 4;
        var valuesLength = _page.Length - valuesStart;
        RleHybrid.Encode(levels, 1, _page);
        var levelsLength = _page.Length - valuesStart - valuesLength;
        // Rotate [values | levels] into [levels | values] through a temporary copy of the small levels part.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(levelsLength);
        try
        {
            var all = _page.WritableSpan;
            all.Slice(valuesStart + valuesLength, levelsLength).CopyTo(buffer);
            all.Slice(valuesStart, valuesLength).CopyTo(all[(valuesStart + levelsLength)..]);
            buffer.AsSpan(0, levelsLength).CopyTo(all[valuesStart..]);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        _page.PatchInt32(levelsAt, levelsLength);
    }

    private void WritePage(ColumnMetaData meta, PageType type, int numValues, Encoding encoding)
    {
        var body = Codecs.Compress(_codec, _page.Memory, _compressScratch);
        var header = new PageHeader
        {
            Type = type,
            UncompressedSize = _page.Length,
            CompressedSize = body.Length,
            Crc = unchecked((int)Crc32.Compute(body.Span)),
            NumValues = numValues,
            Encoding = encoding,
            DefinitionLevelEncoding = Encoding.Rle,
        };
        _header.Clear();
        header.Write(new CompactWriter(_header));
        Write(_header.Span);
        Write(body.Span);
        meta.TotalUncompressedSize += _header.Length + _page.Length;
        meta.TotalCompressedSize += _header.Length + body.Length;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _position += bytes.Length;
    }

    /// <summary>
    /// Builds the chunk's dictionary and the index of every non-null value, or returns null (plain encoding)
    /// when the dictionary would be large or would hardly repeat values.
    /// </summary>
    private string[]? BuildDictionary(ColumnSchema column, ReadOnlySpan<string?> values, ref StatsBuilder stats)
    {
        if (_indices.Length < values.Length) _indices = new int[values.Length];
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = new List<string>();
        long bytes = 0;
        var nonNull = 0;
        string? previous = null;
        var previousIndex = -1;
        for (var i = 0; i < values.Length; i++)
        {
            var s = values[i];
            if (s is null)
            {
                _indices[i] = -1;
                continue;
            }
            nonNull++;
            // Result tables repeat the same string instance row after row (sweep name, node); skip hashing it.
            if (ReferenceEquals(s, previous))
            {
                _indices[i] = previousIndex;
                continue;
            }
            if (!map.TryGetValue(s, out var index))
            {
                index = entries.Count;
                map.Add(s, index);
                entries.Add(s);
                bytes += 4 + System.Text.Encoding.UTF8.GetByteCount(s);
                if (bytes > MaxDictionaryBytes) return null;
            }
            _indices[i] = index;
            previous = s;
            previousIndex = index;
        }
        if (nonNull == 0 || entries.Count > nonNull / 2) return null;
        if (nonNull < values.Length && !column.Optional) return null; // the plain path reports the null with its row
        foreach (var s in entries) stats.AddString(s);
        return [.. entries];
    }

    private int WriteIndices(int pageStart, int rows, ref StatsBuilder stats)
    {
        var levels = _levels.AsSpan(0, rows);
        var indices = _indices.AsSpan(pageStart, rows);
        // Compact the page's non-null indices in place after recording the levels; _indices is not reused
        // for this page afterwards.
        var n = 0;
        var max = 0;
        for (var i = 0; i < rows; i++)
        {
            var index = indices[i];
            levels[i] = index >= 0 ? 1 : 0;
            if (index < 0) continue;
            indices[n++] = index;
            max = Math.Max(max, index);
        }
        var width = Math.Max(1, RleHybrid.BitWidth(max));
        _page.WriteByte((byte)width);
        RleHybrid.Encode(indices[..n], width, _page);
        stats.NullCount += rows - n;
        return rows - n;
    }

    private int EncodeNumbers<T>(ReadOnlySpan<T?> values, Span<int> levels, ref StatsBuilder stats) where T : unmanaged, INumber<T>
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var output = MemoryMarshal.Cast<byte, T>(_page.Reserve(values.Length * size));
        var n = 0;
        var hasMin = false;
        T min = default, max = default;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } v)
            {
                levels[i] = 0;
                continue;
            }
            levels[i] = 1;
            output[n++] = v;
            if (T.IsNaN(v)) continue; // NaN has no place in an order; the spec excludes it from min/max
            if (!hasMin)
            {
                min = max = v;
                hasMin = true;
            }
            else if (v < min) min = v;
            else if (v > max) max = v;
        }
        _page.Advance(n * size);
        if (hasMin) stats.AddRange(min, max);
        stats.NullCount += values.Length - n;
        return values.Length - n;
    }

    private int EncodeTimestamps(ReadOnlySpan<DateTime?> values, Span<int> levels, ref StatsBuilder stats)
    {
        var output = MemoryMarshal.Cast<byte, long>(_page.Reserve(values.Length * 8));
        var n = 0;
        long min = long.MaxValue, max = long.MinValue;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } v)
            {
                levels[i] = 0;
                continue;
            }
            levels[i] = 1;
            var micros = Timestamps.ToMicros(v);
            output[n++] = micros;
            min = Math.Min(min, micros);
            max = Math.Max(max, micros);
        }
        _page.Advance(n * 8);
        if (n > 0) stats.AddRange(min, max);
        stats.NullCount += values.Length - n;
        return values.Length - n;
    }

    private int EncodeBooleans(ReadOnlySpan<bool?> values, Span<int> levels, ref StatsBuilder stats)
    {
        var output = _page.Reserve((values.Length + 7) / 8);
        output.Clear();
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } v)
            {
                levels[i] = 0;
                continue;
            }
            levels[i] = 1;
            if (v)
            {
                output[n >> 3] |= (byte)(1 << (n & 7));
                stats.HasTrue = true;
            }
            else stats.HasFalse = true;
            n++;
        }
        _page.Advance((n + 7) / 8);
        stats.NullCount += values.Length - n;
        return values.Length - n;
    }

    private int EncodeStrings(ReadOnlySpan<string?> values, Span<int> levels, ref StatsBuilder stats)
    {
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } s)
            {
                levels[i] = 0;
                continue;
            }
            levels[i] = 1;
            WritePlainString(s, _page);
            stats.AddString(s);
            n++;
        }
        stats.NullCount += values.Length - n;
        return values.Length - n;
    }

    private static void WritePlainString(string s, ByteBuffer output)
    {
        var span = output.Reserve(4 + System.Text.Encoding.UTF8.GetMaxByteCount(s.Length));
        var length = System.Text.Encoding.UTF8.GetBytes(s, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        output.Advance(4 + length);
    }
}
