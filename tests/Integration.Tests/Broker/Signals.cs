using System.Diagnostics;

namespace SweepCluster.Integration.Tests.Broker;

/// <summary>
/// POSIX signals through kill(1): .NET's Process.Kill only sends SIGKILL, a broker must be stopped with SIGTERM,
/// and LibraryImport would need unsafe code in the test project.
/// </summary>
internal static class Signals
{
    public static void Terminate(int pid) => Send(pid, "TERM");

    private static void Send(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", pid.ToString() }, RedirectStandardError = true })!;
        var error = kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {pid} failed: {error}");
    }
}
