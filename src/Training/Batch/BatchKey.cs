namespace SweepCluster.Training;

/// <summary>
/// What trials must share to train as one batch (<see cref="Trainer.RunBatch"/>): the model's shape, the sample
/// and test set sizes, the precision, the optimizer with its constants, and the step budget. Everything else (data,
/// target, seed, initialization, learning rate, weight decay, loss tolerance, plateau and divergence rules, curve
/// interval) is per trial. Mini-batch trials (0 &lt; BatchSize &lt; SampleSize) are not batched:
/// <see cref="Batchable"/> is false and RunBatch trains them one after another.
/// </summary>
public sealed record BatchKey(
    ModelKind Kind,
    Activation Activation,
    bool HiddenBias,
    bool OutputBias,
    int KernelSize,
    int Depth,
    int Width,
    int InputDim,
    int SampleSize,
    int TestSize,
    Precision Precision,
    OptimizerKind Optimizer,
    double Momentum,
    double Beta1,
    double Beta2,
    double Epsilon,
    long MaxSteps,
    bool Batchable)
{
    public static BatchKey For(TrialConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var m = c.Model;
        var t = c.Training;
        int n = c.Hyper.SampleSize;
        return new BatchKey(m.Kind, m.Activation, m.HiddenBias, m.OutputBias, m.KernelSize, m.Depth, c.Hyper.Width,
            c.Data.InputDim, n, c.Data.TestSize, t.Precision, t.Optimizer, t.Momentum, t.Beta1, t.Beta2, t.Epsilon,
            t.MaxSteps, Batchable: t.BatchSize <= 0 || t.BatchSize >= n);
    }
}
