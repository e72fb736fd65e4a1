using RabbitMQ.Client;
using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Broker;

/// <summary>Both sides of the RabbitMQ transport against a real broker; each test in its own vhost.</summary>
[Collection(BrokerCollection.Name)]
public sealed class RabbitTransportTests(BrokerFixture broker)
{
    private readonly ListLogger _log = new();

    private RabbitOptions Options(string vhost) => RabbitOptions.From(broker.Uri(vhost), _ => null);

    private Task<RabbitSweepTransport> Coordinator(string vhost, string sweep) =>
        RabbitSweepTransport.ConnectAsync(Options(vhost), new SweepId(sweep), _log, CancellationToken.None);

    private Task<RabbitNodeTransport> Node(string vhost, string name) =>
        RabbitNodeTransport.ConnectAsync(Options(vhost), new NodeId(name), _log, CancellationToken.None);

    private async Task<uint> ReadyAsync(string vhost, string queue)
    {
        var factory = Options(vhost).CreateFactory("test probe");
        factory.AutomaticRecoveryEnabled = false;
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    [Fact]
    public async Task Trials_and_results_make_the_round_trip()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "round");
        await using var node = await Node(vhost, "n1");
        var trials = Enumerable.Range(0, 25).Select(i => TestMessages.Trial("round", i)).ToList();
        foreach (var trial in trials) await coordinator.PublishTrialAsync(trial, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        await using var incoming = node.ReadTrialsAsync(prefetch: 4, stop.Token).GetAsyncEnumerator(stop.Token);
        for (var i = 0; i < trials.Count; i++)
        {
            var delivery = await incoming.NextAsync();
            Assert.Equal(1, delivery.DeliveryCount);
            await node.PublishResultAsync(TestMessages.Result(delivery.Message, "n1", delivery.DeliveryCount), CancellationToken.None);
            await delivery.AckAsync();
        }

        await using var results = coordinator.ReadResultsAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var received = new List<TrialResult>();
        for (var i = 0; i < trials.Count; i++)
        {
            var delivery = await results.NextAsync();
            received.Add(delivery.Message);
            await delivery.AckAsync();
        }
        Assert.Equal(trials.Select(t => t.Id.Value).Order(), received.Select(r => r.Spec.Id.Value).Order());
        Assert.Equal(trials.OrderBy(t => t.Id.Value).Select(t => CanonicalJson.Of(t.Config)),
            received.OrderBy(r => r.Spec.Id.Value).Select(r => CanonicalJson.Of(r.Spec.Config)));
        Assert.All(received, r => Assert.Equal(TrialStatus.Ok, r.Status));
        await stop.CancelAsync();
        Assert.Equal(0u, await ReadyAsync(vhost, RabbitTopology.TrialsQueue));
        Assert.Equal(0u, await ReadyAsync(vhost, RabbitTopology.ResultsQueue(new SweepId("round"))));
    }

