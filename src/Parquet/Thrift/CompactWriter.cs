using System.Buffers.Binary;
using System.Text;

namespace SweepCluster.Parquet.Thrift;

/// <summary>Thrift compact protocol types as they appear in field headers.</summary>
internal enum CompactType : byte
{
    Stop = 0, BoolTrue = 1, BoolFalse = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12,
}

/// <summary>
/// The subset of the Thrift compact protocol that Parquet metadata needs. Field ids are written as deltas
/// from the previous field of the same struct, so callers must write fields in increasing id order.
/// </summary>
internal sealed class CompactWriter(ByteBuffer buffer)
{
    private readonly Stack<short> _outerFieldIds = new();
    private short _lastFieldId;

    public void BeginStruct()
    {
        _outerFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void EndStruct()
    {
        buffer.WriteByte((byte)CompactType.Stop);
        _lastFieldId = _outerFieldIds.Pop();
    }

    public void FieldHeader(short id, CompactType type)
    {
        var delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            buffer.WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            buffer.WriteByte((byte)type);
            WriteVarint(ZigZag(id));
        }
        _lastFieldId = id;
    }

    public void I32(short id, int value)
    {
        FieldHeader(id, CompactType.I32);
        WriteVarint(ZigZag(value));
    }

    public void I64(short id, long value)
    {
        FieldHeader(id, CompactType.I64);
        WriteVarint(ZigZag(value));
    }

    public void Bool(short id, bool value) => FieldHeader(id, value ? CompactType.BoolTrue : CompactType.BoolFalse);

    public void Binary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, CompactType.Binary);
        BinaryValue(value);
    }

    public void String(short id, string value)
    {
        FieldHeader(id, CompactType.Binary);
        StringValue(value);
    }

    public void StructField(short id)
    {
        FieldHeader(id, CompactType.Struct);
        BeginStruct();
    }

    /// <summary>An empty struct field, as used by Parquet's union members without data (e.g. StringType).</summary>
    public void EmptyStruct(short id)
    {
        StructField(id);
        EndStruct();
    }

    public void ListField(short id, CompactType elementType, int count)
    {
        FieldHeader(id, CompactType.List);
        ListHeader(elementType, count);
    }

    public void ListHeader(CompactType elementType, int count)
    {
        if (count < 15)
        {
            buffer.WriteByte((byte)((count << 4) | (byte)elementType));
        }
        else
        {
            buffer.WriteByte((byte)(0xF0 | (byte)elementType));
            WriteVarint((uint)count);
        }
    }

    public void I32Value(int value) => WriteVarint(ZigZag(value));

    public void BinaryValue(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        buffer.Write(value);
    }

    public void StringValue(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((uint)count);
        Encoding.UTF8.GetBytes(value, buffer.Append(count));
    }

    public void DoubleValue(double value) => BinaryPrimitives.WriteDoubleLittleEndian(buffer.Append(8), value);

    private void WriteVarint(ulong value) => buffer.WriteUInt64Varint(value);

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
