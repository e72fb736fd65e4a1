namespace SweepCluster.Parquet.Encodings;

/// <summary>
/// DELTA_BINARY_PACKED, the integer encoding of format version 2 writers (DuckDB's PARQUET_VERSION V2, arrow-rs
/// without a dictionary) and the length streams of DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY. A header
/// (values per block, miniblocks per block, value count, first value), then blocks: the block's smallest delta,
/// one bit width per miniblock, and each miniblock's deltas minus that smallest delta, bit-packed LSB first.
/// Arithmetic wraps: INT32 values are decoded in 64 bits and truncated by the caller, which is the same modulo 2^32.
/// </summary>
internal static class DeltaBinaryPacked
{
    /// <summary>
    /// Decodes exactly output.Length values, which must be the header's count, and returns the bytes used
    /// (where the data that follows starts), or -1 when the data is malformed or ends early.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, Span<long> output)
    {
        var pos = 0;
        if (!TryReadHeader(data, ref pos, out var blockSize, out var miniblocks, out var total, out var value)) return -1;
        if (total != output.Length) return -1;
        if (total == 0) return pos;
        output[0] = value;
        var filled = 1;
        var perMiniblock = blockSize / miniblocks;
        while (filled < total)
        {
            if (!TryReadVarint(data, ref pos, out var rawMin)) return -1;
            var minDelta = ZigZag(rawMin);
            if (data.Length - pos < miniblocks) return -1;
            var widths = data.Slice(pos, miniblocks);
            pos += miniblocks;
            for (var m = 0; m < miniblocks && filled < total; m++)
            {
                var width = widths[m];
                if (width > 64) return -1;
                // A miniblock is always stored whole (padded), even when the values run out inside it.
                var bytes = perMiniblock / 8 * width;
                if (data.Length - pos < bytes) return -1;
                var packed = data.Slice(pos, bytes);
                pos += bytes;
                var n = Math.Min(perMiniblock, total - filled);
                long bit = 0;
                for (var i = 0; i < n; i++)
                {
                    value = unchecked(value + minDelta + (long)ReadBits(packed, bit, width));
                    output[filled++] = value;
                    bit += width;
                }
            }
        }
        return pos;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> data, ref int pos, out int blockSize, out int miniblocks, out int total, out long first)
    {
        blockSize = miniblocks = total = 0;
        first = 0;
        if (!TryReadVarint(data, ref pos, out var b) || !TryReadVarint(data, ref pos, out var m) || !TryReadVarint(data, ref pos, out var t)
            || !TryReadVarint(data, ref pos, out var f)) return false;
        // The format requires a block size that is a multiple of 128 and miniblocks of a multiple of 32 values;
        // checking for whole bytes (multiples of 8) is what decoding needs, and bounds keep corrupt headers cheap.
        if (b == 0 || b > 1 << 20 || m == 0 || m > b || b % m != 0 || b / m % 8 != 0 || t > int.MaxValue) return false;
        blockSize = (int)b;
        miniblocks = (int)m;
        total = (int)t;
        first = ZigZag(f);
        return true;
    }

    private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static ulong ReadBits(ReadOnlySpan<byte> data, long bit, int width)
    {
        ulong result = 0;
        for (var got = 0; got < width;)
        {
            var index = (int)(bit >> 3);
            var offset = (int)(bit & 7);
            var take = Math.Min(8 - offset, width - got);
            result |= (ulong)((data[index] >> offset) & ((1 << take) - 1)) << got;
            got += take;
            bit += take;
        }
        return result;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
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
