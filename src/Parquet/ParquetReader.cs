using System.Buffers.Binary;
using SweepCluster.Parquet.Encodings;
using SweepCluster.Parquet.Format;
using SweepCluster.Parquet.Thrift;
using Encoding = SweepCluster.Parquet.Format.Encoding;

namespace SweepCluster.Parquet;

/// <summary>
/// Reads a whole flat Parquet file held in memory. Every offset, size and count from the file is checked
/// before use, so a damaged file ends in a ParquetFormatException naming the file and the problem.
/// </summary>
internal sealed class ParquetReader
{
    private readonly string _path;
    private readonly byte[] _file;

    public ParquetReader(string path, byte[] file)
    {
        _path = path;
        _file = file;
    }

    internal FileMetaData Metadata { get; private set; } = new();

    /// <summary>When set, every page read is added to it: which kinds of page and encoding a file really holds.</summary>
    internal List<PageInfo>? PageLog { get; init; }
    private int _footerStart;

    public IReadOnlyList<ColumnSchema> ReadSchema() => Guard(() => ReadFooter().Schema);

    /// <summary>Reads the whole table, or only the named columns (in file order) when columns is given.</summary>
    public Table ReadTable(IReadOnlyCollection<string>? columns = null) => Guard(() =>
    {
        var (fileSchema, fileKinds) = ReadFooter();
        var selected = Enumerable.Range(0, fileSchema.Count).Where(c => columns is null || columns.Contains(fileSchema[c].Name)).ToArray();
        foreach (var name in columns ?? [])
            if (!fileSchema.Any(c => c.Name == name)) Fail($"has no column '{name}' (columns: {string.Join(", ", fileSchema.Select(c => c.Name))})");
        var schema = selected.Select(c => fileSchema[c]).ToArray();
        var kinds = selected.Select(c => fileKinds[c]).ToArray();
        if (Metadata.NumRows < 0 || Metadata.NumRows > Array.MaxLength) Fail($"num_rows is {Metadata.NumRows}");
        var rows = (int)Metadata.NumRows;
        long sum = 0;
        foreach (var g in Metadata.RowGroups)
        {
            if (g.NumRows < 0 || g.NumRows > Array.MaxLength) Fail($"a row group has {g.NumRows} rows");
            sum += g.NumRows;
        }
        if (sum != rows) Fail($"num_rows is {rows} but the row groups hold {sum} rows");

        var decoders = new ColumnDecoder[schema.Length];
        for (var c = 0; c < schema.Length; c++) decoders[c] = ColumnDecoder.Create(schema[c], kinds[c], rows, this);

        var rowBase = 0;
        for (var g = 0; g < Metadata.RowGroups.Count; g++)
        {
            var group = Metadata.RowGroups[g];
            if (group.Columns.Count != fileSchema.Count) Fail($"row group {g} has {group.Columns.Count} column chunks, the schema {fileSchema.Count} columns");
            for (var c = 0; c < schema.Length; c++)
                ReadChunk(decoders[c], group.Columns[selected[c]], schema[c], g, rowBase, (int)group.NumRows);
            rowBase += (int)group.NumRows;
        }
        return new Table(schema, decoders.Select(d => d.Values).ToArray());
    });

