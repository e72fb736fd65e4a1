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
        if (options.RowGroupRows < 1) throw new ArgumentOutOfRangeException(nameof(options), options.RowGroupRows, "RowGroupRows must be at least 1");
        ParquetCodec.Write(stream, table, options);
    }

    /// <summary>Reads a whole flat file; throws ParquetFormatException naming the file and the problem.</summary>
    public static Table Read(string path) => ParquetCodec.Read(path, File.ReadAllBytes(path), columns: null);

    /// <summary>Reads only the named columns (in file order); a name the file lacks is a ParquetFormatException.</summary>
    public static Table Read(string path, IReadOnlyCollection<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return ParquetCodec.Read(path, File.ReadAllBytes(path), columns);
    }

    /// <summary>Reads only the footer's schema, without decoding the data.</summary>
    public static IReadOnlyList<ColumnSchema> ReadSchema(string path)
    {
        var bytes = File.ReadAllBytes(path);
        FooterCheck.Check(path, bytes);
        using var stream = new BoundedStream(bytes);
        return ParquetCodec.ReadSchema(path, stream);
    }

    /// <summary>Reads Parquet bytes already in memory; name is used in error messages.</summary>
    public static Table Read(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ParquetCodec.Read(name, bytes, columns: null);
    }
}
