using System.Text;

namespace SweepCluster.Parquet.Thrift;

/// <summary>Raised for malformed Thrift; the caller turns it into a ParquetFormatException naming the file.</summary>
internal sealed class ThriftFormatException(string message) : Exception(message);

/// <summary>
/// A bounds-checked Thrift compact protocol reader over a span. Every length and count is checked against
/// the bytes left, so corrupt metadata ends in a ThriftFormatException rather than a huge allocation or
/// an out-of-range access. The caller provides the field-id stack (stackalloc short[32]) so nothing is allocated.
/// </summary>
internal ref struct CompactReader(ReadOnlySpan<byte> data, Span<short> stack)
{
    private const int MaxDepth = 32;
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;
    private short _lastFieldId;
    private int _depth;
    private int _skipNesting;
    private readonly Span<short> _stack = stack;
    // Boolean fields carry their value in the field header; it is kept here until ReadBool.
    private bool _pendingBool;

    public readonly int Position => _pos;

    public void BeginStruct()
    {
        if (_depth >= MaxDepth || _stack.Length < MaxDepth) throw new ThriftFormatException("structs nested too deeply");
        _stack[_depth++] = _lastFieldId;
        _lastFieldId = 0;
    }

    public void EndStruct() => _lastFieldId = _stack[--_depth];

    /// <summary>Reads the next field header; returns false at the struct's stop byte.</summary>
    public bool NextField(out short id, out CompactType type)
    {
        var header = ReadByte();
        type = (CompactType)(header & 0x0F);
        if (type == CompactType.Stop)
        {
            id = 0;
            return false;
        }
        var delta = header >> 4;
        if (delta != 0)
        {
            id = (short)(_lastFieldId + delta);
        }
        else
        {
            var raw = ReadZigZag();
            if (raw is < short.MinValue or > short.MaxValue) throw new ThriftFormatException($"field id {raw} out of range");
            id = (short)raw;
        }
        if (type > CompactType.Struct) throw new ThriftFormatException($"unknown Thrift type {(int)type} for field {id}");
        if (type is CompactType.BoolTrue or CompactType.BoolFalse) _pendingBool = type == CompactType.BoolTrue;
        _lastFieldId = id;
        return true;
    }

    public bool ReadBool(CompactType type) => type switch
    {
        CompactType.BoolTrue or CompactType.BoolFalse => _pendingBool,
        _ => throw new ThriftFormatException($"expected a bool field, found Thrift type {type}"),
    };

    public int ReadI32(CompactType type)
    {
        Expect(type, CompactType.I32);
        var value = ReadZigZag();
        if (value is < int.MinValue or > int.MaxValue) throw new ThriftFormatException($"i32 value {value} out of range");
        return (int)value;
    }

    public long ReadI64(CompactType type)
    {
        Expect(type, CompactType.I64);
        return ReadZigZag();
    }

    public int ReadI32Element()
    {
        var value = ReadZigZag();
        if (value is < int.MinValue or > int.MaxValue) throw new ThriftFormatException($"i32 value {value} out of range");
        return (int)value;
    }

    public ReadOnlySpan<byte> ReadBinary(CompactType type)
    {
        Expect(type, CompactType.Binary);
        return ReadBinaryElement();
    }

    public ReadOnlySpan<byte> ReadBinaryElement()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos)) throw new ThriftFormatException($"binary of {length} bytes runs past the end of the metadata");
        var span = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return span;
    }

    public string ReadString(CompactType type)
    {
        var bytes = ReadBinary(type);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ThriftFormatException("a metadata string is not valid UTF-8");
        }
    }

    /// <summary>Reads a list header; the count is checked against the bytes left (each element needs at least one byte).</summary>
    public int ReadListHeader(CompactType type, out CompactType elementType)
    {
        Expect(type, CompactType.List);
        return ReadListHeaderElement(out elementType);
    }

    public int ReadListHeaderElement(out CompactType elementType)
    {
        var header = ReadByte();
        elementType = (CompactType)(header & 0x0F);
        ulong count = (ulong)(header >> 4);
        if (count == 15) count = ReadVarint();
        if (count > (ulong)(_data.Length - _pos)) throw new ThriftFormatException($"list of {count} elements runs past the end of the metadata");
        return (int)count;
    }

    public void ExpectElement(CompactType actual, CompactType expected)
    {
        if (actual != expected) throw new ThriftFormatException($"expected list elements of Thrift type {expected}, found {actual}");
    }

    /// <summary>Skips a value of any type, so fields added by newer writers are ignored.</summary>
    public void Skip(CompactType type)
    {
        // Lists of lists recurse without entering a struct, so nesting is bounded separately.
        if (++_skipNesting > MaxDepth) throw new ThriftFormatException("values nested too deeply");
        SkipValue(type);
        _skipNesting--;
    }

    private void SkipValue(CompactType type)
    {
        switch (type)
        {
            case CompactType.BoolTrue:
            case CompactType.BoolFalse:
                break;
            case CompactType.Byte:
                ReadByte();
                break;
            case CompactType.I16:
            case CompactType.I32:
            case CompactType.I64:
                ReadVarint();
                break;
            case CompactType.Double:
                Need(8);
                _pos += 8;
                break;
            case CompactType.Binary:
                ReadBinaryElement();
                break;
            case CompactType.List:
            case CompactType.Set:
            {
                var count = ReadListHeaderElement(out var element);
                for (var i = 0; i < count; i++) SkipElement(element);
                break;
            }
            case CompactType.Map:
            {
                var count = ReadVarint();
                if (count == 0) break;
                if (count > (ulong)(_data.Length - _pos)) throw new ThriftFormatException("map runs past the end of the metadata");
                var kinds = ReadByte();
                for (ulong i = 0; i < count; i++)
                {
                    SkipElement((CompactType)(kinds >> 4));
                    SkipElement((CompactType)(kinds & 0x0F));
                }
                break;
            }
            case CompactType.Struct:
                BeginStruct();
                while (NextField(out _, out var fieldType)) Skip(fieldType);
                EndStruct();
                break;
            default:
                throw new ThriftFormatException($"unknown Thrift type {(int)type}");
        }
    }

    private void SkipElement(CompactType type)
    {
        // Inside lists a bool is a whole byte rather than part of a field header.
        if (type is CompactType.BoolTrue or CompactType.BoolFalse) ReadByte();
        else Skip(type);
    }

    private static void Expect(CompactType actual, CompactType expected)
    {
        if (actual != expected) throw new ThriftFormatException($"expected Thrift type {expected}, found {actual}");
    }

    private byte ReadByte()
    {
        Need(1);
        return _data[_pos++];
    }

    private void Need(int count)
    {
        if (_data.Length - _pos < count) throw new ThriftFormatException("metadata ends unexpectedly");
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1) throw new ThriftFormatException("varint overflows 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ThriftFormatException("varint longer than 10 bytes");
    }

    private long ReadZigZag()
    {
        var raw = ReadVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }
}
