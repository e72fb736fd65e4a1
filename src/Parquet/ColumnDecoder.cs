using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SweepCluster.Parquet.Encodings;
using SweepCluster.Parquet.Format;
using Encoding = SweepCluster.Parquet.Format.Encoding;

namespace SweepCluster.Parquet;

/// <summary>Decodes the pages of one column into the table's array for that column.</summary>
internal abstract class ColumnDecoder(ColumnSchema column, ColumnKind kind, ParquetReader reader)
{
    public ColumnSchema Column { get; } = column;
    public ColumnKind Kind { get; } = kind;
    protected ParquetReader Reader { get; } = reader;
    public abstract Array Values { get; }
    public abstract bool HasDictionary { get; }

    public abstract void BeginChunk();
    public abstract void ReadDictionary(ReadOnlySpan<byte> page, int count, string where);
    /// <summary>A DATA_PAGE (v1): the definition levels, with their 4-byte length, then the values, decompressed together.</summary>
    public abstract void ReadDataPage(ReadOnlySpan<byte> page, Format.PageHeader header, int rowStart, string where);

    /// <summary>A DATA_PAGE_V2: the definition levels (never compressed, no length prefix) and the decompressed values apart.</summary>
    public abstract void ReadDataPageV2(ReadOnlySpan<byte> definitionLevels, ReadOnlySpan<byte> values, Format.PageHeader header, int rowStart, string where);

    public static ColumnDecoder Create(ColumnSchema column, ColumnKind kind, int rows, ParquetReader reader) => column.Type switch
    {
        ColumnType.Boolean => new BooleanDecoder(column, kind, rows, reader),
        ColumnType.Int32 => new FixedDecoder<int, int>(column, kind, rows, reader),
        ColumnType.Int64 => new FixedDecoder<long, long>(column, kind, rows, reader),
        ColumnType.Float => new FixedDecoder<float, float>(column, kind, rows, reader),
        ColumnType.Double => new FixedDecoder<double, double>(column, kind, rows, reader),
        ColumnType.TimestampMicros => new FixedDecoder<long, DateTime>(column, kind, rows, reader),
        ColumnType.String => new StringDecoder(column, kind, rows, reader),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type"),
    };
}

/// <summary>The page logic shared by all types: definition levels, PLAIN or dictionary values, scattering by level.</summary>
internal abstract class ColumnDecoder<T>(ColumnSchema column, ColumnKind kind, ParquetReader reader) : ColumnDecoder(column, kind, reader)
{
    private int[] _levels = [];
    private int[] _indices = [];
    private T[] _values = [];
    private T[]? _dictionary;

    public override bool HasDictionary => _dictionary is not null;

    public override void BeginChunk() => _dictionary = null;

    /// <summary>Decodes exactly output.Length PLAIN values; returns false when the data is too short or invalid.</summary>
    protected abstract bool DecodePlain(ReadOnlySpan<byte> data, Span<T> output, string where);

    /// <summary>The fewest bytes count PLAIN values can take, to reject a corrupt count before allocating for it.</summary>
    protected abstract long MinPlainBytes(int count);

    /// <summary>Stores the page's values at rowStart; levels is empty for REQUIRED columns (every row has a value).</summary>
    protected abstract void Scatter(int rowStart, int rows, ReadOnlySpan<int> levels, ReadOnlySpan<T> values);

    public override void ReadDictionary(ReadOnlySpan<byte> page, int count, string where)
    {
        if (MinPlainBytes(count) > page.Length) Reader.Fail($"{where}: a dictionary page of {page.Length} bytes claims {count} values");
        var dictionary = new T[count];
        if (!DecodePlain(page, dictionary, where)) Reader.Fail($"{where}: the dictionary page is shorter than its {count} values");
        _dictionary = dictionary;
    }

    public override void ReadDataPage(ReadOnlySpan<byte> page, Format.PageHeader header, int rowStart, string where)
    {
        ReadOnlySpan<byte> levels = default;
        var pos = 0;
        if (Column.Optional)
        {
            if (header.DefinitionLevelEncoding != Encoding.Rle) Reader.Unsupported($"{FormatNames.Of(header.DefinitionLevelEncoding)} definition levels ({where})");
            if (page.Length < 4) Reader.Fail($"{where}: a data page ends before its definition levels");
            var length = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (length < 0 || length > page.Length - 4) Reader.Fail($"{where}: definition levels of {length} bytes overrun the page");
            levels = page.Slice(4, length);
            pos = 4 + length;
        }
        ReadPage(levels, page[pos..], header.NumValues, nulls: null, header.Encoding, rowStart, where);
    }

