using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using SweepCluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode;

/// <summary>
/// Owns a node's slots and its conversation with the coordinator: registers (proving the sweep's secret), pulls
/// enough trials to fill its free slots' batches (LanesPerBatch × Trainer.LaneCount trials per slot; one per slot
/// on its first pull, before it has seen a trial, with batching off, and for the user's program, whose trials run
/// one per slot on the slot's GPU), starts a BatchRunner per busy slot, heartbeats the GPUs of its busy slots, and
/// sends results in batches, again and again until the coordinator acknowledges them (Akka delivers at most once).
/// Its state that must outlive this actor (held leases, busy slots, the outbox) lives in NodeState. Embedded, the
/// coordinator is given; on a cluster the agent finds it at the seed's address once this member is up, and reports
/// its loss so that the node can rejoin with a fresh ActorSystem.
/// </summary>
internal sealed class NodeAgent : ReceiveActor, IWithTimers
{
    /// <summary>A result not acknowledged within this time is sent again.</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(2);
    private const int MaxResultsPerMessage = 256;

    /// <summary>
    /// A slot's batch holds this many times the trials its lanes train at once: a lane whose trial stops takes the
    /// next one of the batch, so that a batch's stragglers do not leave the other lanes idle.
    /// </summary>
    internal const int LanesPerBatch = 4;

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
    private int _returned;
    private int _batchTarget = 1;

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
        Receive<NodeState.SlotFreed>(_ => HandleSlotFreed());
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
        StartWork(); // slots freed while no agent was attached
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
            _coordinator.Tell(new NodeHeartbeat(Options.Node, Environment.MachineName, Options.Slots, _state.BusySlots, _state.Done, now, _state.BusyGpus()));
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
        Sender.Tell(new RegisterNode(Options.Node, Environment.MachineName, Options.Slots, challenge.Nonce, proof, _state.Incarnation));
    }

    private void HandleWelcome(NodeWelcome welcome)
    {
        _registered = true;
        _outstanding = 0;
        _sentAt.Clear();
        _log.Info("node {0}: registered with sweep {1}; {2} results to hand over, {3} trials held", Options.Node, welcome.Sweep, _state.OutboxCount, _state.Held);
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
        foreach (var lease in granted.Leases)
        {
            if (!_state.TryHold(lease)) continue;
            if (Options.Batching && lease.Attempt <= 1 && lease.Trial.Config.Program is null) LearnBatchTarget(lease.Trial);
        }
        StartWork();
    }

    /// <summary>Trials per slot to ask for: how many one batch of this kind trains at once on this processor.</summary>
    private void LearnBatchTarget(TrialSpec trial)
    {
        try { _batchTarget = Math.Max(1, LanesPerBatch * Trainer.LaneCount(trial.Config)); }
        catch (ArgumentException) { } // a bad config: its trial ends as a failed row; the target stays
    }

    /// <summary>Every free slot takes the next work waiting: a batch of leases, or one lease alone.</summary>
    private void StartWork()
    {
        var started = 0;
        while (_state.TakeWork(Options, _batchTarget) is { } work)
        {
            BatchRunner.Start(work, Options.Node, _state.Finish, _state.Abandon, _state.FreeSlot, _state.Stopping.Token);
            started += work.Leases.Count;
        }
        if (started > 0 && (_log.IsDebugEnabled || _settings.LogTrials))
            _log.Info("node {0}: started {1} trials, busy {2}/{3}, {4} waiting", Options.Node, started, _state.BusySlots, Options.Slots, _state.Waiting);
    }

    private void HandleSlotFreed()
    {
        StartWork();
        ScheduleFlush();
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
        var want = (Options.Slots - _state.BusySlots) * _batchTarget - _state.Waiting - _outstanding;
        if (want > 0)
        {
            _outstanding += want;
            _coordinator.Tell(new TrialsWanted(Options.Node, want));
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
        _log.Warning("node {0}: {1}; {2} results wait for the next coordinator, {3} trials held go on", Options.Node, lost.Why, _state.OutboxCount, _state.Held);
        _coordinator = null;
        _registered = false;
        _lost.TrySetResult(lost.Why);
    }

    private void HandleHandBack()
    {
        _handingBack = Sender;
        // Slots see the cancellation and end without a result; their unfinished trials and those waiting for a
        // slot go back to the coordinator now.
        var held = _state.GiveUpHeld();
        _returned = held.Count;
        if (_coordinator is not null && _registered && held.Count > 0)
        {
            _returnPending = true;
            _coordinator.Tell(new TrialsReturned(Options.Node, held));
        }
        _log.Info("node {0}: stopping; handing back {1} held trials", Options.Node, held.Count);
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
        _handingBack?.Tell(new HandedBack(_returned, _state.OutboxCount));
    }
}
