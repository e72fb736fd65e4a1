namespace SweepCluster.Analysis;

internal static class AtomicFile
{
    /// <summary>
    /// Writes beside path under a temporary name, flushes it to disk, then renames it over path, as the Parquet part
    /// files are written: a browser refreshing report.html while a running sweep rewrites it must never see half a
    /// file, and a crash just after the rename must not leave an empty one.
    /// </summary>
    public static void WriteAllText(string path, string text)
    {
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
