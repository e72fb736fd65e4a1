using System.Collections.Concurrent;
using System.Diagnostics;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// Starts programs so that none outlives the node. Each program is started as
/// `setsid -- setpriv --pdeathsig KILL -- COMMAND…` (util-linux): setsid makes it the leader of a new session and process
/// group, whose id is its pid, so the group can be killed as a whole; the parent-death signal kills the program itself
/// the moment the node dies, even by SIGKILL. The kernel sends that signal when the *thread* that forked the child
/// exits, not the process, so every program is forked from this class's one thread, which lives as long as the node
/// (thread-pool threads come and go and would kill programs at random).
///
/// Grandchildren (DataLoader workers, torchrun's ranks) carry no parent-death signal of their own. A watchdog shell,
/// started once in a session of its own, reads "+PGID" and "-PGID" lines from a pipe whose only writer is the node;
/// when the node dies the kernel closes that pipe, the watchdog reads end-of-file and kills every process group still
/// registered. A grandchild that leaves its group (setsid, daemonizing) escapes both; docs/programs.md says so.
/// </summary>
internal sealed class ProgramLauncher
{
    private static readonly Lazy<ProgramLauncher> s_shared = new(() => new ProgramLauncher(), LazyThreadSafetyMode.ExecutionAndPublication);

    private const string WatchdogScript = """
        trap '' INT TERM HUP QUIT
        groups=' '
        while IFS= read -r line; do
          case "$line" in
            +*) groups="$groups${line#+} " ;;
            -*) kept=' '; for g in $groups; do [ "$g" = "${line#-}" ] || kept="$kept$g "; done; groups=$kept ;;
          esac
        done
        for g in $groups; do kill -9 -"$g" 2>/dev/null; done
        """;

    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> _requests = new();
    private readonly Process _watchdog;
    private readonly Lock _watchLock = new();
    private readonly bool _parentDeathSignal;

    /// <summary>The node's one launcher; the first call checks that setsid and setpriv exist.</summary>
    public static ProgramLauncher Shared => s_shared.Value;

    private ProgramLauncher()
    {
        foreach (var tool in (ReadOnlySpan<string>)["setsid", "sh"])
            if (FindOnPath(tool) is null)
                throw new InvalidOperationException($"'{tool}' was not found on PATH; program trials need util-linux's setsid and sh to keep programs from outliving the node");
        new Thread(Loop) { IsBackground = true, Name = "program launcher" }.Start();
        // An older util-linux has setpriv without --pdeathsig: the watchdog alone then kills the programs' groups.
        _parentDeathSignal = FindOnPath("setpriv") is not null && Help("setpriv").Contains("--pdeathsig", StringComparison.Ordinal);
        var watchdog = new ProcessStartInfo("setsid", ["--", "sh", "-c", WatchdogScript])
        {
            RedirectStandardInput = true, UseShellExecute = false,
        };
        _watchdog = StartAsync(watchdog).GetAwaiter().GetResult();
    }

    /// <summary>Starts a process on the launcher thread. The caller registers its group with Watch when it is a program.</summary>
    public Task<Process> StartAsync(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((start, started));
        return started.Task;
    }

    /// <summary>Wraps a command so that it leads a new process group and dies with the node.</summary>
    public ProcessStartInfo Wrap(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("--");
        if (_parentDeathSignal)
            foreach (var argument in (ReadOnlySpan<string>)["setpriv", "--pdeathsig", "KILL", "--"]) start.ArgumentList.Add(argument);
        foreach (var argument in command) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>From now on, the node's death kills this process group.</summary>
    public void Watch(int processGroup) => Tell($"+{processGroup}");

    /// <summary>The group is gone (its leader reaped, its rest killed): the watchdog forgets it.</summary>
    public void Forget(int processGroup) => Tell($"-{processGroup}");

    private void Tell(string line)
    {
        lock (_watchLock)
        {
            try
            {
                _watchdog.StandardInput.WriteLine(line);
                _watchdog.StandardInput.Flush();
            }
            catch (IOException)
            {
                // The watchdog was killed by hand: programs still die with the node by their parent-death signal,
                // only their children lose this second net. Not a reason to fail a trial.
            }
        }
    }

    private void Loop()
    {
        foreach (var (start, started) in _requests.GetConsumingEnumerable())
        {
            try { started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start")); }
            catch (Exception e) { started.SetException(e); }
        }
    }

    private static string Help(string tool)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, ["--help"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
        if (process is null) return "";
        var stderr = process.StandardError.ReadToEndAsync();
        var help = process.StandardOutput.ReadToEnd() + stderr.GetAwaiter().GetResult();
        process.WaitForExit();
        return help;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
}
