using SweepCluster.GpuNode.Rabbit;

namespace SweepCluster.Integration.Tests.Broker;

public sealed class RabbitOptionsTests
{
    [Fact]
    public void Credentials_in_the_uri_are_kept_out_of_the_endpoint_and_the_display_form()
    {
        var options = RabbitOptions.From("amqp://alice:s%40cret-42@broker.example:5673/lab", _ => null);
        Assert.Equal("alice", options.User);
        Assert.Equal("amqp://broker.example:5673/lab", options.Endpoint.ToString());
        Assert.Equal("amqp://alice:***@broker.example:5673/lab", options.Redacted());
        Assert.DoesNotContain("cret", options.ToString());
        var factory = options.CreateFactory("t");
        Assert.Equal("s@cret-42", factory.Password);
        Assert.Equal("lab", factory.VirtualHost);
    }

    [Fact]
    public void The_environment_supplies_broker_and_credentials_when_the_uri_has_none()
    {
        var env = new Dictionary<string, string>
        {
            [RabbitOptions.BrokerVariable] = "amqps://broker.example/",
            [RabbitOptions.UserVariable] = "bob",
            [RabbitOptions.PasswordVariable] = "hunter2-xyz",
        };
        var options = RabbitOptions.From(null, env.GetValueOrDefault);
        Assert.True(options.UsesTls);
        Assert.Equal("amqps://bob:***@broker.example/", options.Redacted());
        var factory = options.CreateFactory("t");
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal("broker.example", factory.Ssl.ServerName);
        Assert.Equal(("bob", "hunter2-xyz"), (factory.UserName, factory.Password));
    }

    [Theory]
    [InlineData("http://u:topsecret@host/")]
    [InlineData("amqp://u:topsecret@ho st/")]
    public void A_bad_broker_is_refused_without_echoing_its_password(string broker)
    {
        var error = Assert.Throws<ArgumentException>(() => RabbitOptions.From(broker, _ => null));
        Assert.DoesNotContain("topsecret", error.Message);
    }

    [Fact]
    public void No_broker_at_all_says_how_to_give_one()
    {
        var error = Assert.Throws<ArgumentException>(() => RabbitOptions.From(null, _ => null));
        Assert.Contains("--broker", error.Message);
        Assert.Contains(RabbitOptions.BrokerVariable, error.Message);
    }

    [Fact]
    public void A_tls_file_that_does_not_exist_is_named_at_once()
    {
        var env = new Dictionary<string, string> { [RabbitOptions.TlsCaVariable] = "/nonexistent/ca.pem" };
        var error = Assert.Throws<ArgumentException>(() => RabbitOptions.From("amqps://host/", env.GetValueOrDefault));
        Assert.Contains(RabbitOptions.TlsCaVariable, error.Message);
        Assert.Contains("/nonexistent/ca.pem", error.Message);
    }
}
