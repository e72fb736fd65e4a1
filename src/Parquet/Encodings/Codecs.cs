using System.IO.Compression;
using SweepCluster.Parquet.Format;

namespace SweepCluster.Parquet.Encodings;

internal static class Codecs
{
    public static Codec ToFormat(Compression compression) => compression switch
    {
        Compression.Uncompressed => Codec.Uncompressed,
        Compression.Snappy => Codec.Snappy,
        Compression.Gzip => Codec.Gzip,
        Compression.Zstd => Codec.Zstd,
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "unknown compression"),
    };

    /// <summary>Compresses a page body; returns the input itself when uncompressed.</summary>
    public static ReadOnlyMemory<byte> Compress(Codec codec, ReadOnlyMemory<byte> data, MemoryStream scratch) => codec switch
    {
        Codec.Uncompressed => data,
        Codec.Snappy => IronSnappy.Snappy.Encode(data.Span),
        Codec.Gzip => Gzip(data.Span, scratch),
        Codec.Zstd => Zstd(data.Span, scratch),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "the writer does not support this codec"),
    };

    // Fastest: GZIP is chosen for compatibility with old readers, and on results tables the optimal level
    // costs several times the CPU for a few percent of size.
    private static ReadOnlyMemory<byte> Gzip(ReadOnlySpan<byte> data, MemoryStream scratch)
    {
        scratch.SetLength(0);
        using (var gzip = new GZipStream(scratch, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return scratch.GetBuffer().AsMemory(0, (int)scratch.Length);
    }

    // Level 3, zstd's own default: the highest levels cost many times the CPU for a few percent of size
    // (Parquet.Net's default, level 19, wrote 1M rows 17 times slower than its Optimal level when measured here).
    private const int ZstdLevel = 3;

    [ThreadStatic]
    private static ZstdSharp.Compressor? _zstdCompressor;

    private static ReadOnlyMemory<byte> Zstd(ReadOnlySpan<byte> data, MemoryStream scratch)
    {
        _zstdCompressor ??= new ZstdSharp.Compressor(ZstdLevel);
        scratch.SetLength(ZstdSharp.Compressor.GetCompressBound(data.Length));
        var written = _zstdCompressor.Wrap(data, scratch.GetBuffer());
        return scratch.GetBuffer().AsMemory(0, written);
    }

    private static bool SnappyLength(ReadOnlySpan<byte> data, out ulong length)
    {
        length = 0;
        for (var i = 0; i < Math.Min(5, data.Length); i++)
        {
            length |= (ulong)(data[i] & 0x7F) << (7 * i);
            if ((data[i] & 0x80) == 0) return true;
        }
        return false;
    }

    /// <summary>
    /// How many times its compressed size a page can grow at most: SNAPPY and GZIP's DEFLATE about 1032:1; ZSTD
    /// stores a run of one byte (an all-false BOOLEAN page, say) as a 128 KiB block in 4 bytes.
    /// </summary>
    public static long MaxExpansion(Codec codec) => codec == Codec.Zstd ? 33_000 : 1_100;

    // A decompression context per thread, not per page: arrow-rs writes pages of a few kilobytes.
    [ThreadStatic]
    private static ZstdSharp.Decompressor? _zstd;

    /// <summary>Decompresses into exactly uncompressedSize bytes; returns null when the data is corrupt or has another size.</summary>
    public static byte[]? Decompress(Codec codec, ReadOnlySpan<byte> data, int uncompressedSize)
    {
        try
        {
            switch (codec)
            {
                case Codec.Snappy:
                {
                    // The stream starts with its decoded length; checking it first avoids allocating a corrupt size.
                    if (!SnappyLength(data, out var declared) || declared != (ulong)uncompressedSize) return null;
                    var result = IronSnappy.Snappy.Decode(data);
                    return result.Length == uncompressedSize ? result : null;
                }
                case Codec.Gzip:
                {
                    var result = new byte[uncompressedSize];
                    using var input = new MemoryStream(data.ToArray(), writable: false);
                    using var gzip = new GZipStream(input, CompressionMode.Decompress);
                    var filled = 0;
                    while (filled < result.Length)
                    {
                        var n = gzip.Read(result, filled, result.Length - filled);
                        if (n == 0) return null;
                        filled += n;
                    }
                    // Trailing decompressed bytes mean the header's size is wrong.
                    return gzip.ReadByte() == -1 ? result : null;
                }
                case Codec.Zstd:
                {
                    // Decompressing into exactly the declared size: a frame that needs more space throws, one that
                    // yields less returns a shorter count; both mean the header's size is wrong.
                    var result = new byte[uncompressedSize];
                    _zstd ??= new ZstdSharp.Decompressor();
                    return _zstd.Unwrap(data, result) == uncompressedSize ? result : null;
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(codec), codec, "checked by the caller");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException or ArgumentException or InvalidOperationException
            or OverflowException or IOException or ZstdSharp.ZstdException)
        {
            // IronSnappy, GZipStream and ZstdSharp report corrupt input with several exception types.
            return null;
        }
    }
}
