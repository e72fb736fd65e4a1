namespace SweepCluster.Training;

/// <summary>The engine's single entry point: build data, model and optimizer from a config and train.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains one trial on the calling thread. Divergence (NaN, ±Inf, loss above DivergenceLoss) returns
    /// Status = Diverged; invalid configs throw ArgumentException; cancellation throws OperationCanceledException.
    /// Losses are plain mean squared errors (no ½ factor), as torch.nn.MSELoss.
    /// </summary>
    public static TrialOutcome Run(TrialConfig config, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validate(config);
        return config.Training.Precision switch
        {
            Precision.Float64 => new Engine<double>(config).Run(cancellation),
            Precision.Float32 => new Engine<float>(config).Run(cancellation),
            _ => throw new ArgumentException($"Training.Precision: unknown value {config.Training.Precision}"),
        };
    }

    /// <summary>
    /// Trains trials that share one <see cref="BatchKey"/> together on the calling thread, one trial per SIMD lane
    /// (Batch/BatchEngine.cs), and calls onFinished(index in trials, outcome) the moment each trial stops, on the
    /// calling thread, in the order they stop. Every outcome equals what <see cref="Run"/> returns for that trial
    /// alone, bit for bit. A trial whose lane empties is replaced by the next one in the list, so a long list keeps
    /// every lane busy. Invalid configs, or trials of different keys, throw ArgumentException (naming the trial's
    /// index) before anything trains; cancellation throws OperationCanceledException, and the trials not yet
    /// reported are lost, those reported stay reported. Mini-batch trials (BatchKey.Batchable false) train one
    /// after another through Run.
    /// </summary>
    public static void RunBatch(IReadOnlyList<TrialConfig> trials, Action<int, TrialOutcome> onFinished, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(onFinished);
        if (trials.Count == 0) return;
        BatchKey? key = null;
        for (int i = 0; i < trials.Count; i++)
        {
            var c = trials[i] ?? throw new ArgumentException($"trials[{i}]: null");
            try
            {
                Validate(c);
                _ = ModelFactory.Create<double>(c.Model, c.Hyper.Width, c.Data.InputDim, 1);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"trials[{i}]: {e.Message}", e);
            }
            var k = BatchKey.For(c);
            if (key is null) key = k;
            else if (k != key) throw new ArgumentException($"trials[{i}]: batch key {k} differs from trials[0]'s {key}");
        }
        if (!key!.Batchable)
        {
            for (int i = 0; i < trials.Count; i++) onFinished(i, Run(trials[i], cancellation));
            return;
        }
        BatchEngines.Create(trials).Run(onFinished, cancellation);
    }

    /// <summary>
    /// How many trials of this config's <see cref="BatchKey"/> one batch trains at once on this processor: with
    /// AVX-512, 16 float64 or 32 float32, and twice that for the few-parameter models (f_L, f_NL, d ≤ 4 matrix
    /// factorization). The batch size a caller should aim for; fewer train too, in narrower lanes, and more are
    /// queued behind the lanes.
    /// </summary>
    public static int LaneCount(TrialConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return BatchEngines.MaxLanes(config);
    }

    internal static void Validate(TrialConfig c)
    {
        if (c.Program is not null) throw new ArgumentException("Program: a trial of the user's program runs as a process of its own (src/GpuNode/Programs), not in the engine");
        if (c.Hyper.SampleSize < 1) throw new ArgumentException($"Hyper.SampleSize: {c.Hyper.SampleSize}, expected at least 1");
        if (c.Data.TestSize < 1 && c.Model.Kind != ModelKind.MatrixFactorization)
            throw new ArgumentException($"Data.TestSize: {c.Data.TestSize}, expected at least 1");
        if (!double.IsFinite(c.Hyper.LearningRate) || c.Hyper.LearningRate < 0)
            throw new ArgumentException($"Hyper.LearningRate: {c.Hyper.LearningRate}, expected a finite value ≥ 0");
        if (!double.IsFinite(c.Hyper.InitScale) || c.Hyper.InitScale < 0)
            throw new ArgumentException($"Hyper.InitScale: {c.Hyper.InitScale}, expected a finite value ≥ 0");
        if (!double.IsFinite(c.Hyper.WeightDecay))
            throw new ArgumentException($"Hyper.WeightDecay: {c.Hyper.WeightDecay}, expected a finite value");
        var t = c.Training;
        if (!Enum.IsDefined(t.Optimizer)) throw new ArgumentException($"Training.Optimizer: unknown value {t.Optimizer}");
        if (t.MaxSteps < 0) throw new ArgumentException($"Training.MaxSteps: {t.MaxSteps}, expected ≥ 0");
        if (t.CurveEvery < 0) throw new ArgumentException($"Training.CurveEvery: {t.CurveEvery}, expected ≥ 0");
        if (t.PlateauSteps < 0) throw new ArgumentException($"Training.PlateauSteps: {t.PlateauSteps}, expected ≥ 0");
        if (t.Optimizer is OptimizerKind.Adam or OptimizerKind.AdamW && !(t.Beta1 is >= 0 and < 1 && t.Beta2 is >= 0 and < 1 && t.Epsilon > 0))
            throw new ArgumentException($"Training.Beta1/Beta2/Epsilon: {t.Beta1}/{t.Beta2}/{t.Epsilon}, expected betas in [0, 1) and ε > 0");
        if (c.Data.Inputs is InputDistribution.Uniform or InputDistribution.Grid1d && !(c.Data.UniformLow < c.Data.UniformHigh))
            throw new ArgumentException($"Data.UniformLow/UniformHigh: [{c.Data.UniformLow}, {c.Data.UniformHigh}], expected low < high");
        if (Targets.IsMatrix(c.Target.Kind) != (c.Model.Kind == ModelKind.MatrixFactorization))
            throw new ArgumentException($"Target.Kind: {c.Target.Kind} does not fit Model.Kind = {c.Model.Kind}");
    }
}
