using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using SweepCluster.Hosting;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>
/// Owns a node's slots and its conversation with the coordinator: registers (proving the sweep's secret), pulls
/// as many trials as it has free slots, starts a TrialRunner per lease, and sends results in batches, again and
/// again until the coordinator acknowledges them (Akka delivers at most once). Its state that must outlive this
/// actor (running trials, the outbox) lives in NodeState. Embedded, the coordinator is given; on a cluster the
/// agent finds it at the seed's address once this member is up, and reports its loss so that the node can rejoin
/// with a fresh ActorSystem.
/// </summary>
internal sealed class NodeAgent : ReceiveActor, IWithTimers
{
    /// <summary>A result not acknowledged within this time is sent again.</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(2);
    private const int MaxResultsPerMessage = 256;

    /// <param name="LogTrials">Log each batch of trials started (sweep-node --verbose; the fault tests read it).</param>
    public sealed record Settings(NodeOptions Options, SharedSecret? Secret, string? CoordinatorPath, bool LogTrials = false);

    /// <summary>Asked on SIGTERM: hand the running trials back, deliver what is finished, then answer Done.</summary>
    public sealed record HandBack;
    public sealed record HandedBack(int Returned, int Undelivered);

    private sealed record Tick;
    private sealed record FlushDue;
    private sealed record Lost(string Why);

    /// <summary>
    /// How long the coordinator may stay unreachable before this node gives up on its ActorSystem and rejoins. A
    /// coordinator restarted on the same address forms a new cluster that the old members would only leave when
    /// the split-brain resolver downs them; rejoining sooner costs nothing (trials and outbox carry over).
    /// </summary>
    public static readonly TimeSpan CoordinatorPatience = TimeSpan.FromSeconds(2);

