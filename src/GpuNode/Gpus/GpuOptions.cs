using System.Globalization;

namespace SweepCluster.GpuNode.Gpus;

/// <summary>
/// The GPUs a node hands to its slots (--gpus) and how many programs may share one (--slots-per-gpu). No GPUs means
/// CPU slots: their programs get an empty CUDA_VISIBLE_DEVICES.
/// </summary>
internal sealed record GpuOptions(IReadOnlyList<GpuId> Gpus, int SlotsPerGpu)
{
    public static readonly GpuOptions None = new([], 1);

    /// <summary>Slots the GPUs give: each GPU times the programs it may hold; 0 without GPUs (the node's --slots then).</summary>
    public int Slots => Gpus.Count * SlotsPerGpu;

    /// <summary>
    /// The node's slot count: with GPUs, GPUs × SlotsPerGpu; without, --slots (null: not given) or one per core. Null, with
    /// error set to one line naming both flags, when --slots is given as well and disagrees. gpusFlag is --gpus as given.
    /// </summary>
    public int? SlotCount(int? slots, string? gpusFlag, out string? error)
    {
        error = null;
        if (Gpus.Count == 0) return slots ?? Environment.ProcessorCount;
        if (slots is null || slots == Slots) return Slots;
        error = $"--slots is {slots} but --gpus {gpusFlag} with --slots-per-gpu {SlotsPerGpu} makes {Slots} slots " +
            $"({Gpus.Count} GPU{(Gpus.Count == 1 ? "" : "s")} × {SlotsPerGpu}); leave --slots out or give {Slots}";
        return null;
    }

    /// <summary>
    /// Reads --gpus (null: not given; "all": every GPU nvidia-smi lists; else a comma list of indices or UUIDs) and
    /// --slots-per-gpu (null: 1). Returns null and sets error to one line naming the flag, the value and what was
    /// expected (exit 2 material).
    /// </summary>
    public static GpuOptions? Parse(string? gpus, string? slotsPerGpu, out string? error) =>
        Parse(gpus, slotsPerGpu, () => NvidiaSmi.List(), out error);

    /// <summary>As Parse, with the machine's GPU list (for `all`) from listAll instead of nvidia-smi.</summary>
    public static GpuOptions? Parse(string? gpus, string? slotsPerGpu, Func<IReadOnlyList<GpuId>> listAll, out string? error)
    {
        error = null;
        var perGpu = 1;
        if (slotsPerGpu is not null
            && (!int.TryParse(slotsPerGpu, NumberStyles.None, CultureInfo.InvariantCulture, out perGpu) || perGpu < 1))
        {
            error = $"--slots-per-gpu is '{slotsPerGpu}'; expected a whole number of programs per GPU, 1 or more";
            return null;
        }
        if (gpus is null)
        {
            if (slotsPerGpu is not null) error = "--slots-per-gpu needs --gpus: without GPUs there is nothing to share";
            return error is null ? None : null;
        }
        if (gpus.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            IReadOnlyList<GpuId> found;
            try { found = listAll(); }
            catch (GpuDiscoveryException e) { error = $"--gpus all: {e.Message}"; return null; }
            if (found.Count == 0) { error = "--gpus all: nvidia-smi -L lists no GPU on this machine; leave --gpus out to run programs on the CPU"; return null; }
            return new GpuOptions(found, perGpu);
        }
        var ids = new List<GpuId>();
        foreach (var raw in gpus.Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0 || !item.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '/'))
            {
                error = $"--gpus is '{gpus}'; expected 'all' or GPU indices or UUIDs separated by commas, e.g. 0,1,2,3 (bad item '{item}')";
                return null;
            }
            if (ids.Contains(new GpuId(item)))
            {
                error = $"--gpus is '{gpus}'; GPU '{item}' is named twice (use --slots-per-gpu to run several programs on one GPU)";
                return null;
            }
            ids.Add(new GpuId(item));
        }
        return new GpuOptions(ids, perGpu);
    }
}
