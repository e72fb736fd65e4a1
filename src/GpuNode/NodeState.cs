using Akka.Actor;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode;

/// <summary>
/// What a node must keep across the loss of its coordinator: the trials running on their threads and the outbox of
/// results not yet acknowledged. A node that loses its coordinator (restarted elsewhere on the same address, or this
/// node downed after a freeze) rejoins with a fresh ActorSystem, because Akka quarantines the old one; this object
/// outlives each system and the NodeAgent of the new one picks it up. Runner threads write here under the lock and
/// poke whichever agent is current.
/// </summary>
internal sealed class NodeState
{
    private readonly object _gate = new();
    private readonly Dictionary<TrialId, Lease> _running = [];
    private readonly Dictionary<TrialId, TrialResult> _outbox = [];
    private IActorRef? _agent;
    private long _done;

    /// <summary>Cancelled when the node stops: runners end without a result and their trials are handed back.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public sealed record Finished(TrialId Trial);

    public void Attach(IActorRef agent)
    {
        lock (_gate) _agent = agent;
    }

    public void Detach(IActorRef agent)
    {
        lock (_gate) if (Equals(_agent, agent)) _agent = null;
    }

    /// <summary>False when the trial already runs here or its result waits in the outbox (a duplicate lease).</summary>
    public bool TryStart(Lease lease)
    {
        lock (_gate)
        {
            if (_running.ContainsKey(lease.Trial.Id) || _outbox.ContainsKey(lease.Trial.Id)) return false;
            _running.Add(lease.Trial.Id, lease);
            return true;
        }
    }

    /// <summary>Called on the runner's thread: the result waits in the outbox until a coordinator acknowledges it.</summary>
    public void Finish(TrialResult result)
    {
        IActorRef? agent;
        lock (_gate)
        {
            _running.Remove(result.Spec.Id);
            _outbox[result.Spec.Id] = result;
            agent = _agent;
        }
        agent?.Tell(new Finished(result.Spec.Id));
    }

    /// <summary>A runner that ended without a result (the node is stopping).</summary>
    public void Abandon(TrialId trial)
    {
        lock (_gate) _running.Remove(trial);
    }

    public void Acknowledge(IEnumerable<TrialId> trials)
    {
        lock (_gate)
            foreach (var id in trials)
                if (_outbox.Remove(id)) _done++;
    }

    public int Running
    {
        get { lock (_gate) return _running.Count; }
    }

    public long Done
    {
        get { lock (_gate) return _done; }
    }

    public List<TrialId> RunningTrials()
    {
        lock (_gate) return [.. _running.Keys];
    }

    public List<TrialResult> Outbox(IReadOnlySet<TrialId>? only = null)
    {
        lock (_gate) return only is null ? [.. _outbox.Values] : [.. _outbox.Values.Where(r => only.Contains(r.Spec.Id))];
    }

    public int OutboxCount
    {
        get { lock (_gate) return _outbox.Count; }
    }
}
