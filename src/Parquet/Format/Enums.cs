namespace SweepCluster.Parquet.Format;

// Numeric values are fixed by parquet.thrift (apache/parquet-format).

internal enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Int96 = 3, Float = 4, Double = 5, ByteArray = 6, FixedLenByteArray = 7 }

internal enum Repetition { Required = 0, Optional = 1, Repeated = 2 }

internal enum ConvertedType { Utf8 = 0, Enum = 4, Json = 19, TimestampMillis = 9, TimestampMicros = 10, Int8 = 15, Int16 = 16, Int32 = 17, Int64 = 18 }

internal enum Codec { Uncompressed = 0, Snappy = 1, Gzip = 2, Lzo = 3, Brotli = 4, Lz4 = 5, Zstd = 6, Lz4Raw = 7 }

internal enum Encoding { Plain = 0, PlainDictionary = 2, Rle = 3, BitPacked = 4, DeltaBinaryPacked = 5, DeltaLengthByteArray = 6, DeltaByteArray = 7, RleDictionary = 8, ByteStreamSplit = 9 }

internal enum PageType { DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3 }

internal enum LogicalKind { None, String, Timestamp, Integer, Enum, Json, Other }

internal enum TimeUnit { None, Millis, Micros, Nanos }

internal static class FormatNames
{
    public static string Of(Codec codec) => codec switch
    {
        Codec.Uncompressed => "UNCOMPRESSED",
        Codec.Snappy => "SNAPPY",
        Codec.Gzip => "GZIP",
        Codec.Lzo => "LZO",
        Codec.Brotli => "BROTLI",
        Codec.Lz4 => "LZ4",
        Codec.Zstd => "ZSTD",
        Codec.Lz4Raw => "LZ4_RAW",
        _ => $"codec {(int)codec}",
    };

    public static string Of(Encoding encoding) => encoding switch
    {
        Encoding.Plain => "PLAIN",
        Encoding.PlainDictionary => "PLAIN_DICTIONARY",
        Encoding.Rle => "RLE",
        Encoding.BitPacked => "BIT_PACKED",
        Encoding.DeltaBinaryPacked => "DELTA_BINARY_PACKED",
        Encoding.DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
        Encoding.DeltaByteArray => "DELTA_BYTE_ARRAY",
        Encoding.RleDictionary => "RLE_DICTIONARY",
        Encoding.ByteStreamSplit => "BYTE_STREAM_SPLIT",
        _ => $"encoding {(int)encoding}",
    };

    public static string Of(PhysicalType type) => type switch
    {
        PhysicalType.Boolean => "BOOLEAN",
        PhysicalType.Int32 => "INT32",
        PhysicalType.Int64 => "INT64",
        PhysicalType.Int96 => "INT96",
        PhysicalType.Float => "FLOAT",
        PhysicalType.Double => "DOUBLE",
        PhysicalType.ByteArray => "BYTE_ARRAY",
        PhysicalType.FixedLenByteArray => "FIXED_LEN_BYTE_ARRAY",
        _ => $"physical type {(int)type}",
    };
}
