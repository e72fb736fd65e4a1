using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>
/// The coordinator's side: trials out to the shared work queue (confirmed), results in from this sweep's durable
/// queue. Trials the broker dead-lettered after <see cref="RabbitTopology.BrokerDeliveryLimit"/> deliveries come in
/// on the same stream as <c>failed</c> results, so a sweep always ends, whoever gave up on a trial.
/// </summary>
internal sealed class RabbitSweepTransport : ISweepTransport
{
    private readonly IConnection _connection;
    private readonly ConfirmedPublisher _publisher;
    private readonly RabbitOptions _options;
    private readonly SweepId _sweep;
    private readonly ILogger _logger;

    private RabbitSweepTransport(IConnection connection, RabbitOptions options, SweepId sweep, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _sweep = sweep;
        _logger = logger;
        _publisher = new ConfirmedPublisher(connection, logger);
    }

    public static async Task<RabbitSweepTransport> ConnectAsync(RabbitOptions options, SweepId sweep, ILogger logger, CancellationToken cancellation)
    {
        var connection = await RabbitConnector.ConnectAsync(options, $"{options.ClientName} coordinator {sweep}", logger, cancellation);
        try
        {
            await RabbitTopology.DeclareSweepAsync(connection, sweep, cancellation);
            return new RabbitSweepTransport(connection, options, sweep, logger);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask PublishTrialAsync(TrialSpec trial, CancellationToken cancellation) =>
        _publisher.PublishAsync("", RabbitTopology.TrialsQueue, RabbitWire.Properties(trial, persistent: true), Wire.Encode(trial), cancellation);

    public IAsyncEnumerable<Delivery<TrialResult>> ReadResultsAsync(CancellationToken cancellation)
    {
        var results = new RabbitConsumer<TrialResult>(_connection, _publisher, RabbitTopology.ResultsQueue(_sweep), _options.ResultPrefetch,
            (body, _, _) => RabbitWire.Decode<TrialResult>(body), _logger);
        var dead = new RabbitConsumer<TrialResult>(_connection, _publisher, RabbitTopology.DeadQueue(_sweep), _options.ResultPrefetch,
            (body, properties, _) => DeadLettered(RabbitWire.Decode<TrialSpec>(body), DeathReason(properties)), _logger);
        return RabbitConsumer<TrialResult>.ReadAsync([results, dead], cancellation);
    }

    /// <summary>The row for a trial the broker dead-lettered: delivered too often (nodes kept dying) or rejected by a node.</summary>
    private TrialResult DeadLettered(TrialSpec trial, string? reason)
    {
        var now = DateTime.UtcNow;
        var limit = reason == "delivery_limit";
        _logger.LogWarning("Trial {Trial} was dead-lettered by the broker ({Reason}); recording it as failed", trial.Id, reason ?? "unknown reason");
        var error = limit
            ? $"the broker gave up after {RabbitTopology.BrokerDeliveryLimit + 1} deliveries: every node that took this trial died"
            : $"a node rejected this trial (dead-letter reason: {reason ?? "unknown"})";
        return new TrialResult(trial, TrialStatus.Failed, double.NaN, double.NaN, null, 0, 0, "", 0, new NodeId("broker"),
            limit ? RabbitTopology.BrokerDeliveryLimit + 1 : 0, now, now, error);
    }

    /// <summary>The reason of the latest dead-lettering in x-death: delivery_limit, rejected, expired or maxlen.</summary>
    private static string? DeathReason(IReadOnlyBasicProperties properties)
    {
        if (properties.Headers?.TryGetValue("x-death", out var deaths) != true || deaths is not IList<object> { Count: > 0 } list) return null;
        if (list[0] is not IDictionary<string, object?> latest || !latest.TryGetValue("reason", out var reason)) return null;
        return reason is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : reason?.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
