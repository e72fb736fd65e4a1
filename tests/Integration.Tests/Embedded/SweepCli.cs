namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>The real `sweep` executable (the built sweep.dll beside the tests), run as a child process.</summary>
internal static class SweepCli
{
    public static ChildProcess Start(params string[] args) =>
        ChildProcess.Start("sweep", "sweep.dll", args, new Dictionary<string, string>());

    /// <summary>Runs to completion and returns the exit code and everything printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        using var sweep = Start(args);
        var code = sweep.WaitForExitAsync(240).GetAwaiter().GetResult();
        return (code, sweep.Output);
    }
}
