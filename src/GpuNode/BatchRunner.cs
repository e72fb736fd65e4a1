using System.Diagnostics;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.GpuNode.Programs;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode;

/// <summary>
/// Owns one slot's work on its dedicated thread (training never runs on an actor's thread): a batch of leases that
/// share a BatchKey, trained together by Trainer.RunBatch, one lease trained alone, or one trial of the user's
/// program, run as a process of its own on the slot's GPU (ProgramTrials; engine trials ignore the GPU). Each trial
/// is reported through onFinished the moment it stops, exactly once, unless the node is stopping (then onAbandoned: it is
/// handed back). A trial's own limits hold as if it ran alone: when the batch's deadline (its shortest time limit)
/// passes, or RunBatch refuses the batch (a bad config), the trials not yet reported run again one by one through
/// TrialRunner with their own time limit, so that a hung trial ends as a timeout row and a bad config as a failed
/// row, alone. onSlotFree runs last, once, with the slot.
/// </summary>
internal sealed class BatchRunner
{
    private readonly IReadOnlyList<Lease> _work;
    private readonly GpuLease _slot;
    private readonly NodeId _node;
    private readonly Action<TrialResult> _onFinished;
    private readonly Action<TrialId> _onAbandoned;
    private readonly Action<GpuLease> _onSlotFree;
    private readonly CancellationToken _stopping;

    private BatchRunner(NodeState.SlotWork work, NodeId node, Action<TrialResult> onFinished, Action<TrialId> onAbandoned, Action<GpuLease> onSlotFree, CancellationToken stopping) =>
        (_work, _slot, _node, _onFinished, _onAbandoned, _onSlotFree, _stopping) = (work.Leases, work.Slot, node, onFinished, onAbandoned, onSlotFree, stopping);

    public static void Start(NodeState.SlotWork work, NodeId node, Action<TrialResult> onFinished, Action<TrialId> onAbandoned, Action<GpuLease> onSlotFree, CancellationToken stopping)
    {
        var runner = new BatchRunner(work, node, onFinished, onAbandoned, onSlotFree, stopping);
        var leases = work.Leases;
        var name = leases.Count == 1 ? $"trial {leases[0].Trial.Id}" : $"batch of {leases.Count} from {leases[0].Trial.Id}";
        new Thread(runner.Run) { IsBackground = true, Name = name }.Start();
    }

    private void Run()
    {
        try
        {
            if (_work is [{ Trial.Config.Program: not null } program]) RunProgram(program);
            else RunAlone(_work.Count == 1 ? [.. _work] : RunBatch());
        }
        finally
        {
            _onSlotFree(_slot);
        }
    }

    /// <summary>The user's program on this slot's GPU; the slot stays taken until the program's process group is gone.</summary>
    private void RunProgram(Lease lease)
    {
        if (!_stopping.IsCancellationRequested && ProgramTrials.Run(lease, _node, _slot.Gpu, _stopping) is { } result) _onFinished(result);
        else _onAbandoned(lease.Trial.Id);
    }

    /// <summary>Trains the batch; returns the leases still to run alone (none when every trial was reported).</summary>
    private List<Lease> RunBatch()
    {
        var reported = new bool[_work.Count];
        var startedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var limits = _work.Select(l => l.Trial.TimeoutSeconds).Where(s => s > 0).ToList();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        if (limits.Count > 0) cancel.CancelAfter(TimeSpan.FromSeconds(limits.Min()));
        try
        {
            // The test hooks act on a batch as on each of its trials: they all start now.
            var hook = Environment.GetEnvironmentVariable(TrialRunner.CrashHookVariable);
            if (!string.IsNullOrEmpty(hook) && _work.Any(l => l.Trial.Id.Value.StartsWith(hook, StringComparison.Ordinal)))
                Process.GetCurrentProcess().Kill();
            if (int.TryParse(Environment.GetEnvironmentVariable(TrialRunner.DelayHookVariable), out var delay) && delay > 0)
            {
                cancel.Token.WaitHandle.WaitOne(delay);
                cancel.Token.ThrowIfCancellationRequested();
            }
            Trainer.RunBatch([.. _work.Select(l => l.Trial.Config)], (i, outcome) =>
            {
                reported[i] = true;
                var lease = _work[i];
                _onFinished(TrialRunner.Result(lease.Trial, TrialRunner.StatusOf(outcome), outcome, null, _node, lease.Attempt, startedAt, clock.Elapsed.TotalSeconds));
            }, cancel.Token);
            return [];
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The node is stopping: the unfinished trials are handed back and run again elsewhere.
            for (var i = 0; i < _work.Count; i++)
                if (!reported[i]) _onAbandoned(_work[i].Trial.Id);
            return [];
        }
        catch (Exception)
        {
            // The deadline passed, a trial's config is refused (ArgumentException) or the batch failed: each
            // unfinished trial alone, under its own limit, so that what goes wrong is one trial's row.
            return [.. _work.Where((_, i) => !reported[i])];
        }
    }

    private void RunAlone(List<Lease> leases)
    {
        foreach (var lease in leases)
        {
            if (_stopping.IsCancellationRequested)
            {
                _onAbandoned(lease.Trial.Id);
                continue;
            }
            TrialRunner.Start(lease, _node, _onFinished, _onAbandoned, _stopping).WaitSettled();
        }
    }
}
