using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>
/// The broker's queues and exchanges, declared once per process at connect time and never per trial: the notes on
/// these brokers saw a quorum queue come back unusable after a kill -9 shortly after a (re)declaration.
/// Why quorum for the work queue: only a quorum queue counts deliveries in the broker (x-delivery-count), and that
/// count must survive the SIGKILL of the node that held the trial, which no client-side counter can.
/// </summary>
internal static class RabbitTopology
{
    /// <summary>The shared work queue every node consumes: quorum, durable.</summary>
    public const string TrialsQueue = "sweep.trials";

    /// <summary>Headers exchange that dead-lettered trials go to, routed to their sweep by the <see cref="SweepHeader"/>.</summary>
    public const string DeadExchange = "sweep.trials.dead";

    /// <summary>Topic exchange for heartbeats (routing key <c>heartbeat.&lt;node&gt;</c>).</summary>
    public const string EventsExchange = "sweep.events";

    /// <summary>Messages nobody could read, kept for a human with the reason in a header.</summary>
    public const string ParkedQueue = "sweep.parked";

    /// <summary>Every trial carries its sweep here so that a dead-lettered trial finds its coordinator.</summary>
    public const string SweepHeader = "sweep";

    /// <summary>Set on parked messages: why they could not be read, and where they came from.</summary>
    public const string ParkedReasonHeader = "x-parked-reason";
    public const string ParkedFromHeader = "x-parked-from";

    /// <summary>
    /// The broker's backstop against a trial that kills every node it reaches. Fixed, because a queue argument
    /// cannot change after declaration; it is well above any node's --max-deliveries (validated against it), so in a
    /// healthy cluster the node writes the failed row and the broker never dead-letters.
    /// </summary>
    public const int BrokerDeliveryLimit = 20;

    public static string ResultsQueue(SweepId sweep) => $"sweep.results.{sweep.Value}";

    public static string DeadQueue(SweepId sweep) => $"sweep.dead.{sweep.Value}";

    public static string HeartbeatRoutingKey(NodeId node) => $"heartbeat.{node.Value}";

    /// <summary>What both sides need: the work queue with its dead-lettering, the events exchange, the parking queue.</summary>
    public static async Task DeclareSharedAsync(IConnection connection, CancellationToken cancellation)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellation);
        await channel.ExchangeDeclareAsync(DeadExchange, ExchangeType.Headers, durable: true, autoDelete: false, cancellationToken: cancellation);
        await channel.ExchangeDeclareAsync(EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellation);
        // Classic: parked messages are rare, and a classic queue has no quorum-queue redeclaration hazard.
        await channel.QueueDeclareAsync(ParkedQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellation);
        await DeclareTrialsQueueOnceAsync(connection, channel, cancellation);
    }

    /// <summary>
    /// Declares the quorum work queue only when it does not exist yet: a passive check is not a declaration, so a
    /// process start does not re-declare the quorum queue in the seconds when a broker crash could leave it unusable.
    /// (A reconnect does not either: RabbitOptions keeps this queue out of the client's topology recovery.)
    /// </summary>
    private static async Task DeclareTrialsQueueOnceAsync(IConnection connection, IChannel channel, CancellationToken cancellation)
    {
        // The check gets its own channel: the broker closes a channel whose passive declare fails.
        await using (var probe = await connection.CreateChannelAsync(cancellationToken: cancellation))
        {
            try
            {
                await probe.QueueDeclarePassiveAsync(TrialsQueue, cancellation);
                return;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404) { }
        }
        await channel.QueueDeclareAsync(TrialsQueue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = BrokerDeliveryLimit,
            ["x-dead-letter-exchange"] = DeadExchange,
            // at-least-once keeps a dead letter in the work queue until its sweep's dead queue has it.
            ["x-dead-letter-strategy"] = "at-least-once",
            ["x-overflow"] = "reject-publish",
        }, cancellationToken: cancellation);
    }

    /// <summary>The coordinator's own queues: its results, and its dead-lettered trials.</summary>
    public static async Task DeclareSweepAsync(IConnection connection, SweepId sweep, CancellationToken cancellation)
    {
        await DeclareSharedAsync(connection, cancellation);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellation);
        await channel.QueueDeclareAsync(ResultsQueue(sweep), durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellation);
        await channel.QueueDeclareAsync(DeadQueue(sweep), durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellation);
        await channel.QueueBindAsync(DeadQueue(sweep), DeadExchange, routingKey: "", arguments: new Dictionary<string, object?>
        {
            ["x-match"] = "all",
            [SweepHeader] = sweep.Value,
        }, cancellationToken: cancellation);
    }
}
