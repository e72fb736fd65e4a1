using System.Diagnostics;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>
/// POSIX signals through kill(1): .NET's Process.Kill only sends SIGKILL, and LibraryImport would need unsafe code
/// in the test project.
/// </summary>
internal static class Signals
{
    public static void Terminate(int pid) => Send(pid, "TERM");
    public static void Freeze(int pid) => Send(pid, "STOP");
    public static void Thaw(int pid) => Send(pid, "CONT");

    private static void Send(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", pid.ToString() }, RedirectStandardError = true })!;
        var error = kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {pid} failed: {error}");
    }

    /// <summary>Polls until the condition holds; false after the given seconds.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, int seconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (condition()) return true;
            await Task.Delay(50);
        }
        return condition();
    }
}