    private readonly Settings _settings;
    private readonly NodeState _state;
    private readonly TaskCompletionSource<string> _lost;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<TrialId, DateTime> _sentAt = [];
    private IActorRef? _coordinator;
    private bool _registered;
    private int _outstanding;
    private bool _flushScheduled;
    private DateTime _lastHello = DateTime.MinValue;
    private DateTime _lastHeartbeat = DateTime.MinValue;
    private IActorRef? _handingBack;
    private bool _returnPending;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="coordinator">The coordinator's sweep actor when it is known up front (embedded).</param>
    /// <param name="lost">Completed with a reason when the coordinator is gone for good from this ActorSystem's view.</param>
    public NodeAgent(Settings settings, NodeState state, IActorRef? coordinator, TaskCompletionSource<string> lost)
    {
        (_settings, _state, _coordinator, _lost) = (settings, state, coordinator, lost);
        Receive<ActorIdentity>(HandleIdentity);
        Receive<RegistrationChallenge>(HandleChallenge);
        Receive<NodeWelcome>(HandleWelcome);
        Receive<NodeRejected>(HandleRejected);
        Receive<TrialsGranted>(HandleGranted);
        Receive<ResultsAcknowledged>(HandleAcknowledged);
        Receive<NodeState.Finished>(_ => ScheduleFlush());
        Receive<FlushDue>(_ => HandleFlush());
        Receive<Tick>(_ => HandleTick());
        Receive<Terminated>(t => HandleLost(new Lost($"the coordinator at {t.ActorRef.Path.Address} is gone")));
        Receive<Lost>(HandleLost);
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            if (m.Member.HasRole(AkkaConfig.CoordinatorRole))
                Timers.StartSingleTimer("coordinator-unreachable", new Lost($"the coordinator at {m.Member.Address} is unreachable"), CoordinatorPatience);
        });
        Receive<ClusterEvent.ReachableMember>(m =>
        {
            if (m.Member.HasRole(AkkaConfig.CoordinatorRole)) Timers.Cancel("coordinator-unreachable");
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<HandBack>(_ => HandleHandBack());
        Receive<TrialsTakenBack>(_ => HandleTakenBack());
    }

    private NodeOptions Options => _settings.Options;

    protected override void PreStart()
    {
        _state.Attach(Self);
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(250));
        if (_coordinator is not null) SayHello();
        else
        {
            var cluster = Cluster.Get(Context.System);
            cluster.RegisterOnMemberUp(() => Self.Tell(new Tick()));
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent));
        }
    }

    protected override void PostStop() => _state.Detach(Self);

    private void SayHello()
    {
        if (_coordinator is null) return;
        _lastHello = DateTime.UtcNow;
        _coordinator.Tell(new NodeHello(Options.Node, Environment.MachineName, Options.Slots));
    }

    private void HandleTick()
    {
        var now = DateTime.UtcNow;
        if (_coordinator is null)
        {
            // On a cluster: look for the coordinator once this member is up, and keep looking until it answers.
            if (_settings.CoordinatorPath is { } path && now - _lastHello > TimeSpan.FromSeconds(1) && Cluster.Get(Context.System).SelfMember.Status == MemberStatus.Up)
            {
                _lastHello = now;
                Context.ActorSelection(path).Tell(new Identify("coordinator"));
            }
            return;
        }
        if (!_registered)
        {
            if (now - _lastHello > TimeSpan.FromSeconds(2)) SayHello();
            return;
        }
        if (now - _lastHeartbeat >= Options.HeartbeatInterval)
        {
            _lastHeartbeat = now;
            _coordinator.Tell(new NodeHeartbeat(Options.Node, Environment.MachineName, Options.Slots, _state.Running, _state.Done, now));
        }
        var stale = _state.Outbox().Where(r => !_sentAt.TryGetValue(r.Spec.Id, out var at) || now - at > ResendAfter).ToList();
        if (stale.Count > 0) SendResults(stale, now);
    }

    private void HandleIdentity(ActorIdentity identity)
    {
        if (identity.Subject is not { } coordinator || _coordinator is not null) return;
        _coordinator = coordinator;
        Context.Watch(coordinator);
        _log.Info("node {0}: found the coordinator at {1}", Options.Node, coordinator.Path.Address);
        SayHello();
    }

    private void HandleChallenge(RegistrationChallenge challenge)
    {
        var proof = _settings.Secret?.Prove(challenge.Nonce, Options.Node.Value) ?? "";
        Sender.Tell(new RegisterNode(Options.Node, Environment.MachineName, Options.Slots, challenge.Nonce, proof));
    }

    private void HandleWelcome(NodeWelcome welcome)
    {
        _registered = true;
        _outstanding = 0;
        _sentAt.Clear();
        _log.Info("node {0}: registered with sweep {1}; {2} results to hand over, {3} trials running", Options.Node, welcome.Sweep, _state.OutboxCount, _state.Running);
        ScheduleFlush();
    }

    private void HandleRejected(NodeRejected rejected)
    {
        if (_registered) _log.Warning("node {0}: the coordinator does not know this node ({1}); registering again", Options.Node, rejected.Reason);
        else _log.Error("node {0}: registration refused: {1}", Options.Node, rejected.Reason);
        _registered = false;
        _lastHello = DateTime.UtcNow; // the next hello after the tick's pause, not in a tight loop
    }

    private void HandleGranted(TrialsGranted granted)
    {
        _outstanding = Math.Max(0, _outstanding - granted.Leases.Count);
        if (_handingBack is not null)
        {
            Sender.Tell(new TrialsReturned(Options.Node, [.. granted.Leases.Select(l => l.Trial.Id)]));
            return;
        }
        var started = 0;
        foreach (var lease in granted.Leases)
        {
            if (!_state.TryStart(lease)) continue;
            TrialRunner.Start(lease, Options.Node, _state.Finish, _state.Abandon, _state.Stopping.Token);
            started++;
        }
        if (_log.IsDebugEnabled || _settings.LogTrials)
            _log.Info("node {0}: started {1} trials, busy {2}/{3}", Options.Node, started, _state.Running, Options.Slots);
    }

    private void HandleAcknowledged(ResultsAcknowledged acknowledged)
    {
        _state.Acknowledge(acknowledged.Trials);
        foreach (var id in acknowledged.Trials) _sentAt.Remove(id);
        if (_handingBack is not null && _state.OutboxCount == 0) FinishHandBack();
    }

    private void ScheduleFlush()
    {
        if (_flushScheduled) return;
        _flushScheduled = true;
        // Behind whatever is already in the mailbox: trials that finish together leave in one message.
        Self.Tell(new FlushDue());
    }

    private void HandleFlush()
    {
        _flushScheduled = false;
        if (!_registered || _coordinator is null) return;
        var now = DateTime.UtcNow;
        var fresh = _state.Outbox().Where(r => !_sentAt.ContainsKey(r.Spec.Id)).ToList();
        if (fresh.Count > 0) SendResults(fresh, now);
        if (_handingBack is not null) return;
        var free = Options.Slots - _state.Running - _outstanding;
        if (free > 0)
        {
            _outstanding += free;
            _coordinator.Tell(new TrialsWanted(Options.Node, free));
        }
    }

    private void SendResults(List<TrialResult> results, DateTime now)
    {
        foreach (var chunk in results.Chunk(MaxResultsPerMessage))
        {
            foreach (var r in chunk) _sentAt[r.Spec.Id] = now;
            _coordinator!.Tell(new ResultsReady(Options.Node, chunk));
        }
    }

    private void HandleLost(Lost lost)
    {
        if (_lost.Task.IsCompleted) return;
        _log.Warning("node {0}: {1}; {2} results wait for the next coordinator, {3} trials keep running", Options.Node, lost.Why, _state.OutboxCount, _state.Running);
        _coordinator = null;
        _registered = false;
        _lost.TrySetResult(lost.Why);
    }

    private void HandleHandBack()
    {
        _handingBack = Sender;
        // Runners see the cancellation and end without a result; their trials go back to the coordinator now.
        _state.Stopping.Cancel();
        var running = _state.RunningTrials();
        if (_coordinator is not null && _registered && running.Count > 0)
        {
            _returnPending = true;
            _coordinator.Tell(new TrialsReturned(Options.Node, running));
        }
        _log.Info("node {0}: stopping; handing back {1} running trials", Options.Node, running.Count);
        if (!_registered) FinishHandBack();
        else if (_state.OutboxCount > 0) ScheduleFlush();
        else if (!_returnPending) FinishHandBack();
    }

    private void HandleTakenBack()
    {
        _returnPending = false;
        if (_handingBack is not null && _state.OutboxCount == 0) FinishHandBack();
    }

    /// <summary>Answers the stop request once the coordinator has the returned trials and every result.</summary>
    private void FinishHandBack()
    {
        if (_returnPending && _registered) return;
        _handingBack?.Tell(new HandedBack(_state.RunningTrials().Count, _state.OutboxCount));
    }
}
