using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace SweepCluster.Integration.Tests.Broker;

/// <summary>
/// One throwaway RabbitMQ broker per test run, on a free loopback port with its state in a temporary folder, started
/// with scripts/rabbitmq/start-throwaway-broker.sh (which installs rabbitmq-server when it is missing). Tests isolate
/// themselves by taking a fresh vhost each; the vhosts and users are created at boot from a definitions file, because
/// each rabbitmqctl call costs a second of CPU.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public const string User = "sweeper";
    /// <summary>Deliberately distinctive, so that a leak into a log or an exception message is found by a search.</summary>
    public const string Password = "pw-Zq8Lk2Xv-never-log-me";

    private const int VhostCount = 60;
    private int _nextVhost;

    public BrokerFixture()
    {
        Folder = Directory.CreateTempSubdirectory("sweep-broker-").FullName;
        Port = FreePort();
        TlsPort = FreePort();
    }

    public string Folder { get; }
    public int Port { get; }
    /// <summary>amqps on this port, with a server certificate for "localhost" signed by <see cref="TlsCaFile"/>.</summary>
    public int TlsPort { get; }
    public string TlsCaFile => Path.Combine(Folder, "tls", "ca.pem");
    public string PidFile => Path.Combine(Folder, "rabbit.pid");

    /// <summary>A vhost no other test uses.</summary>
    public string NewVhost()
    {
        var n = Interlocked.Increment(ref _nextVhost);
        if (n > VhostCount) throw new InvalidOperationException($"more than {VhostCount} vhosts taken: raise VhostCount");
        return $"v{n:00}";
    }

    /// <summary>The broker's URI for a vhost, with the test user's credentials in it.</summary>
    public string Uri(string vhost) => $"amqp://{User}:{Password}@127.0.0.1:{Port}/{vhost}";

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "definitions.json"), Definitions());
        TestCertificates.WriteCaAndServer(Path.Combine(Folder, "tls"), "localhost");
        await StartAsync();
    }

    public async Task StartAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "rabbitmq", "start-throwaway-broker.sh");
        var start = new ProcessStartInfo("bash") { ArgumentList = { script, Folder, Port.ToString(), "--definitions", Path.Combine(Folder, "definitions.json"), "--tls-port", TlsPort.ToString() }, RedirectStandardError = true, RedirectStandardOutput = true };
        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"start-throwaway-broker.sh failed ({process.ExitCode}): {await stderr}");
        }
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>SIGTERM to the broker, a clean stop that keeps durable queues and persistent messages.</summary>
    public async Task StopAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(PidFile) && DateTime.UtcNow < deadline) await Task.Delay(100);
        var pid = int.Parse((await File.ReadAllTextAsync(PidFile)).Trim());
        using var process = Process.GetProcessById(pid);
        Signals.Terminate(pid);
        await process.WaitForExitAsync();
        File.Delete(PidFile);
    }

    /// <summary>Evaluates an Erlang expression inside the running broker (rabbitmqctl eval) and returns what it printed.</summary>
    public async Task<string> EvalAsync(string expression)
    {
        var ctl = new ProcessStartInfo("/usr/lib/rabbitmq/bin/rabbitmqctl")
        {
            ArgumentList = { "-n", $"throwaway-{Port}@localhost", "eval", expression },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        ctl.Environment["HOME"] = Path.Combine(Folder, "home"); // the Erlang cookie
        ctl.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Folder, "rabbitmq-env.conf");
        using var process = Process.Start(ctl)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl eval failed ({process.ExitCode}): {error}");
        return output.Trim();
    }

    public async Task DisposeAsync()
    {
        if (File.Exists(PidFile)) await StopAsync();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { } // a file the broker still had open: the temp folder is cleaned by the OS
    }

    private async Task WaitUntilReadyAsync(TimeSpan patience)
    {
        var factory = new ConnectionFactory { Uri = new System.Uri(Uri("v01")), AutomaticRecoveryEnabled = false };
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
            catch (Exception e)
            {
                var output = File.Exists(Path.Combine(Folder, "stdout.log")) ? await File.ReadAllTextAsync(Path.Combine(Folder, "stdout.log")) : "(no output)";
                throw new InvalidOperationException($"broker on port {Port} not ready after {patience}: {e.Message}\n{output}");
            }
        }
    }

    private static string Definitions()
    {
        var vhosts = Enumerable.Range(1, VhostCount).Select(i => $"v{i:00}").Prepend("/").ToList();
        var users = new[] { (User, Password), ("guest", "guest") };
        return JsonSerializer.Serialize(new
        {
            users = users.Select(u => new { name = u.Item1, password_hash = PasswordHash(u.Item2), hashing_algorithm = "rabbit_password_hashing_sha256", tags = "administrator" }),
            vhosts = vhosts.Select(v => new { name = v }),
            permissions = users.SelectMany(u => vhosts.Select(v => new { user = u.Item1, vhost = v, configure = ".*", write = ".*", read = ".*" })),
        });
    }

    /// <summary>RabbitMQ's stored form: base64(salt ‖ SHA-256(salt ‖ password)) with a 4-byte salt.</summary>
    private static string PasswordHash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(4);
        var hash = SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)]);
        return Convert.ToBase64String([.. salt, .. hash]);
    }

    private static int FreePort()
    {
        // The script derives the Erlang distribution port as PORT+20000: pick below 45000 so that it stays valid.
        for (var attempt = 0; ; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port < 45000 && PortFree(port + 20000)) return port;
            if (attempt > 100) throw new InvalidOperationException("no free port pair for a broker");
        }
    }

    private static bool PortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no SweepCluster.sln above {AppContext.BaseDirectory}");
    }
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "Broker";
}
