namespace SweepCluster.Parquet;

/// <summary>
/// Walks a file's footer (Thrift compact protocol) without decoding it, before Parquet.Net sees the file:
/// magic at both ends, a footer length that fits, and no list, map or string longer than the bytes left.
/// Parquet.Net believes a damaged footer's counts and can spend minutes in a list of billions of empty
/// elements; with every count bounded by the remaining bytes, decoding is linear in the footer's size.
/// </summary>
internal static class FooterCheck
{
    private const int MaxDepth = 64;

    public static void Check(string name, ReadOnlySpan<byte> file)
    {
        if (file.Length < 12) throw new ParquetFormatException(name, $"only {file.Length} bytes, too short for Parquet (truncated?)");
        if (!file[..4].SequenceEqual("PAR1"u8)) throw new ParquetFormatException(name, "does not start with the Parquet magic 'PAR1' (not a Parquet file?)");
        if (!file[^4..].SequenceEqual("PAR1"u8)) throw new ParquetFormatException(name, "does not end with the Parquet magic 'PAR1' (truncated?)");
        var length = BitConverter.ToInt32(file[^8..^4]);
        if (length <= 0 || length > file.Length - 12) throw new ParquetFormatException(name, $"footer length {length} does not fit in {file.Length} bytes");
        var footer = file[^(8 + length)..^8];
        var at = 0;
        if (!SkipStruct(footer, ref at, 0)) throw new ParquetFormatException(name, "the footer is damaged (its Thrift structure does not parse)");
    }

    private static bool SkipStruct(ReadOnlySpan<byte> s, ref int at, int depth)
    {
        if (depth > MaxDepth) return false;
        while (true)
        {
            if (at >= s.Length) return false;
            var header = s[at++];
            if (header == 0) return true; // STOP
            if (header >> 4 == 0 && !SkipVarint(s, ref at)) return false; // long form: the field id follows
            if (!SkipValue(s, ref at, header & 0x0F, depth)) return false;
        }
    }

    private static bool SkipValue(ReadOnlySpan<byte> s, ref int at, int type, int depth)
    {
        switch (type)
        {
            case 1 or 2: return true; // boolean in a field header
            case 3: at++; return at <= s.Length;
            case 4 or 5 or 6: return SkipVarint(s, ref at);
            case 7: at += 8; return at <= s.Length;
            case 8:
                if (!ReadVarint(s, ref at, out var bytes) || bytes > (ulong)(s.Length - at)) return false;
                at += (int)bytes;
                return true;
            case 9 or 10:
            {
                if (at >= s.Length) return false;
                var header = s[at++];
                ulong size = (ulong)(header >> 4);
                if (size == 15 && !ReadVarint(s, ref at, out size)) return false;
                if (size > (ulong)(s.Length - at)) return false; // every element takes at least one byte
                for (ulong i = 0; i < size; i++)
                {
                    var element = header & 0x0F;
                    if (element is 1 or 2) { at++; if (at > s.Length) return false; } // booleans in lists are bytes
                    else if (!SkipValue(s, ref at, element, depth + 1)) return false;
                }
                return true;
            }
            case 11:
            {
                if (!ReadVarint(s, ref at, out var size)) return false;
                if (size == 0) return true;
                if (at >= s.Length || size > (ulong)(s.Length - at)) return false;
                var kinds = s[at++];
                for (ulong i = 0; i < size; i++)
                    if (!SkipElement(s, ref at, kinds >> 4, depth) || !SkipElement(s, ref at, kinds & 0x0F, depth)) return false;
                return true;
            }
            case 12: return SkipStruct(s, ref at, depth + 1);
            default: return false;
        }
    }

    private static bool SkipElement(ReadOnlySpan<byte> s, ref int at, int type, int depth)
    {
        if (type is not (1 or 2)) return SkipValue(s, ref at, type, depth + 1);
        at++;
        return at <= s.Length;
    }

    private static bool SkipVarint(ReadOnlySpan<byte> s, ref int at) => ReadVarint(s, ref at, out _);

    private static bool ReadVarint(ReadOnlySpan<byte> s, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= s.Length) return false;
            var b = s[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