    [Fact]
    public async Task A_node_never_holds_more_unacked_trials_than_its_prefetch()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "prefetch");
        for (var i = 0; i < 10; i++) await coordinator.PublishTrialAsync(TestMessages.Trial("prefetch", i), CancellationToken.None);

        // The greedy node comes first: if prefetch were ignored it would take all ten and the second would starve.
        await using var greedy = await Node(vhost, "greedy");
        using var stop = new CancellationTokenSource();
        await using var held = greedy.ReadTrialsAsync(prefetch: 3, stop.Token).GetAsyncEnumerator(stop.Token);
        var first = new List<Delivery<TrialSpec>>();
        for (var i = 0; i < 3; i++) first.Add(await held.NextAsync());

        await using var other = await Node(vhost, "other");
        await using var rest = other.ReadTrialsAsync(prefetch: 100, stop.Token).GetAsyncEnumerator(stop.Token);
        var second = new List<Delivery<TrialSpec>>();
        for (var i = 0; i < 7; i++) second.Add(await rest.NextAsync());

        Assert.Equal(10, first.Concat(second).Select(d => d.Message.Id).Distinct().Count());
        // Acking one of the three frees a slot; the freed slot gets nothing because nothing is left.
        foreach (var d in first.Concat(second)) await d.AckAsync();
        Assert.True(await TestMessages.WaitUntilAsync(async () => await ReadyAsync(vhost, RabbitTopology.TrialsQueue) == 0));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task An_unacked_trial_comes_back_with_delivery_count_two_when_its_node_connection_dies()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "redeliver");
        var trial = TestMessages.Trial("redeliver", 1);
        await coordinator.PublishTrialAsync(trial, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var dying = await Node(vhost, "dying");
        await using (var first = dying.ReadTrialsAsync(1, stop.Token).GetAsyncEnumerator(stop.Token))
        {
            var delivery = await first.NextAsync();
            Assert.Equal(1, delivery.DeliveryCount);
            // The connection goes without an ack, as it does when a node dies.
            await dying.DisposeAsync();
        }

        await using var survivor = await Node(vhost, "survivor");
        await using var second = survivor.ReadTrialsAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        var again = await second.NextAsync();
        Assert.Equal(trial.Id, again.Message.Id);
        Assert.Equal(2, again.DeliveryCount);
        await again.AckAsync();
        await stop.CancelAsync();
    }

    [Fact]
    public async Task A_garbled_trial_is_parked_and_the_next_good_one_is_delivered()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "garbled");
        var garbage = "{\"v\":1,\"kind\":\"trial\",\"body\":{\"sweep\":"u8.ToArray();
        await using (var connection = await Options(vhost).CreateFactory("test raw").CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.BasicPublishAsync("", RabbitTopology.TrialsQueue, mandatory: false, new BasicProperties { Persistent = true, MessageId = "garbage-1" }, garbage);
            await channel.BasicPublishAsync("", RabbitTopology.TrialsQueue, mandatory: false, new BasicProperties { Persistent = true }, "\u00ff\u00fe not json"u8.ToArray());
        }
        var good = TestMessages.Trial("garbled", 7);
        await coordinator.PublishTrialAsync(good, CancellationToken.None);

        await using var node = await Node(vhost, "n1");
        using var stop = new CancellationTokenSource();
        await using var incoming = node.ReadTrialsAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        var delivery = await incoming.NextAsync();
        Assert.Equal(good.Id, delivery.Message.Id);
        await delivery.AckAsync();

        Assert.True(await TestMessages.WaitUntilAsync(async () => await ReadyAsync(vhost, RabbitTopology.ParkedQueue) == 2));
        Assert.Equal(0u, await ReadyAsync(vhost, RabbitTopology.TrialsQueue));
        await using (var connection = await Options(vhost).CreateFactory("test raw").CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var parked = await channel.BasicGetAsync(RabbitTopology.ParkedQueue, autoAck: false);
            Assert.NotNull(parked);
            Assert.Equal(garbage, parked.Body.ToArray());
            Assert.Equal("garbage-1", parked.BasicProperties.MessageId);
            Assert.True(parked.BasicProperties.Headers!.ContainsKey(RabbitTopology.ParkedReasonHeader));
        }
        Assert.Contains(_log.Lines, l => l.StartsWith("Error: Unreadable message on sweep.trials", StringComparison.Ordinal));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task A_garbled_result_is_parked_and_the_coordinator_reads_on()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "garbled-result");
        await using (var connection = await Options(vhost).CreateFactory("test raw").CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.BasicPublishAsync("", RabbitTopology.ResultsQueue(new SweepId("garbled-result")), mandatory: false,
                new BasicProperties { Persistent = true }, Wire.Encode(TestMessages.Trial("garbled-result", 1))); // a trial where a result belongs
        await using var node = await Node(vhost, "n1");
        var good = TestMessages.Result(TestMessages.Trial("garbled-result", 2), "n1", 1);
        await node.PublishResultAsync(good, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        await using var results = coordinator.ReadResultsAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var delivery = await results.NextAsync();
        Assert.Equal(good.Spec.Id, delivery.Message.Spec.Id);
        await delivery.AckAsync();
        Assert.True(await TestMessages.WaitUntilAsync(async () => await ReadyAsync(vhost, RabbitTopology.ParkedQueue) == 1));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task A_trial_rejected_by_a_node_reaches_its_coordinator_as_a_failed_result()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "rejected");
        var trial = TestMessages.Trial("rejected", 3);
        await coordinator.PublishTrialAsync(trial, CancellationToken.None);
        await using var node = await Node(vhost, "n1");
        using var stop = new CancellationTokenSource();
        await using var incoming = node.ReadTrialsAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        await (await incoming.NextAsync()).RejectAsync(requeue: false);

        await using var results = coordinator.ReadResultsAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var failed = await results.NextAsync();
        Assert.Equal(trial.Id, failed.Message.Spec.Id);
        Assert.Equal(TrialStatus.Failed, failed.Message.Status);
        Assert.Contains("rejected", failed.Message.Error);
        await failed.AckAsync();
        await stop.CancelAsync();
    }

    [Fact]
    public async Task A_trial_returned_past_the_broker_delivery_limit_ends_as_one_failed_result()
    {
        var vhost = broker.NewVhost();
        await using var coordinator = await Coordinator(vhost, "limit");
        var trial = TestMessages.Trial("limit", 4);
        await coordinator.PublishTrialAsync(trial, CancellationToken.None);
        await using var node = await Node(vhost, "n1");
        using var stop = new CancellationTokenSource();
        await using var incoming = node.ReadTrialsAsync(1, stop.Token).GetAsyncEnumerator(stop.Token);
        for (var expected = 1; expected <= RabbitTopology.BrokerDeliveryLimit + 1; expected++)
        {
            var delivery = await incoming.NextAsync();
            Assert.Equal(expected, delivery.DeliveryCount);
            await delivery.RejectAsync(requeue: true);
        }

        await using var results = coordinator.ReadResultsAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var failed = await results.NextAsync();
        Assert.Equal(trial.Id, failed.Message.Spec.Id);
        Assert.Equal(TrialStatus.Failed, failed.Message.Status);
        Assert.Contains("gave up", failed.Message.Error);
        await failed.AckAsync();
        Assert.Equal(0u, await ReadyAsync(vhost, RabbitTopology.TrialsQueue));
        await stop.CancelAsync();
    }
}
