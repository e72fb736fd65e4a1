using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Broker;

/// <summary>Restarts the shared broker: the collection runs its tests one at a time, so no other test sees it.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerRestartTests(BrokerFixture broker)
{
    [Fact]
    public async Task Durable_trials_and_results_survive_a_broker_restart_and_the_clients_carry_on()
    {
        var log = new ListLogger();
        var vhost = broker.NewVhost();
        var options = RabbitOptions.From(broker.Uri(vhost), _ => null);
        var sweep = new SweepId("restart");
        await using var coordinator = await RabbitSweepTransport.ConnectAsync(options, sweep, log, CancellationToken.None);
        await using var node = await RabbitNodeTransport.ConnectAsync(options, new NodeId("n1"), log, CancellationToken.None);
        var before = Enumerable.Range(0, 6).Select(i => TestMessages.Trial("restart", i)).ToList();
        var after = Enumerable.Range(6, 4).Select(i => TestMessages.Trial("restart", i)).ToList();
        foreach (var trial in before) await coordinator.PublishTrialAsync(trial, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        await using var incoming = node.ReadTrialsAsync(prefetch: 1, stop.Token).GetAsyncEnumerator(stop.Token);
        await using var results = coordinator.ReadResultsAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        // One trial done and its result durable, one in the node's hands (unacked) when the broker goes.
        var done = await incoming.NextAsync();
        await node.PublishResultAsync(TestMessages.Result(done.Message, "n1", done.DeliveryCount), CancellationToken.None);
        await done.AckAsync();
        var inHand = await incoming.NextAsync();

        await broker.StopAsync();
        await broker.StartAsync();

        // The stale delivery's ack is dropped by the broker: it comes back, which is why results are de-duplicated.
        await inHand.AckAsync();
        foreach (var trial in after) await coordinator.PublishTrialAsync(trial, CancellationToken.None);

        var seen = new HashSet<string> { done.Message.Id.Value };
        while (seen.Count < before.Count + after.Count)
        {
            var delivery = await incoming.NextAsync();
            await node.PublishResultAsync(TestMessages.Result(delivery.Message, "n1", delivery.DeliveryCount), CancellationToken.None);
            await delivery.AckAsync();
            seen.Add(delivery.Message.Id.Value);
        }

        var recorded = new HashSet<string>();
        while (recorded.Count < before.Count + after.Count)
        {
            var delivery = await results.NextAsync();
            recorded.Add(delivery.Message.Spec.Id.Value);
            await delivery.AckAsync();
        }
        Assert.Equal(before.Concat(after).Select(t => t.Id.Value).Order(), recorded.Order());
        Assert.Contains(log.Lines, l => l.Contains("Reconnected to amqp://", StringComparison.Ordinal));
        Assert.DoesNotContain(BrokerFixture.Password, log.All);
        await stop.CancelAsync();
    }
}
