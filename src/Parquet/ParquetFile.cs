namespace SweepCluster.Parquet;

public static class ParquetFile
{
    /// <summary>Writes the table to a temporary name beside path, flushes it to disk, then renames it to path.</summary>
    public static void WriteAtomic(string path, Table table, WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new WriteOptions();
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory");
        // A hidden name in the same directory: the rename stays on one file system (atomic) and globs
        // such as part-*.parquet never see a half-written file.
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream, table, options);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes the table as Parquet to a stream, in row groups of options.RowGroupRows rows.</summary>
    public static void Write(Stream stream, Table table, WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(table);
        options ??= new WriteOptions();
        var writer = new ParquetWriter(stream, table.Schema, options);
        for (var start = 0; start < table.RowCount; start += options.RowGroupRows)
            writer.WriteRowGroup(table, start, Math.Min(options.RowGroupRows, table.RowCount - start));
        writer.Finish();
    }

    /// <summary>Reads a whole flat file; throws ParquetFormatException naming the file and the problem.</summary>
    public static Table Read(string path) => new ParquetReader(path, File.ReadAllBytes(path)).ReadTable();

    /// <summary>Reads only the named columns (in file order); a name the file lacks is a ParquetFormatException.</summary>
    public static Table Read(string path, IReadOnlyCollection<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return new ParquetReader(path, File.ReadAllBytes(path)).ReadTable(columns);
    }

    /// <summary>Reads only the footer's schema, without reading the data.</summary>
    public static IReadOnlyList<ColumnSchema> ReadSchema(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (stream.Length < 12) throw new ParquetFormatException(path, $"only {stream.Length} bytes, too short for Parquet (truncated?)");
        Span<byte> tail = stackalloc byte[8];
        stream.Seek(-8, SeekOrigin.End);
        stream.ReadExactly(tail);
        var footerLength = BitConverter.ToInt32(tail);
        if (footerLength <= 0 || footerLength > stream.Length - 12)
            return new ParquetReader(path, File.ReadAllBytes(path)).ReadSchema(); // let the reader name the problem
        // The reader only needs the magic, the footer and its length to parse the schema.
        var bytes = new byte[footerLength + 12];
        stream.Seek(0, SeekOrigin.Begin);
        stream.ReadExactly(bytes.AsSpan(0, 4));
        stream.Seek(-8 - footerLength, SeekOrigin.End);
        stream.ReadExactly(bytes.AsSpan(4, footerLength + 8));
        return new ParquetReader(path, bytes).ReadSchema();
    }

    /// <summary>Reads Parquet bytes already in memory; name is used in error messages.</summary>
    public static Table Read(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new ParquetReader(name, bytes).ReadTable();
    }
}
