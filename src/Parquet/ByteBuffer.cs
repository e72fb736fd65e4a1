using System.Buffers.Binary;

namespace SweepCluster.Parquet;

/// <summary>A growable byte buffer that the writer reuses across pages so encoding allocates only when it grows.</summary>
internal sealed class ByteBuffer(int capacity = 4096)
{
    private byte[] _data = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _data.AsMemory(0, Length);
    public Span<byte> WritableSpan => _data.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Returns a span of exactly <paramref name="count"/> writable bytes at the end and commits them.</summary>
    public Span<byte> Append(int count)
    {
        Ensure(count);
        var span = _data.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Reserves room for at most <paramref name="maxCount"/> bytes; call <see cref="Advance"/> with what was used.</summary>
    public Span<byte> Reserve(int maxCount)
    {
        Ensure(maxCount);
        return _data.AsSpan(Length, maxCount);
    }

    public void Advance(int count) => Length += count;

    public void WriteByte(byte value)
    {
        Ensure(1);
        _data[Length++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Append(bytes.Length));

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Append(4), value);

    public void WriteUInt64Varint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _data[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _data[Length++] = (byte)value;
    }

    /// <summary>Writes an int32 at an earlier position, e.g. a length prefix known only after the body.</summary>
    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(position, 4), value);

    private void Ensure(int extra)
    {
        var needed = (long)Length + extra;
        if (needed <= _data.Length) return;
        if (needed > Array.MaxLength) throw new InvalidOperationException("a Parquet page or chunk exceeds 2 GiB; use smaller row groups or pages");
        var size = Math.Min(Array.MaxLength, Math.Max(needed, (long)_data.Length * 2));
        Array.Resize(ref _data, (int)size);
    }
}
