namespace SweepCluster.Training;

/// <summary>The engine's single entry point: build data, model and optimizer from a config and train.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains one trial on the calling thread. Divergence (NaN, ±Inf, loss above DivergenceLoss) returns
    /// Status = Diverged; invalid configs throw ArgumentException; cancellation throws OperationCanceledException.
    /// </summary>
    public static TrialOutcome Run(TrialConfig config, CancellationToken cancellation) =>
        throw new NotImplementedException("the training engine is being written");
}
