using System.IO.Compression;
using Parquet;
using Parquet.Schema;
using NetReader = Parquet.ParquetReader;
using NetWriter = Parquet.ParquetWriter;

namespace SweepCluster.Parquet;

/// <summary>
/// Maps <see cref="Table"/> to and from Parquet.Net (aloneguid/parquet-dotnet). Everything the library throws
/// while decoding becomes a <see cref="ParquetFormatException"/> naming the file: on damaged input it throws
/// whatever its decoders hit (IndexOutOfRange, Overflow, InvalidData, OutOfMemory, ...).
/// </summary>
internal static class ParquetCodec
{
    /// <summary>
    /// Timestamps are written as INT64 TIMESTAMP(MILLIS, UTC): Parquet.Net 6.1.0 writes the min/max statistics of
    /// MICROS and NANOS timestamps in milliseconds (aloneguid/parquet-dotnet#769), and DuckDB trusts them when it
    /// skips row groups. Millisecond statistics are right, and no result needs finer times.
    /// </summary>
    private const DateTimeTimeUnit TimestampUnit = DateTimeTimeUnit.Millis;

    public static void Write(Stream stream, Table table, WriteOptions options)
    {
        CheckWritable(table);
        var fields = table.Schema.Select(ToField).ToArray();
        var parquetOptions = new ParquetOptions
        {
            CompressionMethod = options.Compression switch
            {
                Compression.Uncompressed => CompressionMethod.None,
                Compression.Snappy => CompressionMethod.Snappy,
                Compression.Gzip => CompressionMethod.Gzip,
                Compression.Zstd => CompressionMethod.Zstd,
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Compression, "unknown compression"),
            },
            // The library's default is SmallestSize (zstd level 19): 17 times slower for a few percent.
            CompressionLevel = CompressionLevel.Optimal,
        };
        // Parquet.Net 6.1.0 dictionary-encodes a string column only when asked by a hint; it still falls back to
        // PLAIN when the values are too unique (DictionaryEncodingThreshold).
        if (options.DictionaryForStrings)
            for (var c = 0; c < fields.Length; c++)
                if (table.Schema[c].Type == ColumnType.String)
                    parquetOptions.ColumnEncodingHints[fields[c].Path.ToString()] = EncodingHint.Dictionary;
        Run(async () =>
        {
            await using var writer = await NetWriter.CreateAsync(new ParquetSchema(fields), stream, parquetOptions, append: false).ConfigureAwait(false);
            for (var start = 0; start < table.RowCount; start += options.RowGroupRows)
            {
                var count = Math.Min(options.RowGroupRows, table.RowCount - start);
                using var group = writer.CreateRowGroup();
                for (var c = 0; c < fields.Length; c++)
                    await WriteColumn(group, fields[c], table.Schema[c], table.Columns[c], start, count).ConfigureAwait(false);
                group.CompleteValidate();
            }
        });
    }

    private static void CheckWritable(Table table)
    {
        if (table.Schema.Count == 0) throw new ArgumentException("a Parquet file needs at least one column");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in table.Schema)
        {
            if (string.IsNullOrEmpty(column.Name)) throw new ArgumentException("a column name must not be empty");
            if (!names.Add(column.Name)) throw new ArgumentException($"column name '{column.Name}' appears twice");
        }
        for (var c = 0; c < table.Schema.Count; c++)
        {
            if (table.Schema[c].Optional) continue;
            var column = table.Columns[c];
            for (var r = 0; r < column.Length; r++)
                if (column.GetValue(r) is null)
                    throw new ArgumentException($"column '{table.Schema[c].Name}' is REQUIRED but row {r} is null");
        }
    }

    private static DataField ToField(ColumnSchema column) => column.Type switch
    {
        ColumnType.Boolean => new DataField<bool>(column.Name, column.Optional),
        ColumnType.Int32 => new DataField<int>(column.Name, column.Optional),
        ColumnType.Int64 => new DataField<long>(column.Name, column.Optional),
        ColumnType.Float => new DataField<float>(column.Name, column.Optional),
        ColumnType.Double => new DataField<double>(column.Name, column.Optional),
        ColumnType.String => new DataField<string>(column.Name, column.Optional),
        // A plain DataField<DateTime> would be the deprecated INT96.
        ColumnType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, TimestampUnit, column.Optional),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type"),
    };

    private static Task WriteColumn(ParquetRowGroupWriter group, DataField field, ColumnSchema column, Array values, int start, int count) =>
        column.Type switch
        {
            ColumnType.Boolean => WriteValues(group, field, column.Optional, (bool?[])values, start, count),
            ColumnType.Int32 => WriteValues(group, field, column.Optional, (int?[])values, start, count),
            ColumnType.Int64 => WriteValues(group, field, column.Optional, (long?[])values, start, count),
            ColumnType.Float => WriteValues(group, field, column.Optional, (float?[])values, start, count),
            ColumnType.Double => WriteValues(group, field, column.Optional, (double?[])values, start, count),
            ColumnType.String => group.WriteAsync(field, new ArraySegment<string?>((string?[])values, start, count)!),
            ColumnType.Timestamp => WriteValues(group, field, column.Optional, Utc((DateTime?[])values, start, count), 0, count),
            _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type"),
        };

    private static Task WriteValues<T>(ParquetRowGroupWriter group, DataField field, bool optional, T?[] values, int start, int count)
        where T : struct
    {
        if (optional) return group.WriteAsync(field, new ReadOnlyMemory<T?>(values, start, count));
        var dense = new T[count];
        for (var i = 0; i < count; i++) dense[i] = values[start + i]!.Value; // CheckWritable ruled out nulls
        return group.WriteAsync(field, new ReadOnlyMemory<T>(dense));
    }

    /// <summary>
    /// Local times are converted to UTC, Unspecified is taken as UTC (Table's contract), and each is floored to
    /// the millisecond here so that times before 1970 round down too, not towards the epoch.
    /// </summary>
    private static DateTime?[] Utc(DateTime?[] values, int start, int count)
    {
        var result = new DateTime?[count];
        for (var i = 0; i < count; i++)
        {
            if (values[start + i] is not { } t) continue;
            var utc = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
            result[i] = new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        }
        return result;
    }

    /// <summary>Reads the named columns (all when null) of a whole file held in memory.</summary>
    public static Table Read(string name, byte[] bytes, IReadOnlyCollection<string>? columns)
    {
        FooterCheck.Check(name, bytes);
        return Decode(name, async () =>
        {
            using var stream = new BoundedStream(bytes);
            await using var reader = await NetReader.CreateAsync(stream, null, leaveStreamOpen: true).ConfigureAwait(false);
            var all = reader.Schema.Fields.Select(f => (Field: f, Column: ToColumn(name, f))).ToArray();
            if (columns is not null)
                foreach (var wanted in columns)
                    if (!all.Any(f => f.Column.Name == wanted))
                        throw new ParquetFormatException(name, $"no column '{wanted}' (columns: {string.Join(", ", all.Select(f => f.Column.Name))})");
            var chosen = columns is null ? all : all.Where(f => columns.Contains(f.Column.Name)).ToArray();
            foreach (var (field, column) in chosen)
                if (column.Type == ColumnType.Boolean) RefuseRleBooleans(name, reader, field.Name);

            var total = CheckedRowCount(name, reader);
            if (total > Array.MaxLength) throw new ParquetUnsupportedException(name, $"{total} rows (more than a Table can hold)");
            var arrays = chosen.Select(f => Array.CreateInstance(Table.ElementType(f.Column.Type), (int)total)).ToArray();
            var offset = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                for (var c = 0; c < chosen.Length; c++)
                {
                    var field = (DataField)chosen[c].Field;
                    if (RawTimestamp(reader, field) is var (ticksPerUnit, kind))
                        await ReadTimestamps(group, field, ticksPerUnit, kind, name, (DateTime?[])arrays[c], offset, rows).ConfigureAwait(false);
                    else
                        await ReadColumn(group, field, chosen[c].Column.Type, arrays[c], offset, rows).ConfigureAwait(false);
                }
                offset += rows;
            }
            return new Table(chosen.Select(f => f.Column).ToArray(), arrays);
        });
    }

    /// <summary>
    /// The file's row count, once the footer's counts agree with each other: the file's, each row group's and
    /// each column chunk's. Arrays are sized from it before any page is read, so a damaged count must not
    /// reach the allocation (a footer claiming billions of rows would otherwise allocate and zero gigabytes).
    /// </summary>
    private static long CheckedRowCount(string name, NetReader reader)
    {
        var footer = reader.Metadata ?? throw new ParquetFormatException(name, "no footer");
        long total = 0;
        foreach (var group in footer.RowGroups)
        {
            if (group.NumRows < 0) throw new ParquetFormatException(name, $"a row group claims {group.NumRows} rows");
            if (group.Columns.Count != reader.Schema.DataFields.Length)
                throw new ParquetFormatException(name, $"a row group has {group.Columns.Count} column chunks for {reader.Schema.DataFields.Length} columns");
            foreach (var chunk in group.Columns)
                if (chunk.MetaData is not { } meta || meta.NumValues != group.NumRows)
                    throw new ParquetFormatException(name, $"a column chunk holds {chunk.MetaData?.NumValues} values in a row group of {group.NumRows} rows");
            total += group.NumRows;
        }
        if (total != footer.NumRows) throw new ParquetFormatException(name, $"the footer claims {footer.NumRows} rows but its row groups hold {total}");
        return total;
    }

    /// <summary>Reads only the schema from the footer.</summary>
    public static IReadOnlyList<ColumnSchema> ReadSchema(string name, Stream stream) =>
        Decode(name, async () =>
        {
            await using var reader = await NetReader.CreateAsync(stream, null, leaveStreamOpen: true).ConfigureAwait(false);
            return (IReadOnlyList<ColumnSchema>)reader.Schema.Fields.Select(f => ToColumn(name, f)).ToArray();
        });

    /// <summary>
    /// For an INT64 TIMESTAMP column: 100 ns ticks per stored unit (negative: units per tick) and the DateTime kind;
    /// null for any other column (INT96 timestamps included, which Parquet.Net decodes itself).
    /// </summary>
    private static (long TicksPerUnit, DateTimeKind Kind)? RawTimestamp(NetReader reader, DataField field)
    {
        if (field.ClrType != typeof(DateTime)) return null;
        var element = reader.Metadata?.Schema.FirstOrDefault(e => e.Name == field.Name && e.NumChildren is null or 0);
        if (element is not { Type: global::Parquet.Meta.Type.INT64 }) return null;
        var timestamp = element.LogicalType?.TIMESTAMP;
        var kind = timestamp is null || timestamp.IsAdjustedToUTC ? DateTimeKind.Utc : DateTimeKind.Unspecified;
        if (timestamp?.Unit.NANOS is not null) return (-100, kind);
        if (timestamp?.Unit.MICROS is not null || element.ConvertedType == global::Parquet.Meta.ConvertedType.TIMESTAMP_MICROS) return (10, kind);
        if (timestamp?.Unit.MILLIS is not null || element.ConvertedType == global::Parquet.Meta.ConvertedType.TIMESTAMP_MILLIS) return (TimeSpan.TicksPerMillisecond, kind);
        return null;
    }

    /// <summary>
    /// Parquet.Net 6.1.0 decodes RLE-encoded BOOLEAN pages (arrow-rs and pyarrow write them with format version
    /// 2.0) to wrong values without an error; such a column is refused rather than read wrong. The footer's
    /// encoding statistics name each data page's value encoding; without them nothing can be told apart.
    /// </summary>
    private static void RefuseRleBooleans(string name, NetReader reader, string column)
    {
        foreach (var group in reader.Metadata?.RowGroups ?? [])
            foreach (var chunk in group.Columns)
            {
                if (chunk.MetaData is not { } meta || meta.PathInSchema.Count != 1 || meta.PathInSchema[0] != column) continue;
                if (meta.EncodingStats?.Any(s => s.Encoding == global::Parquet.Meta.Encoding.RLE
                        && s.PageType is global::Parquet.Meta.PageType.DATA_PAGE or global::Parquet.Meta.PageType.DATA_PAGE_V2) == true)
                    throw new ParquetUnsupportedException(name, $"column '{column}' holds BOOLEAN values in RLE encoding, which Parquet.Net 6.1.0 decodes wrongly");
            }
    }

    private static ColumnSchema ToColumn(string name, Field field)
    {
        if (field is not DataField data || data.IsArray)
            throw new ParquetUnsupportedException(name, $"column '{field.Name}' is nested ({field.SchemaType}); only flat columns are read");
        var type = data.ClrType switch
        {
            var t when t == typeof(bool) => ColumnType.Boolean,
            var t when t == typeof(int) => ColumnType.Int32,
            var t when t == typeof(long) => ColumnType.Int64,
            var t when t == typeof(float) => ColumnType.Float,
            var t when t == typeof(double) => ColumnType.Double,
            // Parquet.Net 6 reports string columns as ReadOnlyMemory<char>; ReadAsync still fills string arrays.
            var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => ColumnType.String,
            var t when t == typeof(DateTime) => ColumnType.Timestamp,
            var t => throw new ParquetUnsupportedException(name, $"column '{field.Name}' has type {t.Name}; readable are BOOLEAN, INT32, INT64, FLOAT, DOUBLE, STRING and TIMESTAMP"),
        };
        return new ColumnSchema(data.Name, type, data.IsNullable);
    }

    private static ValueTask ReadColumn(ParquetRowGroupReader group, DataField field, ColumnType type, Array target, int offset, int rows) =>
        type switch
        {
            ColumnType.Boolean => ReadValues(group, field, (bool?[])target, offset, rows),
            ColumnType.Int32 => ReadValues(group, field, (int?[])target, offset, rows),
            ColumnType.Int64 => ReadValues(group, field, (long?[])target, offset, rows),
            ColumnType.Float => ReadValues(group, field, (float?[])target, offset, rows),
            ColumnType.Double => ReadValues(group, field, (double?[])target, offset, rows),
            ColumnType.String => group.ReadAsync(field, new Memory<string?>((string?[])target, offset, rows)),
            ColumnType.Timestamp => ReadValues(group, field, (DateTime?[])target, offset, rows),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
        };

    /// <summary>
    /// An INT64 TIMESTAMP column read as its raw integers and converted here: Parquet.Net 6.1.0 cannot decode
    /// DateTime from DELTA_BINARY_PACKED pages (what DuckDB, polars and pyarrow write for format version 2).
    /// </summary>
    private static async ValueTask ReadTimestamps(ParquetRowGroupReader group, DataField field, long ticksPerUnit, DateTimeKind kind,
        string name, DateTime?[] target, int offset, int rows)
    {
        // The library reads a column by the field's path, and wants the field attached to a schema first.
        var integers = new DataField<long>(field.Name, field.IsNullable);
        _ = new ParquetSchema(integers);
        var raw = new long?[rows];
        await ReadValues(group, integers, raw, 0, rows).ConfigureAwait(false);
        var epoch = DateTime.UnixEpoch.Ticks;
        for (var i = 0; i < rows; i++)
        {
            if (raw[i] is not { } units) continue;
            // Nanoseconds divide (floored); coarser units multiply, and must stay within DateTime's years 1 to 9999.
            var ticks = epoch + (ticksPerUnit > 0 ? (Int128)units * ticksPerUnit : FloorDiv(units, -ticksPerUnit));
            if (ticks < 0 || ticks > DateTime.MaxValue.Ticks)
                throw new ParquetUnsupportedException(name, $"column '{field.Name}' holds {units}, a time outside the years 1 to 9999");
            target[offset + i] = new DateTime((long)ticks, kind);
        }
    }

    private static async ValueTask ReadValues<T>(ParquetRowGroupReader group, DataField field, T?[] target, int offset, int rows)
        where T : struct
    {
        if (field.IsNullable)
        {
            await group.ReadAsync(field, new Memory<T?>(target, offset, rows)).ConfigureAwait(false);
            return;
        }
        var dense = new T[rows];
        await group.ReadAsync(field, new Memory<T>(dense)).ConfigureAwait(false);
        for (var i = 0; i < rows; i++) target[offset + i] = dense[i];
    }

    private static T Decode<T>(string name, Func<Task<T>> decode)
    {
        try
        {
            return decode().GetAwaiter().GetResult();
        }
        catch (ParquetFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The bytes are already in memory (or the stream open): what fails now is the content, not the disk.
            throw new ParquetFormatException(name, $"not a readable Parquet file ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static long FloorDiv(long a, long b)
    {
        var (q, r) = Math.DivRem(a, b);
        return r < 0 ? q - 1 : q;
    }

    private static void Run(Func<Task> action) => action().GetAwaiter().GetResult();
}
