using SweepCluster.GpuNode.Rabbit;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Broker;

[Collection(BrokerCollection.Name)]
public sealed class EventsListenerTests(BrokerFixture broker)
{
    [Fact]
    public async Task The_listener_reports_each_node_by_its_latest_heartbeat()
    {
        var log = new ListLogger();
        var options = RabbitOptions.From(broker.Uri(broker.NewVhost()), _ => null);
        await using var listener = await RabbitEventsListener.StartAsync(options, log, CancellationToken.None);
        await using var a = await RabbitNodeTransport.ConnectAsync(options, new NodeId("a"), log, CancellationToken.None);
        await using var b = await RabbitNodeTransport.ConnectAsync(options, new NodeId("b"), log, CancellationToken.None);
        await a.PublishHeartbeatAsync(new NodeHeartbeat(new NodeId("a"), "host-a", 4, 1, 10, DateTime.UtcNow), CancellationToken.None);
        await a.PublishHeartbeatAsync(new NodeHeartbeat(new NodeId("a"), "host-a", 4, 3, 11, DateTime.UtcNow), CancellationToken.None);
        await b.PublishHeartbeatAsync(new NodeHeartbeat(new NodeId("b"), "host-b", 2, 0, 0, DateTime.UtcNow), CancellationToken.None);

        Assert.True(await TestMessages.WaitUntilAsync(() => Task.FromResult(
            listener.Nodes(TimeSpan.FromMinutes(1)) is [{ Heartbeat.TrialsDone: 11 }, { Heartbeat.Node.Value: "b" }])));
        var nodes = listener.Nodes(TimeSpan.FromMinutes(1));
        Assert.Equal(("a", 4, 3), (nodes[0].Heartbeat.Node.Value, nodes[0].Heartbeat.Slots, nodes[0].Heartbeat.BusySlots));
        Assert.Equal(("b", 2, 0), (nodes[1].Heartbeat.Node.Value, nodes[1].Heartbeat.Slots, nodes[1].Heartbeat.BusySlots));
        var (ready, _) = await listener.TrialsQueueAsync(CancellationToken.None);
        Assert.Equal(0u, ready);
    }
}
