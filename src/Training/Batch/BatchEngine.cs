using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SweepCluster.Training;

/// <summary>
/// Trains a queue of trials of one <see cref="BatchKey"/>, one per lane of TL (8 float64 or 16 float32 trials per
/// step with AVX-512). Each lane runs the single-trial <see cref="Engine{T}"/>'s loop: the same stopping checks in
/// the same order, its own learning rate, weight decay and rules. A lane whose trial stops is reported at once and
/// refilled with the next trial of the queue; with the queue empty it idles, its θ held by a mask, until every lane
/// is done. Test errors and curve points go through the single-trial model on the lane's own θ and test set, so
/// they are that engine's numbers. The step loop allocates nothing; loading a trial and reporting one do.
/// </summary>
internal sealed class BatchEngine<T, TL> : IBatchEngine
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    private readonly IReadOnlyList<TrialConfig> _trials;
    private readonly Model<T> _model;          // the single-trial model: init, description, test forward
    private readonly LaneModel<T, TL> _lanes;
    private readonly int _width, _params;
    private readonly TL[] _theta, _grad, _m, _v;
    private readonly LaneData<TL> _train;
    private readonly T[] _scratch, _testOut;
    private readonly OptimizerKind _optimizer;
    private readonly bool _momentum;
    private readonly TL _mu, _beta1, _beta2, _eps;
    private readonly double _beta1d, _beta2d;
    private TL _lr, _wd, _active;
    private TL _low, _high;     // per lane: losses strictly inside (low, high) stop nothing
    private long _quietSteps;

    // Per lane; Trial = -1 where the lane is idle.
    private readonly int[] _trial;
    private readonly long[] _step, _lastImprovement;
    private readonly double[] _best, _lastLoss;
    private readonly StopRules[] _rules;
    private readonly bool[] _diverged;
    private readonly Samples<T>?[] _test;
    private readonly bool[]?[] _observed;
    private readonly List<CurvePoint>?[] _curve;
    private int _next;

    public BatchEngine(IReadOnlyList<TrialConfig> trials)
    {
        _trials = trials;
        var first = trials[0];
        var key = BatchKey.For(first);
        int n = key.SampleSize;
        bool matrix = first.Model.Kind == ModelKind.MatrixFactorization;
        int capacity = Math.Max(n, matrix ? key.InputDim * key.InputDim : key.TestSize);
        _model = ModelFactory.Create<T>(first.Model, key.Width, key.InputDim, capacity);
        _lanes = LaneModels.Create<T, TL>(first.Model, key.Width, key.InputDim, n);
        _width = TL.Count;
        _params = _model.ParamCount;
        _theta = new TL[_params];
        _grad = new TL[_params];
        _m = new TL[_params];
        _v = new TL[_params];
        _train = new LaneData<TL>(n, key.InputDim, matrix);
        _scratch = new T[_params];
        _testOut = new T[capacity];
        var spec = first.Training;
        _optimizer = spec.Optimizer;
        _momentum = spec.Momentum != 0;
        _mu = TL.Create(T.CreateTruncating(spec.Momentum));
        _beta1 = TL.Create(T.CreateTruncating(spec.Beta1));
        _beta2 = TL.Create(T.CreateTruncating(spec.Beta2));
        _eps = TL.Create(T.CreateTruncating(spec.Epsilon));
        _beta1d = spec.Beta1;
        _beta2d = spec.Beta2;
        _trial = new int[_width];
        _step = new long[_width];
        _lastImprovement = new long[_width];
        _best = new double[_width];
        _lastLoss = new double[_width];
        _rules = new StopRules[_width];
        _diverged = new bool[_width];
        _test = new Samples<T>?[_width];
        _observed = new bool[]?[_width];
        _curve = new List<CurvePoint>?[_width];
        Array.Fill(_trial, -1);
    }

    public int ParamCount => _params;
    public int Lanes => _width;

    /// <summary>Trains every trial, calling onFinished(index into the list, outcome) as each one stops.</summary>
    public void Run(Action<int, TrialOutcome> onFinished, CancellationToken cancellation)
    {
        Fill();
        while (ActiveCount() > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            bool stopped = Step(out ulong finished);
            if (!stopped) continue;
            for (int l = 0; l < _width; l++)
            {
                if ((finished >> l & 1) == 0) continue;
                int index = _trial[l];
                var outcome = Finish(l);
                _trial[l] = -1;
                onFinished(index, outcome);
                Fill(l);
            }
            UpdateMasks();
        }
    }

    /// <summary>Loads the first trials into every lane.</summary>
    public void Fill()
    {
        for (int l = 0; l < _width; l++) Fill(l);
    }

    private int ActiveCount()
    {
        int c = 0;
        foreach (int t in _trial) if (t >= 0) c++;
        return c;
    }

    /// <summary>
    /// One pass of the loop for every lane: the gradient, the stopping checks, the update of the lanes that go
    /// on. Returns whether any lane stopped (their bits in finished; their θ is the one the loss was taken at).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Step(out ulong finished)
    {
        TL loss = _lanes.LossAndGradient(_theta, _train, _grad);
        finished = 0;
        // Most steps change nothing but θ: every lane's loss is strictly between its (slightly widened) tolerance
        // and divergence bounds, no step budget runs out and no lane keeps a curve or a plateau watch. One vector
        // compare decides that; otherwise the exact per-lane checks below run, as Engine.Run has them.
        if (--_quietSteps > 0 && !TL.AnyOutside(loss, _low, _high, _active))
        {
            Update(_active);
            for (int l = 0; l < _width; l++) _step[l]++;
            return false;
        }
        var losses = MemoryMarshal.Cast<TL, T>(MemoryMarshal.CreateReadOnlySpan(ref loss, 1));
        var rules = _rules;
        for (int l = 0; l < _width; l++)
        {
            if (_trial[l] < 0) continue;
            ref readonly var rule = ref rules[l];
            double value = double.CreateTruncating(losses[l]);
            long step = _step[l];
            if (double.IsNaN(value) || double.IsInfinity(value) || value > rule.DivergenceLoss)
            {
                _lastLoss[l] = value;
                _diverged[l] = true;
                finished |= 1UL << l;
                continue;
            }
            if (rule.CurveEvery > 0 && step % rule.CurveEvery == 0) AddCurvePoint(l, step, value);
            bool stop = value < rule.LossTolerance;
            if (!stop && rule.PlateauSteps > 0)
            {
                if (value < _best[l] * (1 - rule.PlateauTolerance)) { _best[l] = value; _lastImprovement[l] = step; }
                else if (step - _lastImprovement[l] >= rule.PlateauSteps) stop = true;
            }
            if (!stop && step >= rule.MaxSteps) stop = true;
            if (stop)
            {
                _lastLoss[l] = value;
                finished |= 1UL << l;
            }
        }
        var keep = finished == 0 ? _active : TL.Select(TL.Mask(~finished), _active, TL.Zero);
        Update(keep);
        for (int l = 0; l < _width; l++)
            if (_trial[l] >= 0 && (finished >> l & 1) == 0) _step[l]++;
        PlanQuietSteps();
        return finished != 0;
    }

    /// <summary>
    /// How many steps from now may skip the per-lane checks: until the first lane's step budget ends, and none
    /// while a lane records a curve or watches for a plateau (those look at every step).
    /// </summary>
    private void PlanQuietSteps()
    {
        long quiet = long.MaxValue;
        for (int l = 0; l < _width; l++)
        {
            if (_trial[l] < 0) continue;
            ref readonly var rule = ref _rules[l];
            if (rule.CurveEvery > 0 || rule.PlateauSteps > 0) { quiet = 0; break; }
            quiet = Math.Min(quiet, rule.MaxSteps - _step[l]);
        }
        _quietSteps = Math.Max(0, quiet);
    }

    /// <summary>The optimizer step of <see cref="Optimizer{T}"/> lane by lane; lanes outside keep hold their θ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Update(TL keep)
    {
        var theta = _theta;
        var grad = _grad;
        TL lr = _lr, wd = _wd;
        switch (_optimizer)
        {
            case OptimizerKind.Gd:
            case OptimizerKind.Sgd when !_momentum:
                for (int i = 0; i < theta.Length; i++)
                    theta[i] = TL.Select(keep, theta[i] - lr * (grad[i] + wd * theta[i]), theta[i]);
                break;
            case OptimizerKind.Sgd:
            {
                TL first = FirstStepMask();
                for (int i = 0; i < theta.Length; i++)
                {
                    TL g = grad[i] + wd * theta[i];
                    _m[i] = TL.Select(first, g, _mu * _m[i] + g);
                    theta[i] = TL.Select(keep, theta[i] - lr * _m[i], theta[i]);
                }
                break;
            }
            default:
            {
                bool decoupled = _optimizer == OptimizerKind.AdamW;
                TL c1 = TL.Zero, c2Sqrt = TL.Zero;
                for (int l = 0; l < _width; l++)
                {
                    long t = _step[l] + 1;
                    c1 = TL.WithLane(c1, l, T.CreateTruncating(1 - Math.Pow(_beta1d, t)));
                    c2Sqrt = TL.WithLane(c2Sqrt, l, T.CreateTruncating(Math.Sqrt(1 - Math.Pow(_beta2d, t))));
                }
                TL stepSize = lr / c1;
                TL one = TL.Create(T.One);
                for (int i = 0; i < theta.Length; i++)
                {
                    TL g = grad[i];
                    TL th = theta[i];
                    if (decoupled) th = th * (one - lr * wd);
                    else g = g + wd * th;
                    _m[i] = _beta1 * _m[i] + (one - _beta1) * g;
                    _v[i] = _beta2 * _v[i] + (one - _beta2) * g * g;
                    th = th - stepSize * (_m[i] / (TL.Sqrt(_v[i]) / c2Sqrt + _eps));
                    theta[i] = TL.Select(keep, th, theta[i]);
                }
                break;
            }
        }
    }

    private TL FirstStepMask()
    {
        ulong bits = 0;
        for (int l = 0; l < _width; l++) if (_step[l] == 0) bits |= 1UL << l;
        return TL.Mask(bits);
    }

    /// <summary>Loads the next trial of the queue into lane l, or leaves it idle.</summary>
    private void Fill(int l)
    {
        if (_next >= _trials.Count) return;
        int index = _next++;
        var config = _trials[index];
        var data = ProblemData.Build(config);
        if (data.TrainEntries is { } entries) Array.Sort(entries, data.TrainY);
        _train.Load<T>(l, _width, data);
        _test[l] = Samples<T>.FromDouble(data.TestX, data.TestEntries, data.TestY, data.Dim);
        _observed[l] = data.Observed;
        var rng = Rng.For(config.Hyper.Seed, RngPurpose.Init);
        _model.Initialize(_scratch, ref rng, config.Hyper.InitScale, config.Training.InitGamma);
        var theta = MemoryMarshal.Cast<TL, T>(_theta.AsSpan());
        var m = MemoryMarshal.Cast<TL, T>(_m.AsSpan());
        var v = MemoryMarshal.Cast<TL, T>(_v.AsSpan());
        for (int p = 0; p < _params; p++)
        {
            theta[p * _width + l] = _scratch[p];
            m[p * _width + l] = T.Zero;
            v[p * _width + l] = T.Zero;
        }
        _lr = TL.WithLane(_lr, l, T.CreateTruncating(config.Hyper.LearningRate));
        _wd = TL.WithLane(_wd, l, T.CreateTruncating(config.Hyper.WeightDecay));
        _trial[l] = index;
        _step[l] = 0;
        _best[l] = double.PositiveInfinity;
        _lastImprovement[l] = 0;
        _diverged[l] = false;
        _curve[l] = config.Training.CurveEvery > 0 ? [] : null;
        var t = config.Training;
        _rules[l] = new StopRules(t.LossTolerance, t.DivergenceLoss, t.PlateauTolerance, t.PlateauSteps, t.MaxSteps, t.CurveEvery);
        // Bounds in T that are at least as strict as the exact checks in double: two ulps of T past each.
        _low = TL.WithLane(_low, l, T.BitIncrement(T.BitIncrement(T.CreateTruncating(t.LossTolerance))));
        _high = TL.WithLane(_high, l, T.BitDecrement(T.BitDecrement(T.CreateTruncating(t.DivergenceLoss))));
        _quietSteps = 0;
        UpdateMasks();
    }

    private void UpdateMasks()
    {
        ulong bits = 0;
        for (int l = 0; l < _width; l++) if (_trial[l] >= 0) bits |= 1UL << l;
        _active = TL.Mask(bits);
    }

    /// <summary>Lane l's θ as one trial's parameter vector, in _scratch.</summary>
    private T[] LaneTheta(int l)
    {
        var theta = MemoryMarshal.Cast<TL, T>(_theta.AsSpan());
        for (int p = 0; p < _params; p++) _scratch[p] = theta[p * _width + l];
        return _scratch;
    }

    private void AddCurvePoint(int l, long step, double loss) =>
        _curve[l]!.Add(new CurvePoint(step, loss, TestError(l).All));

    private TrialOutcome Finish(int l)
    {
        long steps = _step[l];
        double loss = _lastLoss[l];
        var (all, unobserved) = TestError(l);
        var curve = _curve[l];
        if (curve is not null && (curve.Count == 0 || curve[^1].Step != steps)) curve.Add(new CurvePoint(steps, loss, all));
        return new TrialOutcome(_diverged[l] ? OutcomeStatus.Diverged : OutcomeStatus.Ok, loss, all, unobserved, steps,
            _model.ParamCount, _model.Description, curve);
    }

    /// <summary>As Engine.TestError, on lane l's parameters and test set.</summary>
    private (double All, double? Unobserved) TestError(int l)
    {
        var test = _test[l]!;
        var observed = _observed[l];
        var output = _testOut.AsSpan(0, test.Count);
        _model.Forward(LaneTheta(l), test, output);
        double all = 0, unobs = 0;
        int unobsCount = 0;
        for (int i = 0; i < test.Count; i++)
        {
            double e = double.CreateTruncating(output[i] - test.Y[i]);
            all += e * e;
            if (observed is not null && !observed[test.Entries[i]])
            {
                unobs += e * e;
                unobsCount++;
            }
        }
        all /= Math.Max(1, test.Count);
        double? unobservedError = observed is null ? null : unobsCount == 0 ? 0 : unobs / unobsCount;
        return (all, unobservedError);
    }
}

