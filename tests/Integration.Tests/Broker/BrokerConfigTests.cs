namespace SweepCluster.Integration.Tests.Broker;

/// <summary>cluster-config/rabbitmq as the broker reads it (the throwaway broker is started from those files).</summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerConfigTests(BrokerFixture broker)
{
    [Fact]
    public async Task The_consumer_timeout_that_would_take_long_trials_away_is_off()
    {
        // Set to undefined by advanced.config; absent altogether the broker would use its 30-minute default.
        Assert.Equal("{ok,undefined}", await broker.EvalAsync("application:get_env(rabbit, consumer_timeout)."));
    }

    [Fact]
    public async Task Heartbeats_come_from_rabbitmq_conf()
    {
        Assert.Equal("{ok,30}", await broker.EvalAsync("application:get_env(rabbit, heartbeat)."));
    }
}
