using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

/// <summary>Small versions of the seed experiments, end to end through Trainer.Run.</summary>
public sealed class ExperimentTests
{
    private static readonly double[][] M1 =
    [
        [1, 0.3, 0.7, -0.4], [2, 0.6, 1.4, -0.8], [4, 1.2, 2.8, -1.6], [7, 2.1, 4.9, -2.8],
    ];

    private static TrialConfig Mc(int n, double initScale = 1e-4, long steps = 20_000) => new()
    {
        Model = new ModelSpec { Kind = ModelKind.MatrixFactorization },
        Target = new TargetSpec { Kind = TargetKind.Matrix, Matrix = M1 },
        Data = new DataSpec { InputDim = 4 },
        Training = new TrainingSpec { MaxSteps = steps, LossTolerance = 1e-9 },
        Hyper = new Hyperparameters { InitScale = initScale, LearningRate = 0.01, SampleSize = n, Seed = 1 },
    };

    [Fact]
    public void MatrixCompletionReportsAllAndUnobservedErrors()
    {
        var full = Trainer.Run(Mc(16), CancellationToken.None);
        Assert.Equal(OutcomeStatus.Ok, full.Status);
        Assert.Equal(32, full.ParamCount);
        Assert.True(full.TrainLoss < 1e-9, $"train {full.TrainLoss}");
        Assert.Equal(0.0, full.TestErrorUnobserved);
        Assert.True(full.TestError < 1e-9);

        var few = Trainer.Run(Mc(3, steps: 3000), CancellationToken.None);
        Assert.NotNull(few.TestErrorUnobserved);
        // 16·all = 3·train + 13·unobserved: the observed entries are exactly the training set.
        Assert.Equal((16 * few.TestError - 3 * few.TrainLoss) / 13, few.TestErrorUnobserved!.Value, 1e-12);
        Assert.True(few.TestErrorUnobserved > few.TrainLoss);
    }

    [Fact]
    public void E2RankOneNeedsSevenObservedEntries()
    {
        // Optimistic size of a rank-1 4×4 matrix is 2rd − r² = 7: no entry draw recovers M1 from 6 entries,
        // and some draws of 7 do (those that touch every row and column).
        int Recovered(int n) => Enumerable.Range(0, 10).Count(seed =>
            Trainer.Run(Mc(n, steps: 200_000) with { Hyper = Mc(n).Hyper with { Seed = seed } }, CancellationToken.None).TestError < 1e-3);
        Assert.Equal(0, Recovered(6));
        Assert.True(Recovered(7) > 0);
    }

    [Fact]
    public void EntryOrderChoosesTheObservedEntries()
    {
        var config = Mc(16) with { Data = new DataSpec { InputDim = 4, EntryOrder = Enumerable.Range(0, 16).Reverse().ToArray() } };
        Assert.Equal(OutcomeStatus.Ok, Trainer.Run(config, CancellationToken.None).Status);
        var bad = Mc(2) with { Data = new DataSpec { InputDim = 4, EntryOrder = [3, 3] } };
        Assert.Contains("Data.EntryOrder", Assert.Throws<ArgumentException>(() => Trainer.Run(bad, CancellationToken.None)).Message);
    }

    [Fact]
    public void RandomLowRankTargetIsLowRank()
    {
        var m = Targets.Matrix(new TargetSpec { Kind = TargetKind.RandomLowRank, Rank = 1, Seed = 3 }, 3);
        // Every 2×2 minor of a rank-1 matrix vanishes.
        Assert.Equal(0, m[0] * m[4] - m[1] * m[3], 1e-12);
        Assert.Equal(0, m[4] * m[8] - m[5] * m[7], 1e-12);
        Assert.NotEqual(0, m[0]);
    }

    private static TrialConfig E1(ModelKind kind, int n, double intercept, double c1, double c2) => new()
    {
        Model = new ModelSpec { Kind = kind },
        Target = new TargetSpec { Kind = TargetKind.Linear, Intercept = intercept, Coefficients = [c1, c2] },
        Data = new DataSpec { InputDim = 2, Inputs = InputDistribution.Uniform },
        Training = new TrainingSpec { MaxSteps = 200_000, LossTolerance = 1e-9 },
        Hyper = new Hyperparameters { InitScale = 1e-4, LearningRate = 0.05, SampleSize = n, Seed = 2 },
    };

    [Fact]
    public void E1NonlinearModelRecoversOnePlusX1FromTwoSamples()
    {
        var nl = Trainer.Run(E1(ModelKind.LinearNL, 2, 1, 1, 0), CancellationToken.None);
        Assert.Equal(4, nl.ParamCount);
        Assert.True(nl.TestError < 1e-6, $"f_NL test error {nl.TestError}");
        var l = Trainer.Run(E1(ModelKind.LinearL, 2, 1, 1, 0), CancellationToken.None);
        Assert.Equal(3, l.ParamCount);
        Assert.True(l.TestError > 1e-4, $"f_L should not recover from 2 samples, test error {l.TestError}");
    }

