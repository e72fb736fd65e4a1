using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Integration.Tests.Broker;

internal static class TestMessages
{
    public static TrialSpec Trial(string sweep, int seed)
    {
        var config = new TrialConfig
        {
            Model = new ModelSpec { Kind = ModelKind.LinearNL },
            Target = new TargetSpec { Kind = TargetKind.Linear, Coefficients = [1.0, 0.0], Intercept = 1 },
            Data = new DataSpec { InputDim = 2 },
            Training = new TrainingSpec { MaxSteps = 10 },
            Hyper = new Hyperparameters { InitScale = 0.1, LearningRate = 0.01, SampleSize = 4, Seed = seed },
        };
        return new TrialSpec(new SweepId(sweep), TrialId.For(config), "e1", "e1", config);
    }

    public static TrialResult Result(TrialSpec trial, string node, int attempt) => new(
        trial, TrialStatus.Ok, 1e-9, 1e-6, null, 10, 4, "test model", 0.001, new NodeId(node), attempt,
        DateTime.UtcNow, DateTime.UtcNow, null);

    /// <summary>The next item, or a failure after a generous timeout instead of a hung test run.</summary>
    public static async Task<T> NextAsync<T>(this IAsyncEnumerator<T> items, int seconds = 60)
    {
        Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(seconds)), "the stream ended");
        return items.Current;
    }

    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return false;
    }
}

/// <summary>Keeps every formatted log line and exception text, to check what the transports would print.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join('\n', _lines);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
}
