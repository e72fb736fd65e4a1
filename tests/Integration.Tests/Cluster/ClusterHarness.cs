using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Hosting;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>One row of results/part-*.parquet, as much of it as these tests check.</summary>
internal sealed record ResultRow(string TrialId, string Status, int Attempt, string Node, string? Error);

/// <summary>
/// A coordinator (`sweep run --listen 127.0.0.1:PORT`) and nodes (`sweep-node --coordinator …`) as real processes on
/// loopback, with a run folder in a temporary directory. The failure detector and the split-brain resolver run with
/// the shorter windows of TestAkkaConfig so that a crash is noticed in about two seconds. The secret travels in the
/// environment, never on the command line.
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    public const string Secret = "test-secret-0f3c9a";

    /// <summary>Shorter than cluster-config/akka.conf's: failures are noticed in ~2 s, a frozen node downed ~2 s later.</summary>
    private const string TestAkkaConfig = """
        akka.cluster.failure-detector.heartbeat-interval = 300ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 1200ms
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.remote.retry-gate-closed-for = 500ms
        """;

    private readonly ConcurrentBag<ChildProcess> _processes = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _supervisors = [];
    private readonly string _akkaConfig;

    /// <param name="files">Files beside the sweep file (a program's script), written before the trials are planned: a program's hash is part of its trial ids.</param>
    public ClusterHarness(string sweepYaml, IReadOnlyDictionary<string, string>? files = null)
    {
        Folder = Directory.CreateTempSubdirectory("sweep-cluster-").FullName;
        foreach (var (name, text) in files ?? new Dictionary<string, string>()) File.WriteAllText(Path.Combine(Folder, name), text);
        SweepFile = Path.Combine(Folder, "sweep.yaml");
        File.WriteAllText(SweepFile, sweepYaml);
        Sweep = SweepFileParser.Load(SweepFile);
        Trials = TrialPlanner.Expand(Sweep);
        Port = FreePort();
        _akkaConfig = Path.Combine(Folder, "akka-test.conf");
        File.WriteAllText(_akkaConfig, TestAkkaConfig);
    }

    public string Folder { get; }
    public string SweepFile { get; }
    public SweepFile Sweep { get; }
    public IReadOnlyList<TrialSpec> Trials { get; }
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public string RunFolder => Path.Combine(Folder, "runs", Sweep.Name);
    public IEnumerable<ChildProcess> Processes => _processes;

    /// <summary>When set, nodes started afterwards hold every trial at least this long (TrialRunner's test hook).</summary>
    public int? TrialDelayMilliseconds { get; set; }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string> { [SharedSecret.Variable] = Secret, [AkkaConfig.OverrideVariable] = _akkaConfig };
        if (TrialDelayMilliseconds is { } delay) env[GpuNode.TrialRunner.DelayHookVariable] = delay.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        return env;
    }

    public ChildProcess StartCoordinator(string name = "coordinator", IReadOnlyDictionary<string, string>? environment = null) => Track(ChildProcess.Start(name, "sweep.dll",
        ["run", SweepFile, "--runs", Path.Combine(Folder, "runs"), "--listen", Address, "--flush-seconds", "0.3"], Environment(environment)));

    public ChildProcess StartStatus() => Track(ChildProcess.Start("status", "sweep.dll",
        ["status", RunFolder, "--coordinator", Address], Environment()));

    /// <summary>
    /// False: nodes train one trial per slot (`--no-batch`), so every trial waits the trial delay itself; batched, a
    /// whole batch waits it once and a sweep can end before a test's schedule of kills has run.
    /// </summary>
    public bool NodeBatching { get; init; } = true;

    /// <summary>A node with this many slots; with gpus (`--gpus`), as many slots as GPUs instead.</summary>
    public ChildProcess StartNode(string name, int slots, IReadOnlyDictionary<string, string>? environment = null, string? gpus = null) =>
        Track(ChildProcess.Start(name, "sweep-node.dll",
            ["--coordinator", Address, .. gpus is null ? new[] { "--slots", slots.ToString() } : ["--gpus", gpus], "--node-id", name, "--heartbeat", "0.3", "--verbose",
                .. NodeBatching ? Array.Empty<string>() : ["--no-batch"]],
            Environment(environment)));

    /// <summary>A node restarted whenever it exits, as systemd's Restart=always or a Slurm requeue would.</summary>
    public void StartSupervisedNode(string name, int slots, IReadOnlyDictionary<string, string>? environment = null)
    {
        _supervisors.Add(Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                var node = StartNode(name, slots, environment);
                try { await node.WaitForExitAsync(3600).WaitAsync(_stopping.Token); }
                catch (OperationCanceledException) { return; }
            }
        }));
    }

    private ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public int PartFileCount() =>
        Directory.Exists(Path.Combine(RunFolder, "results")) ? Directory.GetFiles(Path.Combine(RunFolder, "results"), "part-*.parquet").Length : 0;

    /// <summary>Every row of every part file, duplicates included: exactly-once is what the tests check.</summary>
    public IReadOnlyList<ResultRow> ReadRows()
    {
        var rows = new List<ResultRow>();
        if (!Directory.Exists(Path.Combine(RunFolder, "results"))) return rows;
        foreach (var file in Directory.GetFiles(Path.Combine(RunFolder, "results"), "part-*.parquet"))
        {
            var table = ParquetFile.Read(file);
            T[] Column<T>(string name) => (T[])table.Columns[table.IndexOf(name)];
            var ids = Column<string?>(ResultColumns.TrialId);
            var statuses = Column<string?>(ResultColumns.Status);
            var attempts = Column<int?>(ResultColumns.Attempt);
            var nodes = Column<string?>(ResultColumns.Node);
            var errors = Column<string?>(ResultColumns.Error);
            for (var i = 0; i < table.RowCount; i++)
                rows.Add(new ResultRow(ids[i]!, statuses[i]!, attempts[i] ?? 0, nodes[i] ?? "", errors[i]));
        }
        return rows;
    }

    /// <summary>The property every fault test ends with: each trial of the grid exactly once in the results.</summary>
    public IReadOnlyList<ResultRow> AssertEveryTrialExactlyOnce()
    {
        var rows = ReadRows();
        var duplicates = rows.GroupBy(r => r.TrialId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"trials recorded more than once: {string.Join(", ", duplicates)}\n{AllOutput()}");
        Assert.Equal(Trials.Select(t => t.Id.Value).Order(), rows.Select(r => r.TrialId).Order());
        return rows;
    }

    /// <summary>No process printed the secret, whatever happened to it.</summary>
    public void AssertNoSecretInOutput()
    {
        foreach (var p in _processes) Assert.DoesNotContain(Secret, p.Output);
    }

    /// <summary>True once the node has logged that all its slots are busy.</summary>
    public static bool IsBusy(ChildProcess node, int slots) => node.Output.Contains($"busy {slots}/{slots}", StringComparison.Ordinal);

    public string AllOutput() => string.Join("\n", _processes.Select(p => $"=== {p.Name} (pid {p.Pid}) ===\n{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_supervisors);
        foreach (var p in _processes) p.Dispose();
        _stopping.Dispose();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
