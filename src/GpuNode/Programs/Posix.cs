using System.Runtime.InteropServices;

namespace SweepCluster.GpuNode.Programs;

/// <summary>The two system calls .NET's Process does not offer: signalling a whole process group, and naming a signal.</summary>
internal static class Posix
{
    public const int SigKill = 9;

    /// <summary>Sends SIGKILL to every process of a group; a group already gone is not an error.</summary>
    public static void KillGroup(int processGroup)
    {
        if (processGroup <= 1) throw new ArgumentOutOfRangeException(nameof(processGroup), processGroup, "a process group id above 1");
        _ = kill(-processGroup, SigKill);
    }

    /// <summary>Whether any process of the group still exists (zombies excluded: they hold no GPU and no memory).</summary>
    public static bool GroupAlive(int processGroup)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            // Fields after the command (which may hold spaces and parentheses): state ppid pgrp ...
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (rest.Length > 2 && rest[0] != "Z" && int.TryParse(rest[2], out var group) && group == processGroup) return true;
        }
        return false;
    }

    /// <summary>"SIGSEGV" for 11; the number alone for signals without a common name.</summary>
    public static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 4 => "SIGILL", 5 => "SIGTRAP", 6 => "SIGABRT", 7 => "SIGBUS",
        8 => "SIGFPE", 9 => "SIGKILL", 10 => "SIGUSR1", 11 => "SIGSEGV", 12 => "SIGUSR2", 13 => "SIGPIPE",
        14 => "SIGALRM", 15 => "SIGTERM", 24 => "SIGXCPU", 25 => "SIGXFSZ", 31 => "SIGSYS",
        _ => $"signal {signal}",
    };

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
