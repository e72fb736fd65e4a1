using System.Diagnostics;
using System.Text;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>Runs the real `sweep` executable (the built sweep.dll beside the tests) as a child process.</summary>
internal sealed class SweepCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SweepCli(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "sweep.dll");

    public int Pid => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static SweepCli Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return new SweepCli(Process.Start(info)!);
    }

    /// <summary>Runs to completion and returns the exit code and everything printed.</summary>
    public static (int ExitCode, string Output) Run(string workingDirectory, params string[] args)
    {
        using var cli = Start(workingDirectory, args);
        var code = cli.WaitForExit(TimeSpan.FromMinutes(4));
        return (code, cli.Output);
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sweep did not exit within {timeout}; output:\n{Output}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to flush, unlike Ctrl+C.</summary>
    public void KillHard() => _process.Kill();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