    public override void ReadDataPageV2(ReadOnlySpan<byte> definitionLevels, ReadOnlySpan<byte> values, Format.PageHeader header, int rowStart, string where)
    {
        if (!Column.Optional && !definitionLevels.IsEmpty) Reader.Fail($"{where}: a page of a REQUIRED column carries {definitionLevels.Length} bytes of definition levels");
        ReadPage(definitionLevels, values, header.NumValues, header.NumNulls, header.Encoding, rowStart, where);
    }

    /// <summary>Decodes a page's levels (for an OPTIONAL column) and values, and stores them at rowStart.</summary>
    private void ReadPage(ReadOnlySpan<byte> levelData, ReadOnlySpan<byte> data, int rows, int? nulls, Encoding encoding, int rowStart, string where)
    {
        var nonNull = rows;
        ReadOnlySpan<int> levels = default;
        if (Column.Optional)
        {
            if (_levels.Length < rows) _levels = new int[rows];
            var span = _levels.AsSpan(0, rows);
            if (!RleHybrid.Decode(levelData, 1, span)) Reader.Fail($"{where}: corrupt definition levels");
            nonNull = rows - span.Count(0);
            levels = span;
        }
        if (nulls is { } n && n != rows - nonNull) Reader.Fail($"{where}: a page's header counts {n} nulls, its definition levels {rows - nonNull}");
        if (_values.Length < nonNull) _values = new T[nonNull];
        var values = _values.AsSpan(0, nonNull);
        if (nonNull > 0) DecodeValues(encoding, data, values, where);
        Scatter(rowStart, rows, levels, values);
    }

    /// <summary>
    /// Decodes exactly values.Length non-null values: PLAIN and dictionary indices here, the type-specific encodings
    /// (DELTA_*, BYTE_STREAM_SPLIT, RLE booleans) in the subclass that can hold them.
    /// </summary>
    protected virtual void DecodeValues(Encoding encoding, ReadOnlySpan<byte> data, Span<T> values, string where)
    {
        switch (encoding)
        {
            case Encoding.Plain:
                if (!DecodePlain(data, values, where)) Reader.Fail($"{where}: a data page is shorter than its {values.Length} values");
                break;
            case Encoding.PlainDictionary or Encoding.RleDictionary:
                if (_dictionary is null) Reader.Fail($"{where}: a dictionary-encoded page without a dictionary page");
                if (data.Length < 1) Reader.Fail($"{where}: a dictionary-encoded page has no bit width");
                if (_indices.Length < values.Length) _indices = new int[values.Length];
                var indices = _indices.AsSpan(0, values.Length);
                if (!RleHybrid.Decode(data[1..], data[0], indices)) Reader.Fail($"{where}: corrupt dictionary indices");
                var dictionary = _dictionary;
                for (var i = 0; i < indices.Length; i++)
                {
                    var index = indices[i];
                    if ((uint)index >= (uint)dictionary.Length) Reader.Fail($"{where}: dictionary index {index} outside a dictionary of {dictionary.Length}");
                    values[i] = dictionary[index];
                }
                break;
            default:
                Reader.Unsupported($"{FormatNames.Of(encoding)} encoding of {Column.Type} values ({where})");
                break;
        }
    }

    /// <summary>
    /// A DELTA_BINARY_PACKED stream of exactly count values (integers or lengths) into the first (second = false) or
    /// second of two reused buffers; returns the bytes it used.
    /// </summary>
    protected int DecodeDeltas(ReadOnlySpan<byte> data, int count, string what, string where, out ReadOnlySpan<long> decoded, bool second = false)
    {
        ref var buffer = ref second ? ref _deltas2 : ref _deltas;
        if (buffer.Length < count) buffer = new long[count];
        var span = buffer.AsSpan(0, count);
        var used = DeltaBinaryPacked.Decode(data, span);
        if (used < 0) Reader.Fail($"{where}: corrupt DELTA_BINARY_PACKED {what} (or not {count} of them)");
        decoded = span;
        return used;
    }

    private long[] _deltas = [];
    private long[] _deltas2 = [];
}

