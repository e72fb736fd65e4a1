using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using SweepCluster.Hosting;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>
/// The real `sweep-node` (sweep-node.dll beside the tests), or `sweep` (sweep.dll), as a child process, its output kept
/// for failure messages.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static NodeProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string dll = "sweep-node.dll")
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = new Process { StartInfo = start };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Runs to its end and returns the exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string dll = "sweep-node.dll")
    {
        using var node = Start(args, environment, dll);
        return (await node.WaitForExitAsync(60), node.Output);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>SIGKILL: no handler of the node runs.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, through kill(1): Process.Kill only sends SIGKILL.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync(int seconds)
    {
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(seconds)); }
        catch (TimeoutException) { Assert.Fail($"{_process.StartInfo.ArgumentList[0]} did not exit within {seconds} s. Its output:\n{Output}"); }
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

/// <summary>A FakeCoordinator as the seed of a one-member Akka cluster on loopback, for real `sweep-node` processes to join.</summary>
internal sealed class ClusterCoordinator : IAsyncDisposable
{
    private readonly ActorSystem _system;

    public ClusterCoordinator(IReadOnlyList<TrialSpec> trials)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _system = ActorSystem.Create(AkkaConfig.SystemName, AkkaConfig.Cluster("127.0.0.1", Port, Address, AkkaConfig.CoordinatorRole));
        var log = Log;
        _system.ActorOf(Props.Create(() => new FakeCoordinator(trials, log)), AkkaConfig.SweepActorName);
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public CoordinatorLog Log { get; } = new();

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
