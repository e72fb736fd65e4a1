using SweepCluster.Parquet.Thrift;

namespace SweepCluster.Parquet.Format;

// The parts of parquet.thrift this library writes or reads. Field ids are those of the spec; fields the
// reader does not need are skipped, so files from newer writers still parse.

internal sealed class SchemaElement
{
    public PhysicalType? Type;
    public int? TypeLength;
    public Repetition? Repetition;
    public string Name = "";
    public int? NumChildren;
    public ConvertedType? ConvertedType;
    public LogicalKind Logical;
    public bool TimestampUtc;
    public TimeUnit TimestampUnit;
    public bool IntegerSigned;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        if (Type is { } t) w.I32(1, (int)t);
        if (TypeLength is { } len) w.I32(2, len);
        if (Repetition is { } r) w.I32(3, (int)r);
        w.String(4, Name);
        if (NumChildren is { } n) w.I32(5, n);
        if (ConvertedType is { } c) w.I32(6, (int)c);
        switch (Logical)
        {
            case LogicalKind.String:
                w.StructField(10);
                w.EmptyStruct(1);
                w.EndStruct();
                break;
            case LogicalKind.Timestamp:
                w.StructField(10);
                w.StructField(8);
                w.Bool(1, TimestampUtc);
                w.StructField(2);
                w.EmptyStruct(TimestampUnit switch { TimeUnit.Millis => 1, TimeUnit.Micros => 2, _ => 3 });
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                break;
        }
        w.EndStruct();
    }

    public static SchemaElement Read(ref CompactReader r)
    {
        var e = new SchemaElement();
        var hasName = false;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: e.Type = (PhysicalType)r.ReadI32(type); break;
                case 2: e.TypeLength = r.ReadI32(type); break;
                case 3: e.Repetition = (Repetition)r.ReadI32(type); break;
                case 4: e.Name = r.ReadString(type); hasName = true; break;
                case 5: e.NumChildren = r.ReadI32(type); break;
                case 6: e.ConvertedType = (ConvertedType)r.ReadI32(type); break;
                case 10: ReadLogical(ref r, type, e); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        if (!hasName) throw new ThriftFormatException("a schema element has no name");
        return e;
    }

    private static void ReadLogical(ref CompactReader r, CompactType type, SchemaElement e)
    {
        if (type != CompactType.Struct) throw new ThriftFormatException("logicalType is not a struct");
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: e.Logical = LogicalKind.String; r.Skip(t); break;
                case 4: e.Logical = LogicalKind.Enum; r.Skip(t); break;
                case 8: e.Logical = LogicalKind.Timestamp; ReadTimestamp(ref r, t, e); break;
                case 10: e.Logical = LogicalKind.Integer; ReadInteger(ref r, t, e); break;
                case 12: e.Logical = LogicalKind.Json; r.Skip(t); break;
                default: e.Logical = LogicalKind.Other; r.Skip(t); break;
            }
        }
        r.EndStruct();
    }

    private static void ReadTimestamp(ref CompactReader r, CompactType type, SchemaElement e)
    {
        if (type != CompactType.Struct) throw new ThriftFormatException("TimestampType is not a struct");
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            if (id == 1) e.TimestampUtc = r.ReadBool(t);
            else if (id == 2 && t == CompactType.Struct)
            {
                r.BeginStruct();
                while (r.NextField(out var unitId, out var ut))
                {
                    e.TimestampUnit = unitId switch { 1 => TimeUnit.Millis, 2 => TimeUnit.Micros, 3 => TimeUnit.Nanos, _ => TimeUnit.None };
                    r.Skip(ut);
                }
                r.EndStruct();
            }
            else r.Skip(t);
        }
        r.EndStruct();
    }

    private static void ReadInteger(ref CompactReader r, CompactType type, SchemaElement e)
    {
        if (type != CompactType.Struct) throw new ThriftFormatException("IntType is not a struct");
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            if (id == 2) e.IntegerSigned = r.ReadBool(t);
            else r.Skip(t);
        }
        r.EndStruct();
    }
}