/// <summary>One lane's stopping rules, copied out of its TrainingSpec so the step loop reads plain fields.</summary>
internal readonly record struct StopRules(double LossTolerance, double DivergenceLoss, double PlateauTolerance, long PlateauSteps, long MaxSteps, int CurveEvery);

/// <summary>A <see cref="BatchEngine{T, TL}"/> of whichever lane type <see cref="BatchEngines.Create"/> chose.</summary>
internal interface IBatchEngine
{
    int ParamCount { get; }
    int Lanes { get; }
    void Run(Action<int, TrialOutcome> onFinished, CancellationToken cancellation);
    void Fill();
    bool Step(out ulong finished);
}

internal static class BatchEngines
{
    /// <summary>
    /// The lane type for a batch on this processor: two 512-bit vectors per value when the batch fills more than
    /// one (16 float64 or 32 float32 trials), one 512-bit vector, 256-bit, or one trial at a time without SIMD.
    /// </summary>
    public static IBatchEngine Create(IReadOnlyList<TrialConfig> trials)
    {
        var precision = trials[0].Training.Precision;
        return precision == Precision.Float32 ? Create<float>(trials) : Create<double>(trials);
    }

    private static IBatchEngine Create<T>(IReadOnlyList<TrialConfig> trials) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = System.Runtime.Intrinsics.Vector512<T>.Count;
        // The models whose step is a few dozen operations share the per-step cost among four vectors of trials.
        bool tiny = IsTiny(trials[0]);
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && tiny && trials.Count > 2 * w)
            return new BatchEngine<T, Lanes512x4<T>>(trials);
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            return trials.Count > System.Runtime.Intrinsics.Vector512<T>.Count
                ? new BatchEngine<T, Lanes512x2<T>>(trials)
                : new BatchEngine<T, Lanes512<T>>(trials);
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return new BatchEngine<T, Lanes256<T>>(trials);
        return new BatchEngine<T, Lane1<T>>(trials);
    }

    private static bool IsTiny(TrialConfig c) =>
        c.Model.Kind is ModelKind.LinearL or ModelKind.LinearNL or ModelKind.MatrixFactorization && c.Data.InputDim <= 4;

    /// <summary>How many trials of this config's batch key a full batch trains at once here.</summary>
    public static int MaxLanes(TrialConfig c) =>
        c.Training.Precision == Precision.Float32 ? MaxLanes<float>(IsTiny(c)) : MaxLanes<double>(IsTiny(c));

    private static int MaxLanes<T>(bool tiny) where T : unmanaged, IFloatingPointIeee754<T> =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? (tiny ? 4 : 2) * System.Runtime.Intrinsics.Vector512<T>.Count
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? System.Runtime.Intrinsics.Vector256<T>.Count : 1;
}
