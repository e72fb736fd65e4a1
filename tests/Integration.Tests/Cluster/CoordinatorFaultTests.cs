using System.Net.Sockets;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>The coordinator's side of the faults: its own crash, strangers on its port, nodes without the secret.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CoordinatorFaultTests
{
    private const int Patience = NodeFaultTests.Patience;

    [Fact]
    public async Task A_coordinator_killed_and_restarted_loses_nothing_and_the_nodes_hand_their_results_over()
    {
        await using var cluster = new ClusterHarness(NodeFaultTests.SlowSweep("coordinator-kill", seeds: 16)) { TrialDelayMilliseconds = 1500 };
        var first = cluster.StartCoordinator("coordinator 1");
        var n1 = cluster.StartNode("n1", slots: 2);
        var n2 = cluster.StartNode("n2", slots: 2);

        Assert.True(await Signals.WaitUntilAsync(() => cluster.PartFileCount() > 0 && ClusterHarness.IsBusy(n1, 2), Patience), cluster.AllOutput());
        Assert.False(first.HasExited, "the sweep ended before the coordinator could be killed: make the trials slower");
        first.KillHard();

        // The nodes run on: what they finish meanwhile waits in their outboxes for the next coordinator.
        await Task.Delay(2000);
        var second = cluster.StartCoordinator("coordinator 2");
        Assert.True(await second.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.False(n1.HasExited || n2.HasExited, "a node died with its coordinator:\n" + cluster.AllOutput());
        Assert.Contains("registered with sweep coordinator-kill", n1.Output);
        cluster.AssertNoSecretInOutput();
    }

    [Fact]
    public async Task Garbage_bytes_sent_to_the_cluster_port_are_dropped_and_the_sweep_completes()
    {
        await using var cluster = new ClusterHarness(NodeFaultTests.SlowSweep("garbage", seeds: 6));
        var coordinator = cluster.StartCoordinator();
        cluster.StartNode("n1", slots: 2);
        var random = new Random(11);
        for (var i = 0; i < 20; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", cluster.Port);
                var junk = new byte[random.Next(1, 4096)];
                random.NextBytes(junk);
                // Some frames claim a plausible length, so that they reach Akka's decoder and not just the framing.
                if (i % 2 == 0 && junk.Length > 4) BitConverter.TryWriteBytes(junk.AsSpan(0, 4), junk.Length - 4);
                await client.GetStream().WriteAsync(junk);
            }
            catch (SocketException) { }
            await Task.Delay(50);
        }

        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
    }

    [Fact]
    public async Task A_node_without_the_secret_gets_no_work_and_a_public_address_without_a_secret_is_refused()
    {
        await using var cluster = new ClusterHarness(NodeFaultTests.SlowSweep("secret", seeds: 4));
        var coordinator = cluster.StartCoordinator();
        var stranger = cluster.StartNode("stranger", slots: 2, new Dictionary<string, string> { ["SWEEP_SECRET"] = "wrong-secret-4711" });
        Assert.True(await Signals.WaitUntilAsync(() => stranger.Output.Contains("registration refused", StringComparison.Ordinal), 60), cluster.AllOutput());
        Assert.Empty(cluster.ReadRows());
        Assert.DoesNotContain("busy", stranger.Output);
        cluster.StartNode("member", slots: 2);
        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        Assert.All(cluster.AssertEveryTrialExactlyOnce(), r => Assert.Equal("member", r.Node));
        Assert.DoesNotContain("wrong-secret-4711", coordinator.Output + stranger.Output);

        using var refused = ChildProcess.Start("public", "sweep.dll", ["run", cluster.SweepFile, "--runs", Path.Combine(cluster.Folder, "runs2"), "--listen", "0.0.0.0:1"],
            new Dictionary<string, string>());
        Assert.Equal(2, await refused.WaitForExitAsync(60));
        Assert.Contains("not a loopback address and no secret is set", refused.Output);
    }

    [Fact]
    public async Task Tls_by_configuration_with_a_self_signed_certificate_runs_a_sweep_to_the_end()
    {
        await using var cluster = new ClusterHarness(NodeFaultTests.SlowSweep("tls", seeds: 4));
        var pfx = Path.Combine(cluster.Folder, "sweep.pfx");
        OpenSsl(cluster.Folder, "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sweep -keyout key.pem -out cert.pem");
        OpenSsl(cluster.Folder, $"pkcs12 -export -inkey key.pem -in cert.pem -out {pfx} -passout pass:test-pfx");
        // cluster-config/tls.conf with this certificate, on top of the harness's short windows.
        var shipped = File.ReadAllText(EmbeddedSweepTestsRepoFile("cluster-config/tls.conf"))
            .Replace("/etc/sweepcluster/sweep.pfx", pfx, StringComparison.Ordinal).Replace("change-me", "test-pfx", StringComparison.Ordinal);
        var config = Path.Combine(cluster.Folder, "tls.conf");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(cluster.Folder, "akka-test.conf")) + "\n" + shipped);
        var tls = new Dictionary<string, string> { ["SWEEP_AKKA_CONFIG"] = config };

        var coordinator = cluster.StartCoordinator(environment: tls);
        cluster.StartNode("n1", slots: 2, tls);
        Assert.True(await coordinator.WaitForExitAsync(Patience) == 0, cluster.AllOutput());
        Assert.All(cluster.AssertEveryTrialExactlyOnce(), r => Assert.Equal("ok", r.Status));
        Assert.Contains("node n1 registered: 2 slots, at akka.ssl.tcp://", coordinator.Output);
    }

    private static string EmbeddedSweepTestsRepoFile(string relative) => Embedded.EmbeddedSweepTests.RepoFile(relative);

    private static void OpenSsl(string folder, string arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("openssl", arguments) { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        using var openssl = System.Diagnostics.Process.Start(start)!;
        var error = openssl.StandardError.ReadToEnd();
        openssl.WaitForExit();
        Assert.True(openssl.ExitCode == 0, $"openssl {arguments}: {error}");
    }
}