internal sealed class Statistics
{
    public byte[]? Max;
    public byte[]? Min;
    public long? NullCount;
    public byte[]? MaxValue;
    public byte[]? MinValue;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        if (NullCount is { } n) w.I64(3, n);
        if (MaxValue is not null) w.Binary(5, MaxValue);
        if (MinValue is not null) w.Binary(6, MinValue);
        if (MaxValue is not null) w.Bool(7, true);
        if (MinValue is not null) w.Bool(8, true);
        w.EndStruct();
    }

    public static Statistics Read(ref CompactReader r)
    {
        var s = new Statistics();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: s.Max = r.ReadBinary(type).ToArray(); break;
                case 2: s.Min = r.ReadBinary(type).ToArray(); break;
                case 3: s.NullCount = r.ReadI64(type); break;
                case 5: s.MaxValue = r.ReadBinary(type).ToArray(); break;
                case 6: s.MinValue = r.ReadBinary(type).ToArray(); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return s;
    }
}

internal sealed class ColumnMetaData
{
    public PhysicalType Type;
    public List<Encoding> Encodings = [];
    public List<string> Path = [];
    public Codec Codec;
    public long NumValues;
    public long TotalUncompressedSize;
    public long TotalCompressedSize;
    public long DataPageOffset;
    public long? DictionaryPageOffset;
    public Statistics? Statistics;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.I32(1, (int)Type);
        w.ListField(2, CompactType.I32, Encodings.Count);
        foreach (var e in Encodings) w.I32Value((int)e);
        w.ListField(3, CompactType.Binary, Path.Count);
        foreach (var p in Path) w.StringValue(p);
        w.I32(4, (int)Codec);
        w.I64(5, NumValues);
        w.I64(6, TotalUncompressedSize);
        w.I64(7, TotalCompressedSize);
        w.I64(9, DataPageOffset);
        if (DictionaryPageOffset is { } d) w.I64(11, d);
        if (Statistics is not null)
        {
            w.FieldHeader(12, CompactType.Struct);
            Statistics.Write(w);
        }
        w.EndStruct();
    }

    public static ColumnMetaData Read(ref CompactReader r)
    {
        var m = new ColumnMetaData();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: m.Type = (PhysicalType)r.ReadI32(type); seen |= 1; break;
                case 2:
                {
                    var count = r.ReadListHeader(type, out var et);
                    r.ExpectElement(et, CompactType.I32);
                    for (var i = 0; i < count; i++) m.Encodings.Add((Encoding)r.ReadI32Element());
                    break;
                }
                case 3:
                {
                    var count = r.ReadListHeader(type, out var et);
                    r.ExpectElement(et, CompactType.Binary);
                    for (var i = 0; i < count; i++) m.Path.Add(System.Text.Encoding.UTF8.GetString(r.ReadBinaryElement()));
                    break;
                }
                case 4: m.Codec = (Codec)r.ReadI32(type); seen |= 2; break;
                case 5: m.NumValues = r.ReadI64(type); seen |= 4; break;
                case 6: m.TotalUncompressedSize = r.ReadI64(type); break;
                case 7: m.TotalCompressedSize = r.ReadI64(type); seen |= 8; break;
                case 9: m.DataPageOffset = r.ReadI64(type); seen |= 16; break;
                case 11: m.DictionaryPageOffset = r.ReadI64(type); break;
                case 12:
                    if (type != CompactType.Struct) throw new ThriftFormatException("statistics is not a struct");
                    m.Statistics = Statistics.Read(ref r);
                    break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        if (seen != 31) throw new ThriftFormatException("column metadata lacks a required field (type, codec, num_values, total_compressed_size or data_page_offset)");
        return m;
    }
}

