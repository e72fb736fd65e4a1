namespace SweepCluster.Parquet;

public static class ParquetFile
{
    /// <summary>Writes the table to a temporary name beside path, flushes it to disk, then renames it to path.</summary>
    public static void WriteAtomic(string path, Table table, WriteOptions? options = null) =>
        throw new NotImplementedException("the Parquet writer is being written");

    /// <summary>Reads a whole flat file; throws ParquetFormatException naming the file and the problem.</summary>
    public static Table Read(string path) =>
        throw new NotImplementedException("the Parquet reader is being written");
}
