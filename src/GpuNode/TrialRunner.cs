using System.Diagnostics;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode;

/// <summary>
/// Owns one trial trained alone: its dedicated thread (training never runs on an actor's thread), its cancellation
/// and its timeout. Exactly one result is reported per trial through onFinished, unless the node is stopping (then
/// onAbandoned, and the coordinator leases the trial again).
/// A trial that ignores cancellation is reported as timeout when its time is up and its thread is abandoned,
/// so a hung trial never holds its slot's result hostage. A slot runs its batches with BatchRunner, which falls
/// back to this one trial at a time.
/// </summary>
internal sealed class TrialRunner
{
    /// <summary>Test hook: a node whose trial id starts with this value kills its own process when it starts it.</summary>
    internal const string CrashHookVariable = "SWEEP_TEST_CRASH_ON";

    /// <summary>
    /// Test hook: every trial waits this many milliseconds (cancellably) before it trains, so that fault tests can
    /// kill a node while its trials are surely running, however fast the engine becomes.
    /// </summary>
    internal const string DelayHookVariable = "SWEEP_TEST_TRIAL_DELAY_MS";

    private readonly TrialSpec _spec;
    private readonly NodeId _node;
    private readonly int _attempt;
    private readonly Action<TrialResult> _onFinished;
    private readonly Action<TrialId> _onAbandoned;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _cancel;
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ManualResetEventSlim _settled = new();
    private Timer? _deadline;
    private int _reported;

    private TrialRunner(TrialSpec spec, NodeId node, int attempt, Action<TrialResult> onFinished, Action<TrialId> onAbandoned, CancellationToken stopping)
    {
        (_spec, _node, _attempt, _onFinished, _onAbandoned, _stopping) = (spec, node, attempt, onFinished, onAbandoned, stopping);
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>Starts the trial on its own thread; a timeout of zero or less means no limit.</summary>
    public static TrialRunner Start(Lease lease, NodeId node, Action<TrialResult> onFinished, Action<TrialId> onAbandoned, CancellationToken stopping)
    {
        var spec = lease.Trial;
        var timeout = spec.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(spec.TimeoutSeconds) : Timeout.InfiniteTimeSpan;
        var runner = new TrialRunner(spec, node, lease.Attempt, onFinished, onAbandoned, stopping);
        runner._deadline = new Timer(static s => ((TrialRunner)s!).HandleDeadline(), runner, timeout, Timeout.InfiniteTimeSpan);
        new Thread(runner.Run) { IsBackground = true, Name = $"trial {spec.Id}" }.Start();
        return runner;
    }

    /// <summary>
    /// Blocks until the trial is reported or abandoned: a hung trial counts as settled once its timeout is reported,
    /// though its thread may still run.
    /// </summary>
    public void WaitSettled() => _settled.Wait();

    private void Run()
    {
        try
        {
            var hook = Environment.GetEnvironmentVariable(CrashHookVariable);
            if (!string.IsNullOrEmpty(hook) && _spec.Id.Value.StartsWith(hook, StringComparison.Ordinal))
                Process.GetCurrentProcess().Kill();
            if (int.TryParse(Environment.GetEnvironmentVariable(DelayHookVariable), out var delay) && delay > 0)
            {
                _cancel.Token.WaitHandle.WaitOne(delay);
                _cancel.Token.ThrowIfCancellationRequested();
            }
            var outcome = Trainer.Run(_spec.Config, _cancel.Token);
            Report(StatusOf(outcome), outcome, null);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The node is stopping: no result; the node hands the trial back and it runs again elsewhere.
            _onAbandoned(_spec.Id);
            _settled.Set();
        }
        catch (OperationCanceledException)
        {
            HandleDeadline();
        }
        catch (Exception e)
        {
            Report(TrialStatus.Failed, null, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _deadline?.Dispose();
            _cancel.Dispose();
        }
    }

    private void HandleDeadline()
    {
        if (_stopping.IsCancellationRequested)
        {
            _settled.Set();
            return;
        }
        try { _cancel.Cancel(); } catch (ObjectDisposedException) { }
        Report(TrialStatus.Timeout, null, $"trial exceeded its time limit after {_clock.Elapsed.TotalSeconds:F1} s");
    }

    private void Report(TrialStatus status, TrialOutcome? outcome, string? error)
    {
        if (Interlocked.Exchange(ref _reported, 1) != 0) return;
        _onFinished(Result(_spec, status, outcome, error, _node, _attempt, _startedAt, _clock.Elapsed.TotalSeconds));
        _settled.Set();
    }

    /// <summary>A trial's result row, alone or from a batch (wallSeconds: from its start to its stop).</summary>
    internal static TrialResult Result(TrialSpec spec, TrialStatus status, TrialOutcome? outcome, string? error, NodeId node, int attempt, DateTime startedAt, double wallSeconds) =>
        new(spec, status,
            outcome?.TrainLoss ?? double.NaN, outcome?.TestError ?? double.NaN, outcome?.TestErrorUnobserved,
            outcome?.Steps ?? 0, outcome?.ParamCount ?? 0, ModelKinds.Describe(spec.Config),
            wallSeconds, node, attempt, startedAt, DateTime.UtcNow,
            error ?? (status == TrialStatus.Diverged ? "training diverged (NaN, Inf or loss blow-up)" : null),
            outcome?.Curve is { Count: > 0 } curve ? curve : null);

    internal static TrialStatus StatusOf(TrialOutcome outcome) => outcome.Status == OutcomeStatus.Ok ? TrialStatus.Ok : TrialStatus.Diverged;
}