internal sealed class RowGroup
{
    public List<ColumnMetaData> Columns = [];
    public List<long> ChunkFileOffsets = [];
    public long TotalByteSize;
    public long NumRows;
    public long FileOffset;
    public long TotalCompressedSize;
    public short Ordinal;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.ListField(1, CompactType.Struct, Columns.Count);
        for (var i = 0; i < Columns.Count; i++)
        {
            w.BeginStruct();
            w.I64(2, ChunkFileOffsets[i]);
            w.FieldHeader(3, CompactType.Struct);
            Columns[i].Write(w);
            w.EndStruct();
        }
        w.I64(2, TotalByteSize);
        w.I64(3, NumRows);
        w.I64(5, FileOffset);
        w.I64(6, TotalCompressedSize);
        w.FieldHeader(7, CompactType.I16);
        w.I32Value(Ordinal);
        w.EndStruct();
    }

    public static RowGroup Read(ref CompactReader r)
    {
        var g = new RowGroup();
        var hasRows = false;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1:
                {
                    var count = r.ReadListHeader(type, out var et);
                    r.ExpectElement(et, CompactType.Struct);
                    for (var i = 0; i < count; i++) g.Columns.Add(ReadChunk(ref r));
                    break;
                }
                case 3: g.NumRows = r.ReadI64(type); hasRows = true; break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        if (!hasRows) throw new ThriftFormatException("a row group lacks num_rows");
        return g;
    }

    private static ColumnMetaData ReadChunk(ref CompactReader r)
    {
        ColumnMetaData? meta = null;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (id == 1) throw new ThriftFormatException("column chunks in other files (file_path) are not supported");
            if (id == 3 && type == CompactType.Struct) meta = ColumnMetaData.Read(ref r);
            else r.Skip(type);
        }
        r.EndStruct();
        return meta ?? throw new ThriftFormatException("a column chunk has no metadata (encrypted files are not supported)");
    }
}

internal sealed class FileMetaData
{
    public int Version;
    public List<SchemaElement> Schema = [];
    public long NumRows;
    public List<RowGroup> RowGroups = [];
    public string? CreatedBy;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.I32(1, Version);
        w.ListField(2, CompactType.Struct, Schema.Count);
        foreach (var e in Schema) e.Write(w);
        w.I64(3, NumRows);
        w.ListField(4, CompactType.Struct, RowGroups.Count);
        foreach (var g in RowGroups) g.Write(w);
        if (CreatedBy is not null) w.String(6, CreatedBy);
        // column_orders: TYPE_ORDER for every leaf tells readers that min_value/max_value use the
        // type's natural order (signed ints, unsigned bytewise strings), so they may trust them.
        var leaves = Schema.Count - 1;
        w.ListField(7, CompactType.Struct, leaves);
        for (var i = 0; i < leaves; i++)
        {
            w.BeginStruct();
            w.EmptyStruct(1);
            w.EndStruct();
        }
        w.EndStruct();
    }

    public static FileMetaData Read(ref CompactReader r)
    {
        var f = new FileMetaData();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: f.Version = r.ReadI32(type); break;
                case 2:
                {
                    var count = r.ReadListHeader(type, out var et);
                    r.ExpectElement(et, CompactType.Struct);
                    for (var i = 0; i < count; i++) f.Schema.Add(SchemaElement.Read(ref r));
                    seen |= 1;
                    break;
                }
                case 3: f.NumRows = r.ReadI64(type); seen |= 2; break;
                case 4:
                {
                    var count = r.ReadListHeader(type, out var et);
                    r.ExpectElement(et, CompactType.Struct);
                    for (var i = 0; i < count; i++) f.RowGroups.Add(RowGroup.Read(ref r));
                    seen |= 4;
                    break;
                }
                case 6: f.CreatedBy = r.ReadString(type); break;
                case 8: throw new ThriftFormatException("encrypted files are not supported");
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        if (seen != 7) throw new ThriftFormatException("file metadata lacks the schema, num_rows or row_groups");
        return f;
    }
}

