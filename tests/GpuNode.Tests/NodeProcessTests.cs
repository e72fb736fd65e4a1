using System.Globalization;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>
/// The real `sweep-node` process with --gpus, joined to a FakeCoordinator over Akka.Cluster: its GPUs reach the
/// programs and the heartbeats, SIGKILL leaves no program behind, SIGTERM hands the trial back, and bad flags are
/// exit 2 with one line.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string RunDirectory => Path.Combine(_folder.Path, "runs", Specs.Sweep);

    public NodeProcessTests() => Directory.CreateDirectory(RunDirectory);

    public void Dispose() => _folder.Dispose();

    // Each program writes its pid, its child's pid and the GPU it sees into its own folder, then waits for ever.
    private static readonly string[] Sleeper = ["sh", "-c",
        "echo \"$CUDA_VISIBLE_DEVICES\" > \"$SWEEP_TRIAL_DIR/gpu\"; sleep 300 & echo $! > \"$SWEEP_TRIAL_DIR/child.pid\"; echo $$ > \"$SWEEP_TRIAL_DIR/program.pid\"; wait"];

    [Fact]
    public async Task A_SIGKILLed_sweep_node_leaves_none_of_its_programs_running_and_each_saw_its_own_GPU()
    {
        var specs = new[] { Specs.Program(_folder.Path, RunDirectory, Sleeper, seed: 1), Specs.Program(_folder.Path, RunDirectory, Sleeper, seed: 2) };
        await using var coordinator = new ClusterCoordinator(specs);
        using var node = NodeProcess.Start(["--coordinator", coordinator.Address, "--gpus", "7,9", "--heartbeat", "0.2", "--node-id", "gpu-node"]);
        var pids = new List<int>();
        try
        {
            foreach (var spec in specs)
            {
                var folder = Path.Combine(RunDirectory, "trials", spec.Id.Value);
                await Processes.WaitForFile(Path.Combine(folder, "program.pid"));
                pids.Add(Pid(folder, "program.pid"));
                pids.Add(Pid(folder, "child.pid"));
            }
            var seen = specs.Select(s => File.ReadAllText(Path.Combine(RunDirectory, "trials", s.Id.Value, "gpu")).Trim()).Order().ToArray();
            Assert.Equal(["7", "9"], seen);
            Assert.True(await Eventually.True(() => coordinator.Log.Heartbeats.Any(h => h.BusyGpus is ["7", "9"]), 20),
                $"no heartbeat over the wire named GPUs 7 and 9. The node's output:\n{node.Output}");

            // `sweep status` prints each node's busy GPUs, as its heartbeat named them.
            var (code, status) = await NodeProcess.RunAsync(["status", StatusRunFolder(), "--coordinator", coordinator.Address], dll: "sweep.dll");
            Assert.True(code == 0, status);
            Assert.Matches(@"gpu-node\s+\S+\s+2\s+2\s+0\s+[\d.]+ s ago\s+7,9", status);

            node.KillHard();

            foreach (var pid in pids)
                Assert.True(await Processes.GoneWithin(pid, TimeSpan.FromSeconds(10)), $"process {pid} outlived its SIGKILLed node");
        }
        finally
        {
            foreach (var pid in pids) if (Processes.Alive(pid)) Programs.Posix.KillGroup(pid);
        }
    }

    [Fact]
    public async Task SIGTERM_hands_the_trial_back_and_kills_its_program()
    {
        var spec = Specs.Program(_folder.Path, RunDirectory, Sleeper, seed: 3);
        await using var coordinator = new ClusterCoordinator([spec]);
        using var node = NodeProcess.Start(["--coordinator", coordinator.Address, "--gpus", "7", "--heartbeat", "0.2"]);
        var folder = Path.Combine(RunDirectory, "trials", spec.Id.Value);
        await Processes.WaitForFile(Path.Combine(folder, "program.pid"));
        int[] pids = [Pid(folder, "program.pid"), Pid(folder, "child.pid")];

        node.Terminate();

        Assert.Equal(0, await node.WaitForExitAsync(30));
        Assert.Contains("running trials handed back", node.Output);
        Assert.Equal([spec.Id], coordinator.Log.Returned);
        Assert.Empty(coordinator.Log.Results);
        foreach (var pid in pids)
            Assert.True(await Processes.GoneWithin(pid, TimeSpan.FromSeconds(10)), $"process {pid} outlived its stopped node");
    }

    [Theory]
    [InlineData("--gpus 7,9 --slots 3", "sweep-node: --slots is 3 but --gpus 7,9 with --slots-per-gpu 1 makes 2 slots (2 GPUs × 1); leave --slots out or give 2")]
    [InlineData("--gpus 0 --slots-per-gpu 2 --slots 1", "sweep-node: --slots is 1 but --gpus 0 with --slots-per-gpu 2 makes 2 slots (1 GPU × 2); leave --slots out or give 2")]
    [InlineData("--gpus 0,,1", "sweep-node: --gpus is '0,,1'; expected 'all' or GPU indices or UUIDs separated by commas, e.g. 0,1,2,3 (bad item '')")]
    [InlineData("--gpus 1 --slots-per-gpu 0", "sweep-node: --slots-per-gpu is '0'; expected a whole number of programs per GPU, 1 or more")]
    [InlineData("--slots-per-gpu 2", "sweep-node: --slots-per-gpu needs --gpus: without GPUs there is nothing to share")]
    [InlineData("--slots 0", "sweep-node: --slots is 0; expected a positive number of slots")]
    public async Task Bad_GPU_and_slot_flags_are_exit_2_with_one_line_naming_the_flag_and_the_value(string args, string expected)
    {
        var (code, output) = await NodeProcess.RunAsync(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal(expected, output.Trim());
    }

    [Theory]
    [InlineData("--gpus 7,9 --slots 3", "sweep run: --slots is 3 but --gpus 7,9 with --slots-per-gpu 1 makes 2 slots (2 GPUs × 1); leave --slots out or give 2")]
    [InlineData("--gpus 7;9", "sweep run: --gpus is '7;9'; expected 'all' or GPU indices or UUIDs separated by commas, e.g. 0,1,2,3 (bad item '7;9')")]
    [InlineData("--slots-per-gpu 2", "sweep run: --slots-per-gpu needs --gpus: without GPUs there is nothing to share")]
    [InlineData("--gpus 0 --listen 127.0.0.1:4053", "sweep run: --gpus 0 is for the embedded node, and --listen runs none; give --gpus to each sweep-node instead")]
    public async Task Sweep_run_checks_the_embedded_nodes_GPU_flags_as_sweep_node_does(string args, string expected)
    {
        var (code, output) = await NodeProcess.RunAsync(["run", Path.Combine(_folder.Path, "never-read.yaml"), .. args.Split(' ')], dll: "sweep.dll");
        Assert.Equal(2, code);
        Assert.Equal(expected, output.Trim());
    }

    /// <summary>
    /// A node that listens on its coordinator's own address (the OS can hand a node the port of a coordinator that does not
    /// listen yet) would form a cluster of its own; it takes another port, and with a port fixed on that address it stops.
    /// </summary>
    [Fact]
    public async Task A_node_never_stays_on_the_coordinators_own_address()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var fixedPort = _folder.File("fixed-port.conf", $"akka.remote.dot-netty.tcp.port = {port}\n");

        var (code, output) = await NodeProcess.RunAsync(["--coordinator", $"127.0.0.1:{port}", "--node-id", "clash"],
            new Dictionary<string, string> { ["SWEEP_AKKA_CONFIG"] = fixedPort });

        Assert.Equal(1, code);
        Assert.Contains($"got the coordinator's own port {port} before it listens; taking another", output, StringComparison.Ordinal);
        Assert.Contains($"this node listens on the coordinator's own address 127.0.0.1:{port} every time (5 tries)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gpus_all_without_nvidia_smi_or_without_GPUs_is_exit_2_saying_so()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_folder.Path, "bin-empty")).FullName;
        var (code, output) = await NodeProcess.RunAsync(["--gpus", "all"], new Dictionary<string, string> { ["PATH"] = empty });
        Assert.Equal(2, code);
        Assert.StartsWith("sweep-node: --gpus all: nvidia-smi was not found on PATH, so this machine's GPUs cannot be listed", output.Trim());

        // An nvidia-smi that lists nothing: a machine whose driver sees no GPU.
        var bin = Directory.CreateDirectory(Path.Combine(_folder.Path, "bin")).FullName;
        var fake = Path.Combine(bin, "nvidia-smi");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        (code, output) = await NodeProcess.RunAsync(["--gpus", "all"], new Dictionary<string, string> { ["PATH"] = $"{bin}:/usr/bin:/bin" });
        Assert.Equal(2, code);
        Assert.Equal("sweep-node: --gpus all: nvidia-smi -L lists no GPU on this machine; leave --gpus out to run programs on the CPU", output.Trim());
        (code, output) = await NodeProcess.RunAsync(["run", Path.Combine(_folder.Path, "never-read.yaml"), "--gpus", "all"],
            new Dictionary<string, string> { ["PATH"] = $"{bin}:/usr/bin:/bin" }, "sweep.dll");
        Assert.Equal(2, code);
        Assert.Equal("sweep run: --gpus all: nvidia-smi -L lists no GPU on this machine; leave --gpus out to run programs on the CPU", output.Trim());
    }

    /// <summary>A run folder `sweep status` accepts: a copy of a sweep file, no results yet.</summary>
    private string StatusRunFolder()
    {
        var run = Directory.CreateDirectory(Path.Combine(_folder.Path, "runs", "status")).FullName;
        File.WriteAllText(Path.Combine(run, "sweep.yaml"), """
            name: status
            experiment:
              model: { kind: linear-nl }
              target: { kind: linear, coefficients: [1.0, 0.0], intercept: 1 }
              data: { input_dim: 2, inputs: gaussian, test_size: 1 }
            training: { optimizer: gd, max_steps: 1 }
            grid:
              init_scale: [0.1]
              learning_rate: [0.01]
              sample_size: [1]
              seed: [0]
            """);
        return run;
    }

    private static int Pid(string folder, string file) => int.Parse(File.ReadAllText(Path.Combine(folder, file)).Trim(), CultureInfo.InvariantCulture);
}
