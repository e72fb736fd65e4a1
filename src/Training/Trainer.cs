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

    private static void Validate(TrialConfig c)
    {
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
