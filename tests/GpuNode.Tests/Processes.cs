namespace SweepCluster.GpuNode.Tests;

/// <summary>Looks at processes through /proc, as a test sees them from outside.</summary>
internal static class Processes
{
    /// <summary>Whether the process exists and is not a zombie (a zombie runs nothing; its parent just has not reaped it).</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException) { return false; }
    }

    /// <summary>Whether the process is gone within the limit: death by signal is asynchronous.</summary>
    public static async Task<bool> GoneWithin(int pid, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (Alive(pid))
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>Waits until a program has written a file (a pid), up to 30 s.</summary>
    public static async Task WaitForFile(string path)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(File.Exists(path) && new FileInfo(path).Length > 0))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{path} did not appear within 30 s");
            await Task.Delay(50);
        }
        await Task.Delay(50);
    }
}
