namespace SweepCluster.Analysis;

internal static class AtomicFile
{
    // A browser refreshing report.html while a running sweep rewrites it must never see half a file.
    public static void WriteAllText(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