internal sealed class PageHeader
{
    public PageType Type;
    public int UncompressedSize;
    public int CompressedSize;
    public int? Crc;
    public int NumValues;
    public Encoding Encoding;
    public Encoding DefinitionLevelEncoding;

    // DATA_PAGE_V2 only: the levels precede the values, uncompressed, with these byte lengths.
    public int NumNulls;
    public int NumRows;
    public int DefinitionLevelsLength;
    public int RepetitionLevelsLength;
    public bool IsCompressed = true;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.I32(1, (int)Type);
        w.I32(2, UncompressedSize);
        w.I32(3, CompressedSize);
        if (Crc is { } crc) w.I32(4, crc);
        if (Type == PageType.DataPage)
        {
            w.StructField(5);
            w.I32(1, NumValues);
            w.I32(2, (int)Encoding);
            w.I32(3, (int)DefinitionLevelEncoding);
            w.I32(4, (int)Format.Encoding.Rle);
            w.EndStruct();
        }
        else if (Type == PageType.DictionaryPage)
        {
            w.StructField(7);
            w.I32(1, NumValues);
            w.I32(2, (int)Encoding);
            w.EndStruct();
        }
        w.EndStruct();
    }

    public static PageHeader Read(ref CompactReader r)
    {
        var h = new PageHeader();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: h.Type = (PageType)r.ReadI32(type); seen |= 1; break;
                case 2: h.UncompressedSize = r.ReadI32(type); seen |= 2; break;
                case 3: h.CompressedSize = r.ReadI32(type); seen |= 4; break;
                case 4: h.Crc = r.ReadI32(type); break;
                case 5 or 7 when type == CompactType.Struct:
                    r.BeginStruct();
                    while (r.NextField(out var fid, out var ft))
                    {
                        switch (fid)
                        {
                            case 1: h.NumValues = r.ReadI32(ft); seen |= 8; break;
                            case 2: h.Encoding = (Encoding)r.ReadI32(ft); break;
                            case 3 when id == 5: h.DefinitionLevelEncoding = (Encoding)r.ReadI32(ft); break;
                            default: r.Skip(ft); break;
                        }
                    }
                    r.EndStruct();
                    break;
                case 8 when type == CompactType.Struct:
                    r.BeginStruct();
                    while (r.NextField(out var fid, out var ft))
                    {
                        switch (fid)
                        {
                            case 1: h.NumValues = r.ReadI32(ft); seen |= 8; break;
                            case 2: h.NumNulls = r.ReadI32(ft); seen |= 16; break;
                            case 3: h.NumRows = r.ReadI32(ft); seen |= 32; break;
                            case 4: h.Encoding = (Encoding)r.ReadI32(ft); seen |= 64; break;
                            case 5: h.DefinitionLevelsLength = r.ReadI32(ft); seen |= 128; break;
                            case 6: h.RepetitionLevelsLength = r.ReadI32(ft); seen |= 256; break;
                            case 7: h.IsCompressed = r.ReadBool(ft); break;
                            default: r.Skip(ft); break;
                        }
                    }
                    r.EndStruct();
                    break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        if ((seen & 7) != 7) throw new ThriftFormatException("page header lacks its type or sizes");
        if (h.Type is PageType.DataPage or PageType.DictionaryPage && (seen & 8) == 0)
            throw new ThriftFormatException("page header lacks num_values");
        if (h.Type == PageType.DataPageV2 && (seen & 0x1F8) != 0x1F8)
            throw new ThriftFormatException("a DATA_PAGE_V2 header lacks one of its required fields (num_values, num_nulls, num_rows, encoding, level lengths)");
        if (h.UncompressedSize < 0 || h.CompressedSize < 0 || h.NumValues < 0 || h.NumNulls < 0 || h.NumRows < 0
            || h.DefinitionLevelsLength < 0 || h.RepetitionLevelsLength < 0)
            throw new ThriftFormatException("page header has a negative size or count");
        return h;
    }
}
