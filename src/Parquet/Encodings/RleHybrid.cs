namespace SweepCluster.Parquet.Encodings;

/// <summary>
/// The RLE/bit-packed hybrid encoding used for definition levels and dictionary indices: a run of eight or
/// more equal values becomes an RLE run, anything else goes into bit-packed groups of eight.
/// </summary>
internal static class RleHybrid
{
    public static int BitWidth(int maxValue) => maxValue == 0 ? 0 : 32 - int.LeadingZeroCount(maxValue);

    public static void Encode(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        var literalStart = 0; // values[literalStart..i) wait to be bit-packed
        var i = 0;
        while (i < values.Length)
        {
            var v = values[i];
            var run = 1;
            while (i + run < values.Length && values[i + run] == v) run++;
            var pending = i - literalStart;
            // A bit-packed block must hold a multiple of eight values, so lend the run enough values to
            // complete the pending block before starting an RLE run.
            var lend = (8 - pending % 8) % 8;
            if (run - lend >= 8)
            {
                if (pending + lend > 0) WriteBitPacked(values.Slice(literalStart, pending + lend), bitWidth, output);
                WriteRle(v, run - lend, bitWidth, output);
                i += run;
                literalStart = i;
            }
            else
            {
                i += run;
            }
        }
        if (values.Length > literalStart) WriteBitPacked(values[literalStart..], bitWidth, output);
    }

    private static void WriteRle(int value, int count, int bitWidth, ByteBuffer output)
    {
        output.WriteUInt64Varint((ulong)count << 1);
        var bytes = (bitWidth + 7) / 8;
        for (var b = 0; b < bytes; b++) output.WriteByte((byte)(value >> (8 * b)));
    }

    /// <summary>Writes the values as bit-packed groups; the last group is padded with zeros, which readers ignore.</summary>
    private static void WriteBitPacked(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        var groups = (values.Length + 7) / 8;
        output.WriteUInt64Varint(((ulong)groups << 1) | 1);
        var span = output.Append(groups * bitWidth);
        span.Clear();
        long bitPos = 0;
        foreach (var value in values)
        {
            var v = (ulong)(uint)value;
            for (var written = 0; written < bitWidth;)
            {
                var byteIndex = (int)(bitPos >> 3);
                var bitOffset = (int)(bitPos & 7);
                var take = Math.Min(8 - bitOffset, bitWidth - written);
                span[byteIndex] |= (byte)(((v >> written) & ((1UL << take) - 1)) << bitOffset);
                written += take;
                bitPos += take;
            }
        }
    }

    /// <summary>
    /// Decodes exactly output.Length values. Returns false when the data ends early or is malformed
    /// (the caller reports the file and column).
    /// </summary>
    public static bool Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32) return false;
        var pos = 0;
        var filled = 0;
        var valueBytes = (bitWidth + 7) / 8;
        while (filled < output.Length)
        {
            if (!ReadVarint(data, ref pos, out var header)) return false;
            if ((header & 1) == 0)
            {
                var count = header >> 1;
                if (count == 0 || data.Length - pos < valueBytes) return false;
                var value = 0u;
                for (var b = 0; b < valueBytes; b++) value |= (uint)data[pos + b] << (8 * b);
                pos += valueBytes;
                if (bitWidth < 32 && value >> bitWidth != 0) return false;
                var n = (int)Math.Min(count, (ulong)(output.Length - filled));
                output.Slice(filled, n).Fill((int)value);
                filled += n;
            }
            else
            {
                var groups = header >> 1;
                if (groups == 0 || groups > int.MaxValue / 8) return false;
                if (bitWidth > 0 && groups > (ulong)(data.Length - pos) / (ulong)bitWidth) return false;
                var n = (int)Math.Min((long)groups * 8, output.Length - filled);
                UnpackBits(data[pos..], bitWidth, output.Slice(filled, n));
                pos += (int)groups * bitWidth;
                filled += n;
            }
        }
        return true;
    }

    private static void UnpackBits(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }
        if (bitWidth == 1)
        {
            for (var i = 0; i < output.Length; i++) output[i] = (data[i >> 3] >> (i & 7)) & 1;
            return;
        }
        long bitPos = 0;
        var mask = bitWidth == 32 ? ulong.MaxValue : (1UL << bitWidth) - 1;
        for (var i = 0; i < output.Length; i++)
        {
            // Gather up to 5 bytes covering the value's bits; bounds are guaranteed by the caller's group check.
            var byteIndex = (int)(bitPos >> 3);
            var shift = (int)(bitPos & 7);
            ulong word = 0;
            var needBytes = (shift + bitWidth + 7) >> 3;
            for (var b = 0; b < needBytes; b++) word |= (ulong)data[byteIndex + b] << (8 * b);
            output[i] = (int)((word >> shift) & mask);
            bitPos += bitWidth;
        }
    }

    private static bool ReadVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) return false;
            var b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
