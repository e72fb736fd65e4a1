using System.Numerics;

namespace SweepCluster.Training;

/// <summary>
/// One trial in precision T: data, model, optimizer and every buffer are built up front, so the training
/// loop itself allocates nothing (a curve point appends to a list, outside the step).
/// </summary>
internal sealed class Engine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TrialConfig _config;
    private readonly Model<T> _model;
    private readonly Optimizer<T> _optimizer;
    private readonly Samples<T> _train, _test;
    private readonly Samples<T>? _batch;
    private readonly int[] _order;
    private readonly bool[]? _observed;
    private readonly T[] _theta, _grad;
    private readonly T[] _testOut;
    private Rng _batchRng;
    private int _orderPos;

    public Engine(TrialConfig config)
    {
        _config = config;
        var data = ProblemData.Build(config);
        int n = data.TrainY.Length;
        int batch = config.Training.BatchSize;
        // Full-batch matrix completion sums over the observed entries in ascending order, whatever order they were
        // drawn in: the batched engine (Batch/LaneLinearInInput.cs) runs over all entries and relies on it.
        if (data.TrainEntries is { } drawn && !(batch > 0 && batch < n)) Array.Sort(drawn, data.TrainY);
        _train = Samples<T>.FromDouble(data.TrainX, data.TrainEntries, data.TrainY, data.Dim);
        _test = Samples<T>.FromDouble(data.TestX, data.TestEntries, data.TestY, data.Dim);
        _observed = data.Observed;
        if (batch < 0) throw new ArgumentException($"Training.BatchSize: {batch}, expected 0 (full batch) or a positive size");
        if (batch > 0 && batch < n)
        {
            _batch = new Samples<T>(batch, data.Dim, data.TrainEntries is not null);
            _order = Enumerable.Range(0, n).ToArray();
            _batchRng = Rng.For(config.Hyper.Seed, RngPurpose.Batches);
            _batchRng.Shuffle(_order);
        }
        else _order = [];
        _model = ModelFactory.Create<T>(config.Model, config.Hyper.Width, data.Dim, Math.Max(n, _test.Count));
        _theta = new T[_model.ParamCount];
        _grad = new T[_model.ParamCount];
        _testOut = new T[_test.Count];
        var initRng = Rng.For(config.Hyper.Seed, RngPurpose.Init);
        _model.Initialize(_theta, ref initRng, config.Hyper.InitScale, config.Training.InitGamma);
        _optimizer = new Optimizer<T>(config.Training, config.Hyper, _model.ParamCount);
    }

    internal Model<T> Model => _model;

    public TrialOutcome Run(CancellationToken cancellation)
    {
        var spec = _config.Training;
        List<CurvePoint>? curve = spec.CurveEvery > 0 ? [] : null;
        double best = double.PositiveInfinity;
        long lastImprovement = 0;
        long step = 0;
        double loss;
        bool diverged = false;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            loss = ComputeGradient(out bool fullLoss);
            if (double.IsNaN(loss) || double.IsInfinity(loss) || loss > spec.DivergenceLoss)
            {
                diverged = true;
                break;
            }
            if (curve is not null && step % spec.CurveEvery == 0)
            {
                // With mini-batches the loss above is a batch loss between epochs; a curve point wants the full one.
                double trainLoss = fullLoss ? loss : double.CreateTruncating(_model.Loss(_theta, _train));
                curve.Add(new CurvePoint(step, trainLoss, TestError().All));
            }
            if (fullLoss && loss < spec.LossTolerance) break;
            if (fullLoss && spec.PlateauSteps > 0)
            {
                if (loss < best * (1 - spec.PlateauTolerance)) { best = loss; lastImprovement = step; }
                else if (step - lastImprovement >= spec.PlateauSteps) break;
            }
            if (step >= spec.MaxSteps) break;
            ApplyUpdate();
            step++;
        }
        if (_batch is not null && !diverged) loss = double.CreateTruncating(_model.Loss(_theta, _train));
        var (all, unobserved) = TestError();
        if (curve is not null && (curve.Count == 0 || curve[^1].Step != step)) curve.Add(new CurvePoint(step, loss, all));
        return new TrialOutcome(diverged ? OutcomeStatus.Diverged : OutcomeStatus.Ok, loss, all, unobserved, step,
            _model.ParamCount, _model.Description, curve);
    }

    /// <summary>
    /// Computes the gradient for the next update and returns a loss. With full batches that is the training
    /// loss at the current θ; with mini-batches it is the batch loss, and the full training loss is checked
    /// (fullLoss = true) once per epoch, because the stopping rules must not fire on one lucky batch.
    /// </summary>
    internal double ComputeGradient(out bool fullLoss)
    {
        if (_batch is null)
        {
            fullLoss = true;
            return double.CreateTruncating(_model.LossAndGradient(_theta, _train, _grad));
        }
        int b = _batch.Capacity;
        fullLoss = false;
        if (_orderPos + b > _order.Length)
        {
            _batchRng.Shuffle(_order);
            _orderPos = 0;
        }
        bool epochStart = _orderPos == 0;
        _batch.Gather(_train, _order.AsSpan(_orderPos, b));
        _orderPos += b;
        double batchLoss = double.CreateTruncating(_model.LossAndGradient(_theta, _batch, _grad));
        if (!epochStart || double.IsNaN(batchLoss) || double.IsInfinity(batchLoss)) return batchLoss;
        fullLoss = true;
        return double.CreateTruncating(_model.Loss(_theta, _train));
    }

    internal void ApplyUpdate() => _optimizer.Step(_theta, _grad);

    /// <summary>MSE over the test set, and for matrix completion also over the unobserved entries only.</summary>
    private (double All, double? Unobserved) TestError()
    {
        _model.Forward(_theta, _test, _testOut);
        double all = 0, unobs = 0;
        int unobsCount = 0;
        for (int i = 0; i < _test.Count; i++)
        {
            double e = double.CreateTruncating(_testOut[i] - _test.Y[i]);
            all += e * e;
            if (_observed is not null && !_observed[_test.Entries[i]])
            {
                unobs += e * e;
                unobsCount++;
            }
        }
        all /= Math.Max(1, _test.Count);
        // With every entry observed there is nothing left to predict: report 0 rather than an undefined mean.
        double? unobserved = _observed is null ? null : unobsCount == 0 ? 0 : unobs / unobsCount;
        return (all, unobserved);
    }
}
