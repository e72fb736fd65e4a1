using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using SweepCluster.Hosting;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// Owns a sweep's progress: the trials still pending (its trial source, a cursor into the grid for a grid sweep, plus a
/// queue of trials to run again), the leases (which node holds which trial at which attempt), the registered nodes, and
/// which results are recorded.
/// Nodes pull: each TrialsWanted is served from the pending trials as far as they go, the rest waits until trials come
/// back. A result is de-duplicated by trial id, handed to the ResultSink (its child), and counts as done only when
/// the sink reports it durable. When a node dies (unreachable, removed, or its agent terminated) its leases go back
/// to the pending trials; a trial whose holders died max_deliveries times is recorded as failed instead.
/// Everything it keeps for a whole run is keyed by <see cref="TrialKey"/> (the id as a number); a TrialSpec lives only
/// while its trial is leased, queued again or on its way to disk.
/// Supervision: a failure of the sink (disk full, permission) stops the sweep with that error rather than letting it
/// run on without writing.
/// </summary>
internal sealed class SweepRun : ReceiveActor
{
    internal sealed record Options(ResultSink.Options Sink, SharedSecret? Secret);

    /// <summary>Interrupt (Ctrl+C): write what has arrived, then finish.</summary>
    public sealed record Stop;

    private const int DefaultMaxDeliveries = 3;

    private sealed class NodeEntry(NodeId id, string host, int slots)
    {
        public NodeId Id { get; set; } = id;
        public string Host { get; set; } = host;
        public int Slots { get; set; } = slots;
        public string Incarnation { get; init; } = "";
        public HashSet<TrialKey> Held { get; } = [];
        public int Wanting { get; set; }
        public NodeHeartbeat? Heartbeat { get; set; }
        public DateTime LastSeen { get; set; } = DateTime.UtcNow;
    }

    private readonly SweepId _sweep;
    private readonly ITrialSource _trials;
    private readonly Dictionary<TrialKey, TrialStatus> _recorded;
    private readonly ISweepProgress _progress;
    private readonly Options _options;
    private readonly TaskCompletionSource<SweepCounts> _finished;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<TrialKey> _recording = [];
    private readonly Dictionary<TrialKey, (IActorRef Holder, Lease Lease)> _leases = [];
    /// <summary>Deliveries so far of each trial not yet recorded.</summary>
    private readonly Dictionary<TrialKey, int> _attempts = [];
    private readonly Queue<(TrialKey Key, TrialSpec Trial)> _again = new();
    /// <summary>
    /// Trials whose holder died: each may be the one that kills its node, so each is granted alone, and only to a
    /// node that holds fewer trials than its slots (the node trains it alone; docs/architecture.md).
    /// </summary>
    private readonly HashSet<TrialKey> _orphans = [];
    private readonly Dictionary<IActorRef, NodeEntry> _nodes = [];
    private readonly Dictionary<IActorRef, string> _challenges = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly IActorRef _sink;
    private bool _stopping;
    private SweepCounts _counts;

