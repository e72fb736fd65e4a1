using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Broker;

[Collection(BrokerCollection.Name)]
public sealed class CredentialTests(BrokerFixture broker)
{
    [Fact]
    public async Task Credentials_from_the_environment_log_in_and_never_appear_in_the_log()
    {
        var log = new ListLogger();
        var env = new Dictionary<string, string>
        {
            [RabbitOptions.BrokerVariable] = $"amqp://127.0.0.1:{broker.Port}/{broker.NewVhost()}",
            [RabbitOptions.UserVariable] = BrokerFixture.User,
            [RabbitOptions.PasswordVariable] = BrokerFixture.Password,
        };
        var options = RabbitOptions.From(null, env.GetValueOrDefault);
        await using (var node = await RabbitNodeTransport.ConnectAsync(options, new NodeId("n1"), log, CancellationToken.None))
            await node.PublishHeartbeatAsync(new NodeHeartbeat(new NodeId("n1"), "host", 2, 0, 0, DateTime.UtcNow), CancellationToken.None);
        Assert.Contains(log.Lines, l => l.Contains($"Connected to amqp://{BrokerFixture.User}:***@127.0.0.1:{broker.Port}/", StringComparison.Ordinal));
        Assert.DoesNotContain(BrokerFixture.Password, log.All);
    }

    [Fact]
    public async Task A_refused_login_fails_fast_without_the_password_in_the_error_or_the_log()
    {
        var log = new ListLogger();
        const string wrong = "wrong-Pq7Mx3-password";
        var options = RabbitOptions.From($"amqp://{BrokerFixture.User}:{wrong}@127.0.0.1:{broker.Port}/{broker.NewVhost()}", _ => null);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RabbitNodeTransport.ConnectAsync(options, new NodeId("n1"), log, patience.Token));
        Assert.Contains("refused the login", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(wrong, log.All);
    }

    [Fact]
    public async Task Amqps_with_the_clusters_private_ca_carries_trials()
    {
        var log = new ListLogger();
        var env = new Dictionary<string, string>
        {
            [RabbitOptions.UserVariable] = BrokerFixture.User,
            [RabbitOptions.PasswordVariable] = BrokerFixture.Password,
            [RabbitOptions.TlsCaVariable] = broker.TlsCaFile,
        };
        var options = RabbitOptions.From($"amqps://localhost:{broker.TlsPort}/{broker.NewVhost()}", env.GetValueOrDefault);
        await using var coordinator = await RabbitSweepTransport.ConnectAsync(options, new SweepId("tls"), log, CancellationToken.None);
        await using var node = await RabbitNodeTransport.ConnectAsync(options, new NodeId("n1"), log, CancellationToken.None);
        var trial = TestMessages.Trial("tls", 1);
        await coordinator.PublishTrialAsync(trial, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        await using var incoming = node.ReadTrialsAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        var delivery = await incoming.NextAsync();
        Assert.Equal(trial.Id, delivery.Message.Id);
        await delivery.AckAsync();
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Amqps_to_a_broker_whose_certificate_is_not_trusted_fails_at_once_and_says_why()
    {
        var options = RabbitOptions.From($"amqps://{BrokerFixture.User}:{BrokerFixture.Password}@localhost:{broker.TlsPort}/{broker.NewVhost()}", _ => null);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RabbitNodeTransport.ConnectAsync(options, new NodeId("n1"), new ListLogger(), patience.Token));
        Assert.Contains("TLS handshake", error.Message);
        Assert.Contains(RabbitOptions.TlsCaVariable, error.Message);
        Assert.DoesNotContain(BrokerFixture.Password, error.ToString());
    }
}