    private T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (ThriftFormatException e)
        {
            throw new ParquetFormatException(_path, $"corrupt metadata: {e.Message}");
        }
        catch (OutOfMemoryException)
        {
            // Sizes and counts come from the file; a damaged one can ask for more memory than exists.
            throw new ParquetFormatException(_path, "the file's sizes or row counts need more memory than is available (corrupted?)");
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException or InvalidCastException or InvalidOperationException)
        {
            // Checks above should make this unreachable; it keeps an unforeseen corruption from surfacing as a crash.
            throw new ParquetFormatException(_path, $"corrupt file ({e.GetType().Name}: {e.Message})");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal void Fail(string message) => throw new ParquetFormatException(_path, message);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal void Unsupported(string feature) => throw new ParquetUnsupportedException(_path, feature);

    private (IReadOnlyList<ColumnSchema> Schema, ColumnKind[] Kinds) ReadFooter()
    {
        if (_file.Length < 12) Fail($"only {_file.Length} bytes, too short for Parquet (truncated?)");
        if (!_file.AsSpan(0, 4).SequenceEqual("PAR1"u8)) Fail("does not start with the Parquet magic PAR1");
        var tail = _file.AsSpan(_file.Length - 4);
        if (tail.SequenceEqual("PARE"u8)) Unsupported("encrypted footer (PARE)");
        if (!tail.SequenceEqual("PAR1"u8)) Fail("does not end with the Parquet magic PAR1 (truncated or not Parquet)");
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(_file.AsSpan(_file.Length - 8));
        if (footerLength <= 0 || footerLength > _file.Length - 12) Fail($"footer length {footerLength} does not fit a file of {_file.Length} bytes");
        _footerStart = _file.Length - 8 - footerLength;
        var reader = new CompactReader(_file.AsSpan(_footerStart, footerLength), stackalloc short[32]);
        Metadata = FileMetaData.Read(ref reader);
        return BuildSchema();
    }

    private (IReadOnlyList<ColumnSchema>, ColumnKind[]) BuildSchema()
    {
        var elements = Metadata.Schema;
        if (elements.Count == 0) Fail("the schema is empty");
        var root = elements[0];
        if (elements.Skip(1).Any(e => e.NumChildren > 0)) Unsupported("nested columns (groups, lists or maps)");
        var children = root.NumChildren ?? -1;
        if (children != elements.Count - 1) Fail($"the schema root declares {root.NumChildren} columns but {elements.Count - 1} elements follow");
        var schema = new ColumnSchema[children];
        var kinds = new ColumnKind[children];
        for (var i = 0; i < children; i++)
        {
            var e = elements[i + 1];
            if (e.NumChildren > 0) Unsupported($"nested column '{e.Name}'");
            if (e.Repetition == Repetition.Repeated) Unsupported($"repeated column '{e.Name}'");
            if (e.Type is not { } physical) throw new ParquetFormatException(_path, $"column '{e.Name}' has no physical type");
            var (type, kind) = MapType(e, physical);
            schema[i] = new ColumnSchema(e.Name, type, e.Repetition != Repetition.Required);
            kinds[i] = kind;
        }
        return (schema, kinds);
    }

    private (ColumnType, ColumnKind) MapType(SchemaElement e, PhysicalType physical)
    {
        var what = $"column '{e.Name}' of type {FormatNames.Of(physical)}";
        switch (physical)
        {
            case PhysicalType.Boolean:
                return (ColumnType.Boolean, new ColumnKind(physical));
            case PhysicalType.Int32:
                if (e.Logical is LogicalKind.None or LogicalKind.Integer && (e.Logical != LogicalKind.Integer || e.IntegerSigned)
                    && e.ConvertedType is null or ConvertedType.Int8 or ConvertedType.Int16 or ConvertedType.Int32)
                    return (ColumnType.Int32, new ColumnKind(physical));
                break;
            case PhysicalType.Int64:
                // Milliseconds and nanoseconds (pandas writes those) are read into the table's microsecond
                // timestamps; nanoseconds are floored to the microsecond.
                if (e.Logical == LogicalKind.Timestamp)
                {
                    if (e.TimestampUnit is not (TimeUnit.Millis or TimeUnit.Micros or TimeUnit.Nanos)) Unsupported($"{what}: timestamps without a unit");
                    return (ColumnType.TimestampMicros, new ColumnKind(physical, e.TimestampUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified, e.TimestampUnit));
                }
                if (e.Logical == LogicalKind.None && e.ConvertedType is ConvertedType.TimestampMicros or ConvertedType.TimestampMillis)
                    return (ColumnType.TimestampMicros, new ColumnKind(physical, DateTimeKind.Utc,
                        e.ConvertedType == ConvertedType.TimestampMillis ? TimeUnit.Millis : TimeUnit.Micros));
                if (e.Logical is LogicalKind.None or LogicalKind.Integer && (e.Logical != LogicalKind.Integer || e.IntegerSigned)
                    && e.ConvertedType is null or ConvertedType.Int64)
                    return (ColumnType.Int64, new ColumnKind(physical));
                break;
            case PhysicalType.Float:
                return (ColumnType.Float, new ColumnKind(physical));
            case PhysicalType.Double:
                return (ColumnType.Double, new ColumnKind(physical));
            case PhysicalType.ByteArray:
                if (e.Logical is LogicalKind.String or LogicalKind.Enum or LogicalKind.Json
                    || (e.Logical == LogicalKind.None && e.ConvertedType is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json))
                    return (ColumnType.String, new ColumnKind(physical));
                Unsupported($"{what} without a string annotation (binary data)");
                break;
        }
        Unsupported($"{what}" + (e.ConvertedType is { } ct ? $" with converted type {(int)ct}" : "") + (e.Logical != LogicalKind.None ? $" with logical type {e.Logical}" : ""));
        return default;
    }

    private void ReadChunk(ColumnDecoder decoder, ColumnMetaData meta, ColumnSchema column, int group, int rowBase, int rows)
    {
        var where = $"column '{column.Name}' in row group {group}";
        if (meta.Path.Count != 1 || meta.Path[0] != column.Name) Fail($"{where}: the chunk's path is '{string.Join('.', meta.Path)}'");
        if (meta.Type != decoder.Kind.Physical) Fail($"{where}: the chunk's type {FormatNames.Of(meta.Type)} differs from the schema's");
        if (meta.Codec is not (Codec.Uncompressed or Codec.Snappy or Codec.Gzip or Codec.Zstd)) Unsupported($"{FormatNames.Of(meta.Codec)} compression ({where})");
        if (meta.NumValues != rows) Fail($"{where}: the chunk holds {meta.NumValues} values for {rows} rows");
        var start = meta.DictionaryPageOffset is > 0 and var d && d < meta.DataPageOffset ? d : meta.DataPageOffset;
        if (start < 4 || meta.TotalCompressedSize < 0 || start + meta.TotalCompressedSize > _footerStart)
            Fail($"{where}: the chunk at offset {start} with {meta.TotalCompressedSize} bytes lies outside the data (truncated?)");

        decoder.BeginChunk();
        var pos = (int)start;
        var end = (int)(start + meta.TotalCompressedSize);
        var done = 0;
        Span<short> thriftStack = stackalloc short[32];
        while (done < rows)
        {
            if (pos >= end) Fail($"{where}: pages end after {done} of {rows} values");
            var headerReader = new CompactReader(_file.AsSpan(pos, end - pos), thriftStack);
            PageHeader header;
            try
            {
                header = PageHeader.Read(ref headerReader);
            }
            catch (ThriftFormatException e)
            {
                Fail($"{where}: corrupt page header at offset {pos}: {e.Message}");
                throw;
            }
            var bodyStart = pos + headerReader.Position;
            if (header.CompressedSize > end - bodyStart) Fail($"{where}: the page at offset {pos} runs past its chunk");
            var body = _file.AsSpan(bodyStart, header.CompressedSize);
            pos = bodyStart + header.CompressedSize;
            if (header.Crc is { } crc && unchecked((int)Crc32.Compute(body)) != crc) Fail($"{where}: the page at offset {bodyStart - headerReader.Position} fails its CRC check (corrupted)");
            PageLog?.Add(new PageInfo(column.Name, header.Type, header.Encoding, meta.Codec, header.IsCompressed));
            switch (header.Type)
            {
                case PageType.DictionaryPage:
                    if (done > 0 || decoder.HasDictionary) Fail($"{where}: a dictionary page follows data");
                    if (header.Encoding is not (Encoding.Plain or Encoding.PlainDictionary)) Unsupported($"{FormatNames.Of(header.Encoding)} dictionary page ({where})");
                    decoder.ReadDictionary(Decompress(meta.Codec, body, header.UncompressedSize, where), header.NumValues, where);
                    break;
                case PageType.DataPage:
                    if (header.NumValues > rows - done) Fail($"{where}: a page holds {header.NumValues} values, more than the {rows - done} left");
                    decoder.ReadDataPage(Decompress(meta.Codec, body, header.UncompressedSize, where), header, rowBase + done, where);
                    done += header.NumValues;
                    break;
                case PageType.DataPageV2:
                {
                    if (header.NumValues > rows - done) Fail($"{where}: a page holds {header.NumValues} values, more than the {rows - done} left");
                    // A flat column has one value (or null) per row and no repetition levels.
                    if (header.NumRows != header.NumValues || header.RepetitionLevelsLength != 0 || header.NumNulls > header.NumValues)
                        Fail($"{where}: the DATA_PAGE_V2 page at offset {bodyStart - headerReader.Position} claims {header.NumRows} rows, {header.NumValues} values, "
                            + $"{header.NumNulls} nulls and {header.RepetitionLevelsLength} bytes of repetition levels");
                    var levels = header.DefinitionLevelsLength;
                    if (levels > body.Length || levels > header.UncompressedSize) Fail($"{where}: definition levels of {levels} bytes overrun the page at offset {bodyStart - headerReader.Position}");
                    // Levels are never compressed; the values are unless is_compressed says otherwise.
                    var values = header.IsCompressed
                        ? Decompress(meta.Codec, body[levels..], header.UncompressedSize - levels, where)
                        : Decompress(Codec.Uncompressed, body[levels..], header.UncompressedSize - levels, where);
                    decoder.ReadDataPageV2(body[..levels], values, header, rowBase + done, where);
                    done += header.NumValues;
                    break;
                }
                case PageType.IndexPage:
                    break;
                default:
                    Fail($"{where}: unknown page type {(int)header.Type} at offset {bodyStart}");
                    break;
            }
        }
    }

    private ReadOnlySpan<byte> Decompress(Codec codec, ReadOnlySpan<byte> body, int uncompressedSize, string where)
    {
        if (codec == Codec.Uncompressed)
        {
            if (uncompressedSize != body.Length) Fail($"{where}: an uncompressed page of {body.Length} bytes claims {uncompressedSize}");
            return body;
        }
        // A page whose values are all null may have nothing to compress, and a writer may then store nothing.
        if (uncompressedSize == 0 && body.IsEmpty) return body;
        // A larger claim than the codec can expand to is corruption, not a reason to allocate.
        if (uncompressedSize > (long)body.Length * Codecs.MaxExpansion(codec) + 1024) Fail($"{where}: a page of {body.Length} bytes claims to expand to {uncompressedSize}");
        return Codecs.Decompress(codec, body, uncompressedSize)
            ?? throw new ParquetFormatException(_path, $"{where}: {FormatNames.Of(codec)} data of a page does not decompress to {uncompressedSize} bytes (corrupted)");
    }
}

/// <summary>How a column's stored values map to the table's: the physical type and, for timestamps, the DateTime kind and stored unit.</summary>
internal readonly record struct ColumnKind(PhysicalType Physical, DateTimeKind TimestampKind = DateTimeKind.Utc, TimeUnit TimestampUnit = TimeUnit.Micros);

/// <summary>One page as the reader met it (see ParquetReader.PageLog).</summary>
internal readonly record struct PageInfo(string Column, PageType Type, Encoding Encoding, Codec Codec, bool IsCompressed);