    public SweepRun(SweepId sweep, ITrialSource trials, Dictionary<TrialKey, TrialStatus> recorded, RunFolder folder,
        ISweepProgress progress, Options options, TaskCompletionSource<SweepCounts> finished)
    {
        (_sweep, _trials, _recorded, _progress, _options, _finished) = (sweep, trials, recorded, progress, options, finished);
        _counts = SweepCounts.Of(trials.Released, recorded) with { Search = trials.Summary };
        _sink = Context.ActorOf(Props.Create(() => new ResultSink(folder, options.Sink)), "results");

        Receive<NodeHello>(HandleHello);
        Receive<RegisterNode>(HandleRegister);
        Receive<TrialsWanted>(HandleWanted);
        Receive<ResultsReady>(HandleResults);
        Receive<TrialsReturned>(HandleReturned);
        Receive<NodeHeartbeat>(HandleHeartbeat);
        Receive<NodesQuery>(HandleNodesQuery);
        Receive<ResultSink.Durable>(HandleDurable);
        Receive<ResultSink.Flushed>(_ => { if (_stopping) Finish(); });
        Receive<Stop>(_ => HandleStop());
        Receive<Terminated>(t => HandleNodeGone(t.ActorRef, "its agent stopped"));
        Receive<ClusterEvent.UnreachableMember>(m => HandleMemberGone(m.Member.Address, "unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => HandleMemberGone(m.Member.Address, "removed from the cluster"));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(0, TimeSpan.Zero, e =>
    {
        _finished.TrySetException(new InvalidOperationException($"writing results failed: {e.Message}", e));
        return Directive.Stop;
    });

    protected override void PreStart()
    {
        _progress.Report(_counts);
        if (_counts.Remaining == 0) Finish();
        if (Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal))
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));
    }

    private int MaxDeliveries(TrialSpec spec) => spec.MaxDeliveries > 0 ? spec.MaxDeliveries : DefaultMaxDeliveries;

    private void HandleHello(NodeHello hello)
    {
        var nonce = SharedSecret.NewNonce();
        _challenges[Sender] = nonce;
        Sender.Tell(new RegistrationChallenge(nonce));
    }

    private void HandleRegister(RegisterNode m)
    {
        if (!_challenges.Remove(Sender, out var nonce) || nonce != m.Nonce)
        {
            Sender.Tell(new NodeRejected("no challenge outstanding for this registration; say hello first"));
            return;
        }
        if (_options.Secret is { } secret && !secret.Verify(nonce, m.Node.Value, m.Proof))
        {
            _log.Warning("node {0} at {1} did not prove the sweep's secret; it gets no work", m.Node, Sender.Path.Address);
            Sender.Tell(new NodeRejected("the node does not know this sweep's secret (--secret-file or SWEEP_SECRET)"));
            return;
        }
        if (!_nodes.TryGetValue(Sender, out var entry))
        {
            entry = new NodeEntry(m.Node, m.Host, m.Slots) { Incarnation = m.Incarnation };
            foreach (var (oldRef, old) in _nodes.Where(n => n.Value.Id == m.Node).ToList())
            {
                // The same process back with a fresh ActorSystem (after losing a coordinator or being downed): its
                // trials are still running there, so its leases move to the new agent instead of running twice.
                // A new process under the same node id (restarted after a crash, often before the failure detector
                // noticed): the old one's trials died with it and run again.
                if (old.Incarnation != m.Incarnation)
                {
                    HandleNodeGone(oldRef, "started again as a new process");
                    continue;
                }
                foreach (var id in old.Held)
                    if (_leases.TryGetValue(id, out var lease)) { _leases[id] = (Sender, lease.Lease); entry.Held.Add(id); }
                _nodes.Remove(oldRef);
                Context.Unwatch(oldRef);
            }
            _nodes[Sender] = entry;
            Context.Watch(Sender);
        }
        (entry.Id, entry.Host, entry.Slots, entry.Wanting, entry.LastSeen) = (m.Node, m.Host, m.Slots, 0, DateTime.UtcNow);
        _log.Info("node {0} registered: {1} slots, at {2}", m.Node, m.Slots, Sender.Path.Address);
        Sender.Tell(new NodeWelcome(_sweep));
    }

    private NodeEntry? Registered()
    {
        if (_nodes.TryGetValue(Sender, out var node))
        {
            node.LastSeen = DateTime.UtcNow;
            return node;
        }
        Sender.Tell(new NodeRejected("this node is not registered with the coordinator"));
        return null;
    }

    private void HandleWanted(TrialsWanted m)
    {
        if (Registered() is not { } node) return;
        node.Wanting += Math.Max(0, m.Count);
        Serve(Sender, node);
    }

    private void Serve(IActorRef holder, NodeEntry node)
    {
        if (_stopping || node.Wanting <= 0) return;
        var leases = new List<Lease>();
        while (node.Wanting > 0 && !(OrphanNext() && node.Held.Count >= node.Slots) && NextPending() is { } trial)
        {
            var key = TrialKey.Of(trial.Id);
            var attempt = _attempts[key] = _attempts.GetValueOrDefault(key) + 1;
            var lease = new Lease(trial, attempt);
            _leases[key] = (holder, lease);
            node.Held.Add(key);
            node.Wanting--;
            leases.Add(lease);
            if (_orphans.Remove(key)) break;
        }
        if (leases.Count > 0) holder.Tell(new TrialsGranted(leases));
    }

    private bool OrphanNext() => _again.TryPeek(out var next) && _orphans.Contains(next.Key);

    private void ServeWaiting()
    {
        foreach (var (holder, node) in _nodes)
            if (node.Wanting > 0) Serve(holder, node);
    }

    private bool Settled(TrialKey id) => _recorded.ContainsKey(id) || _recording.Contains(id) || _leases.ContainsKey(id);

    /// <summary>Trials handed back or orphaned first, then the grid in order; recorded and leased ones are skipped.</summary>
    private TrialSpec? NextPending()
    {
        while (_again.TryDequeue(out var again))
            if (!Settled(again.Key)) return again.Trial;
        return _trials.Next(Settled);
    }

    private bool NothingPending => _again.Count == 0 && !_trials.HasQueued;

    private void HandleResults(ResultsReady m)
    {
        if (Registered() is not { } node) return;
        var duplicates = new List<TrialId>();
        foreach (var r in m.Results)
        {
            var id = r.Spec.Id;
            if (r.Spec.Sweep != _sweep || !TrialKey.TryParse(id, out var key) || !_trials.Grid.Contains(key))
            {
                _log.Warning("node {0} sent a result for trial {1} of sweep {2}, which is not in this sweep; dropped", m.Node, id, r.Spec.Sweep);
                duplicates.Add(id);
                continue;
            }
            if (_recorded.ContainsKey(key)) { duplicates.Add(id); continue; }
            // Already on its way to disk: the node resends until the write is acknowledged.
            if (!_recording.Add(key)) continue;
            ReleaseLease(key);
            _sink.Tell(new ResultSink.Write(r, Sender));
        }
        if (duplicates.Count > 0) Sender.Tell(new ResultsAcknowledged(duplicates));
        // The last results are in: write now rather than when the flush timer fires.
        if (NothingPending && _leases.Count == 0) _sink.Tell(new ResultSink.FlushNow());
        Serve(Sender, node);
    }

    private void ReleaseLease(TrialKey id)
    {
        if (!_leases.Remove(id, out var lease)) return;
        if (_nodes.TryGetValue(lease.Holder, out var holder)) holder.Held.Remove(id);
    }

    private void HandleReturned(TrialsReturned m)
    {
        if (!_nodes.TryGetValue(Sender, out var node)) return;
        node.Wanting = 0;
        var returned = 0;
        foreach (var id in m.Trials)
        {
            if (!TrialKey.TryParse(id, out var key) || !_leases.TryGetValue(key, out var lease) || !Equals(lease.Holder, Sender)) continue;
            ReleaseLease(key);
            _again.Enqueue((key, lease.Lease.Trial));
            returned++;
        }
        _log.Info("node {0} handed back {1} trials", m.Node, returned);
        Sender.Tell(new TrialsTakenBack(returned));
        ServeWaiting();
    }

    private void HandleHeartbeat(NodeHeartbeat beat)
    {
        if (!_nodes.TryGetValue(Sender, out var node)) return;
        node.Heartbeat = beat;
        node.LastSeen = DateTime.UtcNow;
    }

    private void HandleNodesQuery(NodesQuery query)
    {
        if (_options.Secret is { } secret && !secret.Verify(query.Nonce, "status", query.Proof))
        {
            Sender.Tell(new NodeRejected("status needs the sweep's secret (--secret-file or SWEEP_SECRET)"));
            return;
        }
        Sender.Tell(new NodesReport([.. _nodes.Values.Select(n => new NodeHeartbeat(
            n.Id, n.Host, n.Slots, n.Held.Count, n.Heartbeat?.TrialsDone ?? 0, n.LastSeen, n.Heartbeat?.BusyGpus))]));
    }

    private void HandleMemberGone(Address address, string why)
    {
        foreach (var holder in _nodes.Keys.Where(r => r.Path.Address == address).ToList())
            HandleNodeGone(holder, why);
    }

    /// <summary>The node's leases go back to the pending trials (or end as failed after max_deliveries deaths).</summary>
    private void HandleNodeGone(IActorRef holder, string why)
    {
        if (!_nodes.Remove(holder, out var node)) return;
        Context.Unwatch(holder);
        var again = 0;
        foreach (var id in node.Held)
        {
            if (!_leases.Remove(id, out var lease)) continue;
            var spec = lease.Lease.Trial;
            if (lease.Lease.Attempt >= MaxDeliveries(spec))
            {
                _log.Warning("trial {0} was held by {1} nodes that died; recording it as failed", id, lease.Lease.Attempt);
                _recording.Add(id);
                _sink.Tell(new ResultSink.Write(TrialResults.NotRun(spec, TrialStatus.Failed, node.Id, lease.Lease.Attempt + 1,
                    $"gave up after {lease.Lease.Attempt} deliveries that never finished (the trial crashes or kills its node)"), ActorRefs.Nobody));
            }
            else
            {
                _again.Enqueue((id, spec));
                _orphans.Add(id);
                again++;
            }
        }
        _log.Warning("node {0} at {1} is {2}: {3} of its trials run again elsewhere", node.Id, holder.Path.Address, why, again);
        ServeWaiting();
    }

    private void HandleDurable(ResultSink.Durable m)
    {
        var released = new List<TrialKey>();
        foreach (var r in m.Results)
        {
            // Only results of this grid's trials reach the sink (HandleResults, HandleNodeGone): their ids parse.
            if (!TrialKey.TryParse(r.Spec.Id, out var key)) continue;
            _recording.Remove(key);
            _attempts.Remove(key);
            if (!_recorded.TryAdd(key, r.Status) || !_trials.Grid.Contains(key)) continue;
            _counts = _counts.With(r.Status);
            // An adaptive search may open its next probes now that this result is on disk.
            released.AddRange(_trials.Recorded(r));
        }
        if (released.Count > 0) _counts = _counts.Plus(SweepCounts.Of(released, _recorded));
        _counts = _counts with { Elapsed = _clock.Elapsed, Search = _trials.Summary };
        _progress.Report(_counts);
        if (_counts.Remaining == 0) Finish();
        else if (released.Count > 0) ServeWaiting();
    }

    private void HandleStop()
    {
        _stopping = true;
        _sink.Tell(new ResultSink.FlushNow());
    }

    private void Finish() => _finished.TrySetResult(_counts with { Elapsed = _clock.Elapsed });
}
