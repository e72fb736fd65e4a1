namespace SweepCluster.GpuNode.Gpus;

/// <summary>A busy slot as heartbeats and `sweep status` show it: the GPU its program runs on (null: CPU) and the trial.</summary>
internal sealed record BusySlot(int Slot, GpuId? Gpu, string Owner);

/// <summary>
/// The node's slots and the GPU each one gives its program. With GPUs, there are SlotsPerGpu slots per GPU, and a new
/// trial goes to a free slot of the least busy GPU, so that two programs share a GPU only when every GPU already has
/// one and --slots-per-gpu allows it. Without GPUs, every slot is a CPU slot. Safe to call from any thread.
/// </summary>
internal sealed class GpuSlots
{
    private readonly GpuId?[] _gpuOf;
    private readonly string?[] _owner;
    private readonly Lock _lock = new();

    public GpuSlots(GpuOptions gpus, int cpuSlots)
    {
        if (gpus.Gpus.Count == 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cpuSlots, 1);
            _gpuOf = new GpuId?[cpuSlots];
        }
        else
        {
            // Slot s runs on GPU s mod G: the first G slots cover every GPU once, the next G share them, and so on.
            _gpuOf = Enumerable.Range(0, gpus.Slots).Select(s => (GpuId?)gpus.Gpus[s % gpus.Gpus.Count]).ToArray();
        }
        _owner = new string?[_gpuOf.Length];
    }

    public int Count => _gpuOf.Length;

    /// <summary>Slots held now.</summary>
    public int BusyCount
    {
        get
        {
            lock (_lock) return _owner.Count(o => o is not null);
        }
    }

    /// <summary>Takes a free slot for owner (a trial id), or returns null when every slot is busy.</summary>
    public GpuLease? TryAcquire(string owner)
    {
        lock (_lock)
        {
            var best = -1;
            var bestLoad = int.MaxValue;
            for (var s = 0; s < _owner.Length; s++)
            {
                if (_owner[s] is not null) continue;
                var load = Load(_gpuOf[s]);
                if (load < bestLoad) (best, bestLoad) = (s, load);
            }
            if (best < 0) return null;
            _owner[best] = owner;
            return new GpuLease(this, best, _gpuOf[best], owner);
        }
    }

    /// <summary>A snapshot of the busy slots, in slot order.</summary>
    public IReadOnlyList<BusySlot> Busy()
    {
        lock (_lock)
        {
            var busy = new List<BusySlot>();
            for (var s = 0; s < _owner.Length; s++)
                if (_owner[s] is { } owner) busy.Add(new BusySlot(s, _gpuOf[s], owner));
            return busy;
        }
    }

    internal void Release(int slot)
    {
        lock (_lock) _owner[slot] = null;
    }

    private int Load(GpuId? gpu)
    {
        if (gpu is null) return 0;
        var load = 0;
        for (var s = 0; s < _owner.Length; s++)
            if (_owner[s] is not null && _gpuOf[s] == gpu) load++;
        return load;
    }
}

/// <summary>One slot held by one trial until disposed; disposing twice releases once.</summary>
internal sealed class GpuLease(GpuSlots slots, int slot, GpuId? gpu, string owner) : IDisposable
{
    private int _released;

    public int Slot => slot;
    public GpuId? Gpu => gpu;
    public string Owner => owner;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release(slot);
    }
}