/// <summary>INT32, INT64, FLOAT, DOUBLE and TIMESTAMP columns: fixed-width little-endian values.</summary>
internal sealed class FixedDecoder<TStored, T>(ColumnSchema column, ColumnKind kind, int rows, ParquetReader reader)
    : ColumnDecoder<T>(column, kind, reader)
    where TStored : unmanaged
    where T : struct
{
    private readonly T?[] _target = new T?[rows];

    public override Array Values => _target;

    protected override long MinPlainBytes(int count) => (long)count * System.Runtime.CompilerServices.Unsafe.SizeOf<TStored>();

    protected override bool DecodePlain(ReadOnlySpan<byte> data, Span<T> output, string where)
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<TStored>();
        if ((long)output.Length * size > data.Length) return false;
        var stored = MemoryMarshal.Cast<byte, TStored>(data[..(output.Length * size)]);
        if (typeof(T) == typeof(DateTime))
        {
            var raw = MemoryMarshal.Cast<TStored, long>(stored);
            var times = MemoryMarshal.Cast<T, DateTime>(output);
            for (var i = 0; i < raw.Length; i++)
                if (!Timestamps.TryFromUnit(raw[i], Kind.TimestampUnit, Kind.TimestampKind, out times[i]))
                    Reader.Unsupported($"timestamp {raw[i]} {Timestamps.UnitName(Kind.TimestampUnit)} outside the years 1-9999 ({where})");
        }
        else
        {
            MemoryMarshal.Cast<TStored, T>(stored).CopyTo(output);
        }
        return true;
    }

    private byte[] _plain = [];

    /// <summary>
    /// DELTA_BINARY_PACKED (INT32, INT64, timestamps) and BYTE_STREAM_SPLIT (any fixed width) are turned into the
    /// PLAIN layout and decoded as PLAIN, so timestamps are range-checked in one place.
    /// </summary>
    protected override void DecodeValues(Encoding encoding, ReadOnlySpan<byte> data, Span<T> values, string where)
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<TStored>();
        var n = values.Length;
        switch (encoding)
        {
            case Encoding.DeltaBinaryPacked when Kind.Physical is PhysicalType.Int32 or PhysicalType.Int64:
            {
                DecodeDeltas(data, n, "values", where, out var decoded);
                var plain = Plain(n * size);
                if (size == 4)
                    for (var i = 0; i < n; i++) BinaryPrimitives.WriteInt32LittleEndian(plain[(4 * i)..], unchecked((int)decoded[i]));
                else
                    for (var i = 0; i < n; i++) BinaryPrimitives.WriteInt64LittleEndian(plain[(8 * i)..], decoded[i]);
                DecodePlain(plain, values, where);
                break;
            }
            case Encoding.ByteStreamSplit:
            {
                // Stream k holds byte k of every value; the value count is the data's length over the width.
                if (data.Length != (long)n * size) Reader.Fail($"{where}: BYTE_STREAM_SPLIT data of {data.Length} bytes for {n} values of {size} bytes");
                var plain = Plain(n * size);
                for (var k = 0; k < size; k++)
                {
                    var stream = data.Slice(k * n, n);
                    for (var i = 0; i < n; i++) plain[i * size + k] = stream[i];
                }
                DecodePlain(plain, values, where);
                break;
            }
            default:
                base.DecodeValues(encoding, data, values, where);
                break;
        }
    }

    private Span<byte> Plain(int bytes)
    {
        if (_plain.Length < bytes) _plain = new byte[bytes];
        return _plain.AsSpan(0, bytes);
    }

    protected override void Scatter(int rowStart, int rows, ReadOnlySpan<int> levels, ReadOnlySpan<T> values)
    {
        var target = _target.AsSpan(rowStart, rows);
        if (levels.IsEmpty)
        {
            for (var i = 0; i < rows; i++) target[i] = values[i];
            return;
        }
        var k = 0;
        for (var i = 0; i < rows; i++) target[i] = levels[i] != 0 ? values[k++] : null;
    }
}