    [Fact]
    public void DiagonalModelFitsSparseTarget()
    {
        var config = new TrialConfig
        {
            Model = new ModelSpec { Kind = ModelKind.DiagonalSquares },
            Target = new TargetSpec { Kind = TargetKind.SparseLinear, Sparsity = 1, Seed = 4 },
            Data = new DataSpec { InputDim = 8 },
            Training = new TrainingSpec { MaxSteps = 20_000, LossTolerance = 1e-10 },
            Hyper = new Hyperparameters { InitScale = 1e-3, LearningRate = 0.05, SampleSize = 5, Seed = 1 },
        };
        var outcome = Trainer.Run(config, CancellationToken.None);
        Assert.True(outcome.TestError < 1e-4, $"test error {outcome.TestError}");
    }

    [Fact]
    public void CnnAndDeepModelsTrain()
    {
        var target = new TargetSpec { Kind = TargetKind.RandomTeacher, Activation = Activation.Tanh, NeuronCount = 1, Seed = 1 };
        foreach (var model in new[]
                 {
                     new ModelSpec { Kind = ModelKind.Cnn1d, Activation = Activation.Tanh, KernelSize = 3, HiddenBias = true },
                     new ModelSpec { Kind = ModelKind.LocallyConnected1d, Activation = Activation.Tanh, KernelSize = 3, HiddenBias = true },
                     new ModelSpec { Kind = ModelKind.DeepFc, Activation = Activation.Tanh, Depth = 3, HiddenBias = true },
                     new ModelSpec { Kind = ModelKind.DiagonalProduct, Depth = 3 },
                 })
        {
            var config = new TrialConfig
            {
                Model = model, Target = target, Data = new DataSpec { InputDim = 5, TestSize = 100 },
                Training = new TrainingSpec { MaxSteps = 300 },
                Hyper = new Hyperparameters { InitScale = 0.3, Width = 4, LearningRate = 0.05, SampleSize = 20, Seed = 1 },
            };
            var start = Trainer.Run(config with { Training = new TrainingSpec { MaxSteps = 0 } }, CancellationToken.None);
            var end = Trainer.Run(config, CancellationToken.None);
            Assert.True(end.TrainLoss < start.TrainLoss, $"{end.ModelDescription}: {start.TrainLoss} -> {end.TrainLoss}");
        }
    }

    [Theory]
    [InlineData(ModelKind.LinearNL, 3, 0, "Data.InputDim")]
    [InlineData(ModelKind.Cnn1d, 5, 6, "Model.KernelSize")]
    [InlineData(ModelKind.LocallyConnected1d, 5, 0, "Model.KernelSize")]
    [InlineData(ModelKind.DeepFc, 5, 0, "Model.Depth")]
    public void InvalidCombinationsNameTheField(ModelKind kind, int d, int kernel, string field)
    {
        var config = new TrialConfig
        {
            Model = new ModelSpec { Kind = kind, KernelSize = kernel },
            Target = new TargetSpec { Kind = TargetKind.SparseLinear, Sparsity = 1 },
            Data = new DataSpec { InputDim = d },
            Training = new TrainingSpec(),
            Hyper = new Hyperparameters { Width = 2, LearningRate = 0.1, SampleSize = 3 },
        };
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Run(config, CancellationToken.None));
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void InvalidTrainingSettingsNameTheField()
    {
        var ok = TrainerTests.TeacherConfig(steps: 1);
        var cases = new (TrialConfig Config, string Field)[]
        {
            (ok with { Training = ok.Training with { MaxSteps = -1 } }, "Training.MaxSteps"),
            (ok with { Training = ok.Training with { Optimizer = OptimizerKind.Adam, Beta2 = 1 } }, "Training.Beta1/Beta2/Epsilon"),
            (ok with { Training = ok.Training with { BatchSize = -3 } }, "Training.BatchSize"),
            (ok with { Data = ok.Data with { Inputs = InputDistribution.Uniform, UniformLow = 1, UniformHigh = 1 } }, "Data.UniformLow"),
            (ok with { Hyper = ok.Hyper with { SampleSize = 0 } }, "Hyper.SampleSize"),
            (ok with { Hyper = ok.Hyper with { Width = 0 } }, "Hyper.Width"),
            (ok with { Hyper = ok.Hyper with { LearningRate = double.NaN } }, "Hyper.LearningRate"),
        };
        foreach (var (config, field) in cases)
            Assert.Contains(field, Assert.Throws<ArgumentException>(() => Trainer.Run(config, CancellationToken.None)).Message);
    }

    [Fact]
    public void MatrixTargetNeedsMatrixModel()
    {
        var config = Mc(4) with { Model = new ModelSpec { Kind = ModelKind.TwoLayer } };
        Assert.Contains("Target.Kind", Assert.Throws<ArgumentException>(() => Trainer.Run(config, CancellationToken.None)).Message);
    }
}
