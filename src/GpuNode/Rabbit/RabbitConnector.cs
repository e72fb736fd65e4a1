using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace SweepCluster.GpuNode.Rabbit;

/// <summary>Opens the one connection a process uses, waiting for a broker that is not up yet.</summary>
internal static class RabbitConnector
{
    /// <summary>
    /// Retries until the broker answers or <paramref name="cancellation"/> fires: nodes and coordinators are often
    /// started before (or during a restart of) the broker. The client's automatic recovery only covers connections
    /// that were open once. A refused login is a configuration error and is not retried.
    /// </summary>
    public static async Task<IConnection> ConnectAsync(RabbitOptions options, string clientName, ILogger logger, CancellationToken cancellation)
    {
        var factory = options.CreateFactory(clientName);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await factory.CreateConnectionAsync(cancellation);
                logger.LogInformation("Connected to {Broker} as {Client}", options.Redacted(), clientName);
                connection.ConnectionShutdownAsync += (_, e) =>
                {
                    if (e.Initiator != ShutdownInitiator.Application)
                        logger.LogWarning("Lost the broker {Broker}: {Reason}; reconnecting", options.Redacted(), e.ReplyText);
                    return Task.CompletedTask;
                };
                connection.RecoverySucceededAsync += (_, _) =>
                {
                    logger.LogInformation("Reconnected to {Broker}", options.Redacted());
                    return Task.CompletedTask;
                };
                return connection;
            }
            catch (BrokerUnreachableException e) when (IsLoginRefused(e))
            {
                throw new InvalidOperationException(
                    $"broker {options.Redacted()} refused the login{(options.User is null ? " (no user given: set it in the URI or " + RabbitOptions.UserVariable + ")" : $" of user '{options.User}'")}");
            }
            catch (BrokerUnreachableException e) when (Find<System.Security.Authentication.AuthenticationException>(e) is { } tls)
            {
                // A certificate problem does not fix itself by waiting.
                throw new InvalidOperationException(
                    $"broker {options.Redacted()} failed the TLS handshake: {tls.Message} (for a private CA, set {RabbitOptions.TlsCaVariable} to its PEM file)");
            }
            catch (BrokerUnreachableException e) when (!cancellation.IsCancellationRequested)
            {
                // Quiet at first (a broker takes ~10 s to start), then a reminder every 30 attempts.
                if (attempt == 5 || attempt % 30 == 0)
                    logger.LogWarning("Broker {Broker} not reachable yet ({Reason}); still trying", options.Redacted(), e.InnerException?.Message ?? e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 2)), cancellation);
            }
        }
    }

    private static bool IsLoginRefused(Exception e) =>
        Find<AuthenticationFailureException>(e) is not null || Find<PossibleAuthenticationFailureException>(e) is not null;

    private static TException? Find<TException>(Exception e) where TException : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is TException found) return found;
            if (x is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    if (Find<TException>(inner) is { } nested) return nested;
        }
        return null;
    }
}
