using System.Diagnostics;
using SweepCluster.Integration.Tests.Embedded;

namespace SweepCluster.Integration.Tests.Slurm;

/// <summary>
/// The cluster templates under a real Slurm: `sbatch` of cluster-config/slurm/sweep.sbatch on a one-host Slurm
/// (started by scripts/slurm/start-local-slurm.sh, which scripts/test.sh runs) must run a sweep to the end with the
/// coordinator and a node the script started itself, and leave no node behind.
/// </summary>
public sealed class SlurmJobTests
{
    /// <summary>96 trials of a few milliseconds: the job is about start-up, joining and the end of the sweep.</summary>
    private const string Mini = """
        name: slurm-mini
        experiment:
          model: { kind: two-layer, hidden_bias: true }
          target: { kind: teacher, neurons: [ { a: 1.0, w: [1.0], b: 0.3 } ] }
          data: { input_dim: 1, test_size: 100 }
        training: { max_steps: 2000, loss_tolerance: 1.0e-10 }
        grid:
          init_scale: [1.0e-3]
          width: [1, 2]
          learning_rate: [0.1, 0.3]
          sample_size: { range: [1, 6] }
          seed: { range: [0, 3] }
        """;

    [Fact]
    public async Task The_sweep_job_script_runs_a_sweep_to_the_end_under_sbatch()
    {
        await StartSlurmAsync();
        using var dir = new TempDir();
        var sweepFile = dir.Write("slurm-mini.yaml", Mini);
        var log = Path.Combine(dir.Path, "job.log");
        var port = FreePort();
        var path = AppContext.BaseDirectory.TrimEnd('/') + ":" + Environment.GetEnvironmentVariable("PATH");

        var (code, output) = await RunAsync("sbatch", 300,
            "--wait", "--parsable", "--nodes=1", $"--chdir={dir.Path}", $"--output={log}",
            $"--export=ALL,PATH={path},SWEEP_PORT={port},SWEEP_SLOTS=2",
            EmbeddedSweepTests.RepoFile("cluster-config/slurm/sweep.sbatch"), sweepFile);
        var jobLog = File.Exists(log) ? File.ReadAllText(log) : "(no job log)";
        Assert.True(code == 0, $"sbatch exited {code}: {output}\njob log:\n{jobLog}");

        var rows = Results.Read(Path.Combine(dir.Path, "runs", "slurm-mini"));
        Assert.Equal(96, rows.Count);
        Assert.Equal(96, rows.Select(r => r.Id).Distinct().Count());
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        // The secret file lives only as long as the job, and no node outlives the sweep.
        Assert.Empty(Directory.EnumerateFiles(dir.Path, ".sweep-secret-*"));
        var (_, nodes) = await RunAsync("pgrep", 10, "-af", $"sweep-node .*:{port}");
        Assert.True(string.IsNullOrWhiteSpace(nodes), $"sweep-node processes left after the job: {nodes}\njob log:\n{jobLog}");
    }

    private static async Task StartSlurmAsync()
    {
        var (code, output) = await RunAsync(EmbeddedSweepTests.RepoFile("scripts/slurm/start-local-slurm.sh"), 120);
        Assert.True(code == 0, $"the one-host Slurm did not start (scripts/slurm/start-local-slurm.sh needs root or sudo and "
            + $"Debian's slurm-wlm and munge, which scripts/test.sh installs):\n{output}");
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, int seconds, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} did not finish within {seconds} s: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
