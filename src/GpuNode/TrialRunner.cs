using System.Diagnostics;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode;

/// <summary>
/// Owns one running trial: its dedicated thread, its cancellation and its timeout. Exactly one result is
/// reported per trial, unless the node is stopping (then none, and the transport redelivers the trial).
/// A trial that ignores cancellation is reported as timeout when its time is up and its thread is abandoned,
/// so a hung trial never holds its slot's result hostage.
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
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _cancel;
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Timer? _deadline;
    private int _reported;

    private TrialRunner(TrialSpec spec, NodeId node, int attempt, Action<TrialResult> onFinished, CancellationToken stopping)
    {
        (_spec, _node, _attempt, _onFinished, _stopping) = (spec, node, attempt, onFinished, stopping);
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public static void Start(TrialSpec spec, NodeId node, int attempt, TimeSpan timeout, Action<TrialResult> onFinished, CancellationToken stopping)
    {
        var runner = new TrialRunner(spec, node, attempt, onFinished, stopping);
        runner._deadline = new Timer(static s => ((TrialRunner)s!).HandleDeadline(), runner, timeout, Timeout.InfiniteTimeSpan);
        new Thread(runner.Run) { IsBackground = true, Name = $"trial {spec.Id}" }.Start();
    }

    /// <summary>The result a node records without running the trial, e.g. after too many deliveries.</summary>
    public static TrialResult Failed(TrialSpec spec, NodeId node, int attempt, string error) =>
        TrialResults.NotRun(spec, TrialStatus.Failed, node, attempt, error);

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
            Report(outcome.Status == OutcomeStatus.Ok ? TrialStatus.Ok : TrialStatus.Diverged, outcome, null);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The node is stopping: no result, the trial stays unacknowledged and runs again elsewhere.
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
        if (_stopping.IsCancellationRequested) return;
        try { _cancel.Cancel(); } catch (ObjectDisposedException) { }
        Report(TrialStatus.Timeout, null, $"trial exceeded its time limit after {_clock.Elapsed.TotalSeconds:F1} s");
    }

    private void Report(TrialStatus status, TrialOutcome? outcome, string? error)
    {
        if (Interlocked.Exchange(ref _reported, 1) != 0) return;
        _onFinished(new TrialResult(
            _spec, status,
            outcome?.TrainLoss ?? double.NaN, outcome?.TestError ?? double.NaN, outcome?.TestErrorUnobserved,
            outcome?.Steps ?? 0, outcome?.ParamCount ?? 0, ModelKinds.Describe(_spec.Config),
            _clock.Elapsed.TotalSeconds, _node, _attempt, _startedAt, DateTime.UtcNow,
            error ?? (status == TrialStatus.Diverged ? "training diverged (NaN, Inf or loss blow-up)" : null),
            outcome?.Curve is { Count: > 0 } curve ? curve : null));
    }
}