internal sealed class BooleanDecoder(ColumnSchema column, ColumnKind kind, int rows, ParquetReader reader)
    : ColumnDecoder<bool>(column, kind, reader)
{
    private readonly bool?[] _target = new bool?[rows];

    public override Array Values => _target;

    protected override long MinPlainBytes(int count) => (count + 7L) / 8;

    protected override bool DecodePlain(ReadOnlySpan<byte> data, Span<bool> output, string where)
    {
        if ((output.Length + 7L) / 8 > data.Length) return false;
        for (var i = 0; i < output.Length; i++) output[i] = (data[i >> 3] & (1 << (i & 7))) != 0;
        return true;
    }

    private int[] _bits = [];

    /// <summary>RLE booleans (format version 2 writers): a 4-byte length, then the RLE/bit-packed hybrid of width 1.</summary>
    protected override void DecodeValues(Encoding encoding, ReadOnlySpan<byte> data, Span<bool> values, string where)
    {
        if (encoding != Encoding.Rle)
        {
            base.DecodeValues(encoding, data, values, where);
            return;
        }
        if (data.Length < 4) Reader.Fail($"{where}: RLE booleans end before their length");
        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4) Reader.Fail($"{where}: RLE booleans of {length} bytes overrun the page");
        if (_bits.Length < values.Length) _bits = new int[values.Length];
        var bits = _bits.AsSpan(0, values.Length);
        if (!RleHybrid.Decode(data.Slice(4, length), 1, bits)) Reader.Fail($"{where}: corrupt RLE booleans");
        for (var i = 0; i < bits.Length; i++) values[i] = bits[i] != 0;
    }

    protected override void Scatter(int rowStart, int rows, ReadOnlySpan<int> levels, ReadOnlySpan<bool> values)
    {
        var target = _target.AsSpan(rowStart, rows);
        var k = 0;
        for (var i = 0; i < rows; i++) target[i] = levels.IsEmpty || levels[i] != 0 ? values[k++] : null;
    }
}

internal sealed class StringDecoder(ColumnSchema column, ColumnKind kind, int rows, ParquetReader reader)
    : ColumnDecoder<string>(column, kind, reader)
{
    private readonly string?[] _target = new string?[rows];

    public override Array Values => _target;

    protected override long MinPlainBytes(int count) => 4L * count;

    protected override bool DecodePlain(ReadOnlySpan<byte> data, Span<string> output, string where)
    {
        var pos = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (data.Length - pos < 4) return false;
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[pos..]);
            pos += 4;
            if (length < 0 || length > data.Length - pos) return false;
            output[i] = length == 0 ? "" : System.Text.Encoding.UTF8.GetString(data.Slice(pos, length));
            pos += length;
        }
        return true;
    }

    private byte[] _value = [];

    /// <summary>
    /// DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then the bytes of all values. DELTA_BYTE_ARRAY:
    /// each value shares a prefix with the one before it; the prefix lengths, then the suffixes as
    /// DELTA_LENGTH_BYTE_ARRAY. Lengths count UTF-8 bytes, so values are rebuilt as bytes before decoding.
    /// </summary>
    protected override void DecodeValues(Encoding encoding, ReadOnlySpan<byte> data, Span<string> values, string where)
    {
        var n = values.Length;
        switch (encoding)
        {
            case Encoding.DeltaLengthByteArray:
            {
                var used = DecodeDeltas(data, n, "lengths", where, out var lengths);
                var bytes = data[used..];
                var pos = 0;
                for (var i = 0; i < n; i++)
                {
                    var length = lengths[i];
                    if (length < 0 || length > bytes.Length - pos) Reader.Fail($"{where}: a string of {length} bytes overruns the page");
                    values[i] = System.Text.Encoding.UTF8.GetString(bytes.Slice(pos, (int)length));
                    pos += (int)length;
                }
                break;
            }
            case Encoding.DeltaByteArray:
            {
                var used = DecodeDeltas(data, n, "prefix lengths", where, out var prefixes);
                used += DecodeDeltas(data[used..], n, "suffix lengths", where, out var suffixes, second: true);
                var bytes = data[used..];
                var pos = 0;
                var previous = 0; // _value[..previous] holds the value before, whose prefix the next one keeps in place
                for (var i = 0; i < n; i++)
                {
                    var prefix = prefixes[i];
                    var suffix = suffixes[i];
                    if (prefix < 0 || prefix > previous) Reader.Fail($"{where}: a prefix of {prefix} bytes is longer than the {previous}-byte value before it");
                    if (suffix < 0 || suffix > bytes.Length - pos) Reader.Fail($"{where}: a suffix of {suffix} bytes overruns the page");
                    var length = (int)prefix + (int)suffix;
                    if (_value.Length < length) Array.Resize(ref _value, Math.Max(length, 2 * _value.Length));
                    bytes.Slice(pos, (int)suffix).CopyTo(_value.AsSpan((int)prefix));
                    pos += (int)suffix;
                    previous = length;
                    values[i] = System.Text.Encoding.UTF8.GetString(_value, 0, length);
                }
                break;
            }
            default:
                base.DecodeValues(encoding, data, values, where);
                break;
        }
    }

    protected override void Scatter(int rowStart, int rows, ReadOnlySpan<int> levels, ReadOnlySpan<string> values)
    {
        var target = _target.AsSpan(rowStart, rows);
        var k = 0;
        for (var i = 0; i < rows; i++) target[i] = levels.IsEmpty || levels[i] != 0 ? values[k++] : null;
    }
}
