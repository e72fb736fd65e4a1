using System.Collections.Concurrent;
using Akka.Actor;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>
/// What a FakeCoordinator saw, readable from the test's thread: every result, heartbeat and returned trial.
/// </summary>
internal sealed class CoordinatorLog
{
    public ConcurrentDictionary<TrialId, TrialResult> Results { get; } = new();
    public ConcurrentQueue<NodeHeartbeat> Heartbeats { get; } = new();
    public ConcurrentQueue<TrialId> Returned { get; } = new();
    public ConcurrentQueue<TrialId> Granted { get; } = new();

    public async Task<TrialResult> ResultOf(TrialId trial, int seconds = 60)
    {
        Assert.True(await Eventually.True(() => Results.ContainsKey(trial), seconds), $"no result for {trial} within {seconds} s; results for {Results.Count} trials");
        return Results[trial];
    }
}

/// <summary>
/// The coordinator's side of the node protocol (src/Protocol/WorkMessages.cs) and nothing else: registers any node,
/// leases its trials in order (attempt 1), acknowledges every result at once, takes returned trials back, answers
/// `sweep status`, and writes down what it saw in a CoordinatorLog. It drives the node's real path, in process or
/// over the cluster, without the real coordinator's run folder and Parquet files.
/// </summary>
internal sealed class FakeCoordinator : ReceiveActor
{
    private readonly Queue<TrialSpec> _pending;
    private readonly CoordinatorLog _log;
    private readonly Dictionary<IActorRef, int> _wanting = [];
    private readonly Dictionary<IActorRef, NodeHeartbeat> _nodes = [];

    public FakeCoordinator(IEnumerable<TrialSpec> trials, CoordinatorLog log)
    {
        (_pending, _log) = (new Queue<TrialSpec>(trials), log);
        Receive<NodeHello>(_ => Sender.Tell(new RegistrationChallenge("nonce")));
        Receive<RegisterNode>(_ => Sender.Tell(new NodeWelcome(new SweepId("fake"))));
        Receive<TrialsWanted>(HandleWanted);
        Receive<ResultsReady>(HandleResults);
        Receive<NodeHeartbeat>(HandleHeartbeat);
        Receive<TrialsReturned>(HandleReturned);
        Receive<NodesQuery>(_ => Sender.Tell(new NodesReport([.. _nodes.Values])));
    }

    private void HandleWanted(TrialsWanted wanted)
    {
        _wanting[Sender] = _wanting.GetValueOrDefault(Sender) + wanted.Count;
        Serve();
    }

    private void Serve()
    {
        foreach (var (node, count) in _wanting.ToList())
        {
            var leases = new List<Lease>();
            while (leases.Count < count && _pending.TryDequeue(out var trial)) leases.Add(new Lease(trial, 1));
            if (leases.Count == 0) continue;
            foreach (var lease in leases) _log.Granted.Enqueue(lease.Trial.Id);
            _wanting[node] = count - leases.Count;
            node.Tell(new TrialsGranted(leases));
        }
    }

    private void HandleResults(ResultsReady ready)
    {
        foreach (var result in ready.Results) _log.Results.TryAdd(result.Spec.Id, result);
        Sender.Tell(new ResultsAcknowledged([.. ready.Results.Select(r => r.Spec.Id)]));
    }

    private void HandleHeartbeat(NodeHeartbeat beat)
    {
        _nodes[Sender] = beat;
        _log.Heartbeats.Enqueue(beat);
    }

    private void HandleReturned(TrialsReturned returned)
    {
        foreach (var id in returned.Trials) _log.Returned.Enqueue(id);
        Sender.Tell(new TrialsTakenBack(returned.Trials.Count));
    }
}

internal static class Eventually
{
    /// <summary>Polls until the condition holds; false when it still does not after the given seconds.</summary>
    public static async Task<bool> True(Func<bool> condition, double seconds)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (condition()) return true;
            await Task.Delay(50);
        }
        return condition();
    }
}
