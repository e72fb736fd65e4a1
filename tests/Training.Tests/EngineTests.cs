using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

public sealed class EngineTests
{
    private static TrialConfig Mc(int n, int batch = 0, OptimizerKind opt = OptimizerKind.Gd) => new()
    {
        Model = new ModelSpec { Kind = ModelKind.MatrixFactorization },
        Target = new TargetSpec { Kind = TargetKind.RandomLowRank, Rank = 2, Seed = 3 },
        Data = new DataSpec { InputDim = 6 },
        Training = new TrainingSpec { Optimizer = opt, BatchSize = batch, Momentum = 0.9, MaxSteps = 100 },
        Hyper = new Hyperparameters { InitScale = 0.1, LearningRate = 0.01, SampleSize = n, Seed = 4 },
    };

    public static TheoryData<string> Configs() => new("two-layer", "two-layer-f32", "mf", "mf-sgd", "cnn", "adamw", "deep-fc");

    private static TrialConfig Named(string name) => name switch
    {
        "two-layer" => TrainerTests.TeacherConfig(width: 37, n: 50),
        "two-layer-f32" => TrainerTests.TeacherConfig(width: 37, n: 50, precision: Precision.Float32),
        "mf" => Mc(20),
        "mf-sgd" => Mc(20, batch: 6, opt: OptimizerKind.Sgd),
        "adamw" => Mc(20, opt: OptimizerKind.AdamW),
        "cnn" => TrainerTests.TeacherConfig(n: 30, d: 5) with
        {
            Model = new ModelSpec { Kind = ModelKind.Cnn1d, KernelSize = 3, HiddenBias = true, Activation = Activation.Tanh },
        },
        "deep-fc" => TrainerTests.TeacherConfig(n: 30) with
        {
            Model = new ModelSpec { Kind = ModelKind.DeepFc, Depth = 3, HiddenBias = true, Activation = Activation.Tanh },
        },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void TrainingStepsDoNotAllocate(string name)
    {
        var config = Named(name);
        if (config.Training.Precision == Precision.Float32) AssertNoAllocation(new Engine<float>(config));
        else AssertNoAllocation(new Engine<double>(config));
    }

    private static void AssertNoAllocation<T>(Engine<T> engine) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < 20; i++) { engine.ComputeGradient(out _); engine.ApplyUpdate(); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) { engine.ComputeGradient(out _); engine.ApplyUpdate(); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DataDependsOnSeedButNotOnTunedHyperparameters()
    {
        var baseConfig = TrainerTests.TeacherConfig(n: 10);
        var a = ProblemData.Build(baseConfig);
        var tuned = ProblemData.Build(baseConfig with { Hyper = baseConfig.Hyper with { LearningRate = 0.3, InitScale = 1e-3, Width = 7 } });
        Assert.Equal(a.TrainX, tuned.TrainX);
        Assert.Equal(a.TestY, tuned.TestY);
        var more = ProblemData.Build(baseConfig with { Hyper = baseConfig.Hyper with { SampleSize = 15 } });
        Assert.Equal(a.TrainX, more.TrainX[..a.TrainX.Length]);
        Assert.Equal(a.TestX, more.TestX);
        var otherSeed = ProblemData.Build(baseConfig with { Hyper = baseConfig.Hyper with { Seed = 99 } });
        Assert.NotEqual(a.TrainX, otherSeed.TrainX);
        Assert.NotEqual(a.TrainX[..10], a.TestX[..10]);
    }

    [Fact]
    public void MatrixEntriesAreNestedAcrossSampleSizes()
    {
        var small = ProblemData.Build(Mc(5));
        var large = ProblemData.Build(Mc(12));
        Assert.Equal(small.TrainEntries, large.TrainEntries![..5]);
        Assert.Equal(12, large.TrainEntries!.Distinct().Count());
    }

    [Fact]
    public void RngStreamsAreFixedAndIndependent()
    {
        var r = Rng.For(7, RngPurpose.Init);
        var s = Rng.For(7, RngPurpose.TrainData);
        Assert.NotEqual(r.NextUInt64(), s.NextUInt64());
        // SplitMix64's published first output for state 0 pins the generator.
        Assert.Equal(0xE220A8397B1DCDAFUL, new Rng(0).NextUInt64());
        var g = Rng.For(1, RngPurpose.TestData);
        double sum = 0, sq = 0;
        for (int i = 0; i < 100_000; i++) { double v = g.NextGaussian(); sum += v; sq += v * v; }
        Assert.InRange(sum / 100_000, -0.02, 0.02);
        Assert.InRange(sq / 100_000, 0.98, 1.02);
    }

    [Fact]
    public void CurveRecordsEveryKSteps()
    {
        var config = TrainerTests.TeacherConfig(steps: 95);
        var outcome = Trainer.Run(config with { Training = config.Training with { CurveEvery = 10 } }, CancellationToken.None);
        Assert.NotNull(outcome.Curve);
        Assert.Equal([0L, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95], outcome.Curve!.Select(p => p.Step));
        Assert.Equal(outcome.TrainLoss, outcome.Curve[^1].TrainLoss);
        Assert.Equal(outcome.TestError, outcome.Curve[^1].TestError);
        Assert.True(outcome.Curve[^1].TrainLoss < outcome.Curve[0].TrainLoss);
        Assert.Null(Trainer.Run(config, CancellationToken.None).Curve);
    }

    [Fact]
    public void MiniBatchCurveRecordsFullTrainingLoss()
    {
        var config = Mc(20, batch: 6, opt: OptimizerKind.Sgd);
        config = config with { Training = config.Training with { MaxSteps = 12, CurveEvery = 4 } };
        var outcome = Trainer.Run(config, CancellationToken.None);
        Assert.Equal([0L, 4, 8, 12], outcome.Curve!.Select(p => p.Step));
        // Point 0 is before any update: the loss of the initial parameters on all 20 samples.
        var start = Trainer.Run(config with { Training = config.Training with { MaxSteps = 0, CurveEvery = 0 } }, CancellationToken.None);
        Assert.Equal(start.TrainLoss, outcome.Curve![0].TrainLoss);
    }

    [Fact]
    public void PlateauStopsAStalledRun()
    {
        var config = TrainerTests.TeacherConfig(lr: 0, steps: 10_000);
        var outcome = Trainer.Run(config with { Training = config.Training with { PlateauSteps = 25 } }, CancellationToken.None);
        Assert.Equal(25, outcome.Steps);
        Assert.Equal(OutcomeStatus.Ok, outcome.Status);
    }

    [Fact]
    public void CancellationThrows()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(TrainerTests.TeacherConfig(), cts.Token));
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void MiniBatchOptimizersReduceTheFullLoss(OptimizerKind kind)
    {
        var config = Mc(30, batch: 8, opt: kind) with { Training = Mc(30).Training with { Optimizer = kind, BatchSize = 8, Momentum = 0.5, MaxSteps = 600 } };
        var start = Trainer.Run(config with { Training = config.Training with { MaxSteps = 0 } }, CancellationToken.None);
        var end = Trainer.Run(config, CancellationToken.None);
        Assert.Equal(OutcomeStatus.Ok, end.Status);
        Assert.True(end.TrainLoss < 0.5 * start.TrainLoss, $"{kind}: {start.TrainLoss} -> {end.TrainLoss}");
        Assert.Equal(end.TrainLoss, Trainer.Run(config, CancellationToken.None).TrainLoss);
    }
}
