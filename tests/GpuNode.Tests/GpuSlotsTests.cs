using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.GpuNode.Programs;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>Slots hand out GPUs so that concurrent programs never share one unless --slots-per-gpu allows it.</summary>
public sealed class GpuSlotsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Concurrent_programs_each_see_exactly_one_GPU_and_no_two_the_same()
    {
        var slots = new GpuSlots(new GpuOptions([new("0"), new("1"), new("2")], 1), cpuSlots: 99);
        Assert.Equal(3, slots.Count);
        // Each program records what it sees, and stays long enough for the three to overlap.
        var program = new ProgramInvocation(["sh", "-c", $"echo \"$CUDA_VISIBLE_DEVICES\" > {_folder.Path}/seen-$$; echo run >> {_folder.Path}/running; " +
            $"while [ $(wc -l < {_folder.Path}/running) -lt 3 ]; do sleep 0.05; done; echo '{{\"test_error\": 0}}' > \"$SWEEP_RESULT\""], _folder.Path);
        var leases = Enumerable.Range(0, 3).Select(i => slots.TryAcquire($"t{i}")!).ToArray();
        Assert.Null(slots.TryAcquire("t3"));
        Assert.Equal(["0", "1", "2"], slots.Busy().Select(b => b.Gpu!.Value.Value).Order());

        var outcomes = await Task.WhenAll(leases.Select(lease => ProgramTrialRunner.RunAsync(new ProgramTrial(program,
            new JsonObject { ["trial_id"] = lease.Owner }, Path.Combine(_folder.Path, lease.Owner), Path.Combine(_folder.Path, $"{lease.Owner}.log"),
            lease.Gpu, TimeSpan.FromSeconds(60)), CancellationToken.None)));

        Assert.All(outcomes, o => Assert.Equal(TrialStatus.Ok, o.Status));
        var seen = Directory.GetFiles(_folder.Path, "seen-*").Select(f => File.ReadAllText(f).Trim()).Order().ToArray();
        Assert.Equal(["0", "1", "2"], seen);
        foreach (var lease in leases) lease.Dispose();
        Assert.Empty(slots.Busy());
    }

    [Fact]
    public async Task Two_slots_per_GPU_let_two_programs_run_on_one_GPU_at_once()
    {
        var slots = new GpuSlots(new GpuOptions([new("3")], 2), cpuSlots: 1);
        // Each program waits until both run, so they surely share the GPU at the same time.
        var program = new ProgramInvocation(["sh", "-c", $"echo \"$CUDA_VISIBLE_DEVICES\" > {_folder.Path}/seen-$$; echo run >> {_folder.Path}/running; " +
            $"while [ $(wc -l < {_folder.Path}/running) -lt 2 ]; do sleep 0.05; done; echo '{{\"test_error\": 0}}' > \"$SWEEP_RESULT\""], _folder.Path);
        var leases = new[] { slots.TryAcquire("a")!, slots.TryAcquire("b")! };
        Assert.Null(slots.TryAcquire("c"));

        var outcomes = await Task.WhenAll(leases.Select(lease => ProgramTrialRunner.RunAsync(new ProgramTrial(program,
            new JsonObject { ["trial_id"] = lease.Owner }, Path.Combine(_folder.Path, lease.Owner), Path.Combine(_folder.Path, $"{lease.Owner}.log"),
            lease.Gpu, TimeSpan.FromSeconds(30)), CancellationToken.None)));

        Assert.All(outcomes, o => Assert.Equal(TrialStatus.Ok, o.Status));
        Assert.Equal(["3", "3"], Directory.GetFiles(_folder.Path, "seen-*").Select(f => File.ReadAllText(f).Trim()));
    }

    [Fact]
    public void Two_slots_per_GPU_fill_every_GPU_once_before_sharing_one()
    {
        var slots = new GpuSlots(new GpuOptions([new("0"), new("1")], 2), cpuSlots: 1);
        Assert.Equal(4, slots.Count);
        var a = slots.TryAcquire("a")!;
        var b = slots.TryAcquire("b")!;
        Assert.NotEqual(a.Gpu, b.Gpu);
        var c = slots.TryAcquire("c")!;
        var d = slots.TryAcquire("d")!;
        Assert.Null(slots.TryAcquire("e"));
        Assert.Equal(2, slots.Busy().Count(s => s.Gpu == new GpuId("0")));
        Assert.Equal(2, slots.Busy().Count(s => s.Gpu == new GpuId("1")));

        b.Dispose();
        b.Dispose();   // twice releases once
        var e = slots.TryAcquire("e")!;
        Assert.Equal(b.Gpu, e.Gpu);
        Assert.Null(slots.TryAcquire("f"));
        Assert.Equal(["a", "c", "d", "e"], slots.Busy().Select(s => s.Owner).Order());
        foreach (var lease in (GpuLease[])[a, c, d, e]) lease.Dispose();
    }

    [Fact]
    public void One_slot_per_GPU_never_puts_two_programs_on_one_GPU()
    {
        var slots = new GpuSlots(new GpuOptions([new("GPU-aa"), new("GPU-bb")], 1), cpuSlots: 8);
        var a = slots.TryAcquire("a")!;
        var b = slots.TryAcquire("b")!;
        Assert.Null(slots.TryAcquire("c"));
        a.Dispose();
        Assert.Equal(a.Gpu, slots.TryAcquire("c")!.Gpu);
        Assert.NotEqual(a.Gpu, b.Gpu);
    }

    [Fact]
    public void Without_GPUs_every_slot_is_a_CPU_slot()
    {
        var slots = new GpuSlots(GpuOptions.None, cpuSlots: 2);
        Assert.Null(slots.TryAcquire("a")!.Gpu);
        Assert.Null(slots.TryAcquire("b")!.Gpu);
        Assert.Null(slots.TryAcquire("c"));
    }
}
