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
    public abstract void ReadDataPage(ReadOnlySpan<byte> page, Format.PageHeader header, int rowStart, string where);

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
        var rows = header.NumValues;
        var pos = 0;
        var nonNull = rows;
        ReadOnlySpan<int> levels = default;
        if (Column.Optional)
        {
            if (header.DefinitionLevelEncoding != Encoding.Rle) Reader.Unsupported($"{FormatNames.Of(header.DefinitionLevelEncoding)} definition levels ({where})");
            if (page.Length < 4) Reader.Fail($"{where}: a data page ends before its definition levels");
            var length = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (length < 0 || length > page.Length - 4) Reader.Fail($"{where}: definition levels of {length} bytes overrun the page");
            if (_levels.Length < rows) _levels = new int[rows];
            var span = _levels.AsSpan(0, rows);
            if (!RleHybrid.Decode(page.Slice(4, length), 1, span)) Reader.Fail($"{where}: corrupt definition levels");
            nonNull = rows - span.Count(0);
            levels = span;
            pos = 4 + length;
        }
        if (_values.Length < nonNull) _values = new T[nonNull];
        var values = _values.AsSpan(0, nonNull);
        var data = page[pos..];
        if (nonNull > 0)
        {
            switch (header.Encoding)
            {
                case Encoding.Plain:
                    if (!DecodePlain(data, values, where)) Reader.Fail($"{where}: a data page is shorter than its {nonNull} values");
                    break;
                case Encoding.PlainDictionary or Encoding.RleDictionary:
                    if (_dictionary is null) Reader.Fail($"{where}: a dictionary-encoded page without a dictionary page");
                    if (data.Length < 1) Reader.Fail($"{where}: a dictionary-encoded page has no bit width");
                    if (_indices.Length < nonNull) _indices = new int[nonNull];
                    var indices = _indices.AsSpan(0, nonNull);
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
                    Reader.Unsupported($"{FormatNames.Of(header.Encoding)} encoding ({where})");
                    break;
            }
        }
        Scatter(rowStart, rows, levels, values);
    }
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
            var micros = MemoryMarshal.Cast<TStored, long>(stored);
            var times = MemoryMarshal.Cast<T, DateTime>(output);
            for (var i = 0; i < micros.Length; i++)
                if (!Timestamps.TryFromMicros(micros[i], Kind.TimestampKind, out times[i]))
                    Reader.Unsupported($"timestamp {micros[i]} µs outside the years 1-9999 ({where})");
        }
        else
        {
            MemoryMarshal.Cast<TStored, T>(stored).CopyTo(output);
        }
        return true;
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

    protected override void Scatter(int rowStart, int rows, ReadOnlySpan<int> levels, ReadOnlySpan<string> values)
    {
        var target = _target.AsSpan(rowStart, rows);
        var k = 0;
        for (var i = 0; i < rows; i++) target[i] = levels.IsEmpty || levels[i] != 0 ? values[k++] : null;
    }
}
