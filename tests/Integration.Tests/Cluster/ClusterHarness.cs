using System.Collections.Concurrent;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Integration.Tests.Broker;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>One row of results/part-*.parquet, as much of it as these tests check.</summary>
internal sealed record ResultRow(string TrialId, string Status, int Attempt, string Node, string? Error);

/// <summary>
/// A coordinator and nodes as real processes on one vhost of the shared broker, with a run folder in a temporary
/// directory. Credentials travel in the environment (as the docs recommend), never on the command line.
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    private readonly BrokerFixture _broker;
    private readonly ConcurrentBag<ChildProcess> _processes = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _supervisors = [];

    public ClusterHarness(BrokerFixture broker, string sweepYaml)
    {
        _broker = broker;
        Vhost = broker.NewVhost();
        Folder = Directory.CreateTempSubdirectory("sweep-cluster-").FullName;
        SweepFile = Path.Combine(Folder, "sweep.yaml");
        File.WriteAllText(SweepFile, sweepYaml);
        Sweep = SweepFileParser.Load(SweepFile);
        Trials = TrialPlanner.Expand(Sweep);
    }

    public string Vhost { get; }
    public string Folder { get; }
    public string SweepFile { get; }
    public SweepFile Sweep { get; }
    public IReadOnlyList<TrialSpec> Trials { get; }
    public string RunFolder => Path.Combine(Folder, "runs", Sweep.Name);
    public string BrokerUri => $"amqp://127.0.0.1:{_broker.Port}/{Vhost}";
    public IEnumerable<ChildProcess> Processes => _processes;

    public RabbitOptions Options => RabbitOptions.From(_broker.Uri(Vhost), _ => null);

    /// <summary>When set, nodes started afterwards hold every trial at least this long (TrialRunner's test hook).</summary>
    public int? TrialDelayMilliseconds { get; set; }

    private Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? extra)
    {
        var env = new Dictionary<string, string>
        {
            [RabbitOptions.UserVariable] = BrokerFixture.User,
            [RabbitOptions.PasswordVariable] = BrokerFixture.Password,
        };
        if (TrialDelayMilliseconds is { } delay) env[GpuNode.TrialRunner.DelayHookVariable] = delay.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        return env;
    }

    public ChildProcess StartCoordinator(string name = "coordinator") => Track(ChildProcess.Start(name, "sweep.dll",
        ["run", SweepFile, "--runs", Path.Combine(Folder, "runs"), "--broker", BrokerUri, "--flush-seconds", "0.3"], Environment(null)));

    public ChildProcess StartStatus() => Track(ChildProcess.Start("status", "sweep.dll",
        ["status", RunFolder, "--broker", BrokerUri], Environment(null)));

    /// <param name="fastHeartbeat">Every 10 ms instead of 300: for measuring when a node starts a trial.</param>
    public ChildProcess StartNode(string name, int slots, IReadOnlyDictionary<string, string>? environment = null, bool fastHeartbeat = false) =>
        Track(ChildProcess.Start(name, "sweep-node.dll",
            ["--broker", BrokerUri, "--slots", slots.ToString(), "--node-id", name, "--heartbeat", fastHeartbeat ? "0.01" : "0.3"], Environment(environment)));

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
        Assert.True(duplicates.Count == 0, $"trials recorded more than once: {string.Join(", ", duplicates)}");
        Assert.Equal(Trials.Select(t => t.Id.Value).Order(), rows.Select(r => r.TrialId).Order());
        return rows;
    }

    /// <summary>No process printed the broker password, whatever happened to it.</summary>
    public void AssertNoPasswordInOutput()
    {
        foreach (var p in _processes) Assert.DoesNotContain(BrokerFixture.Password, p.Output);
    }

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
