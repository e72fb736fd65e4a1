using Akka.Actor;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode;

/// <summary>
/// What a node must keep across the loss of its coordinator: the leases it holds (training in a slot or waiting for
/// one), the slots in use (each with the GPU it owns for the node's lifetime, GpuSlots) and the outbox of results not yet acknowledged. A node that loses its coordinator
/// (restarted elsewhere on the same address, or this node downed after a freeze) rejoins with a fresh ActorSystem,
/// because Akka quarantines the old one; this object outlives each system and the NodeAgent of the new one picks it
/// up. Slot threads write here under the lock and poke whichever agent is current.
/// </summary>
internal sealed class NodeState
{
    private readonly object _gate = new();
    private readonly Dictionary<TrialId, Lease> _held = [];
    private readonly List<Lease> _waiting = [];
    private readonly Dictionary<TrialId, TrialResult> _outbox = [];
    private IActorRef? _agent;
    private GpuSlots? _slots;
    private long _done;

    /// <summary>This process, as the coordinator tells a rejoining node from a restarted one.</summary>
    public string Incarnation { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Cancelled when the node stops: slots end without a result and their trials are handed back.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public sealed record Finished(TrialId Trial);

    /// <summary>A slot's thread ended: the agent starts the next work and asks for more.</summary>
    public sealed record SlotFreed;

    /// <summary>A free slot's next work: the slot (and the GPU it owns, for a program) and the leases it runs.</summary>
    public sealed record SlotWork(GpuLease Slot, IReadOnlyList<Lease> Leases);

    public void Attach(IActorRef agent)
    {
        lock (_gate) _agent = agent;
    }

    public void Detach(IActorRef agent)
    {
        lock (_gate) if (Equals(_agent, agent)) _agent = null;
    }

    /// <summary>
    /// Holds the lease until a slot takes it. False when the trial is already held here or its result waits in the
    /// outbox (a duplicate lease).
    /// </summary>
    public bool TryHold(Lease lease)
    {
        lock (_gate)
        {
            if (_held.ContainsKey(lease.Trial.Id) || _outbox.ContainsKey(lease.Trial.Id)) return false;
            _held.Add(lease.Trial.Id, lease);
            _waiting.Add(lease);
            return true;
        }
    }

    /// <summary>
    /// The next work for a free slot, which is then busy until FreeSlot; null when every slot is busy, nothing waits,
    /// or the node is stopping. Batched, the work is the first waiting lease with the waiting leases of its BatchKey,
    /// shared out among the free slots and at most batchTarget of them. A trial of the user's program always runs
    /// alone (it is a process of its own, on the slot's GPU), and so does a trial delivered before (its holder died
    /// or stopped: it may be the trial that kills its node), and everything when batching is off.
    /// </summary>
    public SlotWork? TakeWork(NodeOptions options, int batchTarget)
    {
        lock (_gate)
        {
            // Laid out once, from the first agent's options (every agent of this process has the same): a slot keeps
            // its GPU across agents.
            var slots = _slots ??= new GpuSlots(options.Gpus ?? GpuOptions.None, options.Slots);
            var free = slots.Count - slots.BusyCount;
            if (Stopping.IsCancellationRequested || free <= 0 || _waiting.Count == 0) return null;
            var first = _waiting[0];
            List<Lease> work = [first];
            if (options.Batching && Batchable(first) && Key(first) is { Batchable: true } key)
            {
                var same = _waiting.Skip(1).Where(l => Batchable(l) && Key(l) == key).ToList();
                var share = Math.Min(batchTarget, (same.Count + 1 + free - 1) / free);
                work.AddRange(same.Take(share - 1));
            }
            foreach (var lease in work) _waiting.Remove(lease);
            var slot = slots.TryAcquire(first.Trial.Id.Value) ?? throw new InvalidOperationException("a free slot was counted but none could be taken");
            return new SlotWork(slot, work);
        }
    }

    private static bool Batchable(Lease lease) => lease.Attempt <= 1 && lease.Trial.Config.Program is null;

    private static BatchKey? Key(Lease lease)
    {
        try { return BatchKey.For(lease.Trial.Config); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Called on a slot's thread when it is done with its work.</summary>
    public void FreeSlot(GpuLease slot)
    {
        IActorRef? agent;
        lock (_gate)
        {
            slot.Dispose();
            agent = _agent;
        }
        agent?.Tell(new SlotFreed());
    }

    /// <summary>Called on a slot's thread: the result waits in the outbox until a coordinator acknowledges it.</summary>
    public void Finish(TrialResult result)
    {
        IActorRef? agent;
        lock (_gate)
        {
            if (!_held.Remove(result.Spec.Id)) return; // already handed back: it runs again elsewhere
            _outbox[result.Spec.Id] = result;
            agent = _agent;
        }
        agent?.Tell(new Finished(result.Spec.Id));
    }

    /// <summary>A trial that ended without a result (the node is stopping).</summary>
    public void Abandon(TrialId trial)
    {
        lock (_gate) _held.Remove(trial);
    }

    /// <summary>
    /// The node stops: every held trial, training or waiting, is dropped here so that it is handed back, and no
    /// result of it is reported any more.
    /// </summary>
    public List<TrialId> GiveUpHeld()
    {
        lock (_gate)
        {
            Stopping.Cancel();
            var held = _held.Keys.ToList();
            _held.Clear();
            _waiting.Clear();
            return held;
        }
    }

    public void Acknowledge(IEnumerable<TrialId> trials)
    {
        lock (_gate)
            foreach (var id in trials)
                if (_outbox.Remove(id)) _done++;
    }

    /// <summary>Trials held: training in a slot or waiting for one.</summary>
    public int Held
    {
        get { lock (_gate) return _held.Count; }
    }

    /// <summary>Leases waiting for a slot.</summary>
    public int Waiting
    {
        get { lock (_gate) return _waiting.Count; }
    }

    public int BusySlots
    {
        get { lock (_gate) return _slots?.BusyCount ?? 0; }
    }

    /// <summary>The GPU of each busy slot that has one, in slot order (heartbeats, `sweep status`).</summary>
    public List<string> BusyGpus()
    {
        lock (_gate) return _slots is null ? [] : [.. _slots.Busy().Where(b => b.Gpu is not null).Select(b => b.Gpu!.Value.Value)];
    }

    public long Done
    {
        get { lock (_gate) return _done; }
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
