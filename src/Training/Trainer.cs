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
        if (Targets.IsMatrix(c.Target.Kind) != (c.Model.Kind == ModelKind.MatrixFactorization))
            throw new ArgumentException($"Target.Kind: {c.Target.Kind} does not fit Model.Kind = {c.Model.Kind}");
    }
}
