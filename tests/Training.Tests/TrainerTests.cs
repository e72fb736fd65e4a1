using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

public sealed class TrainerTests
{
    internal static TrialConfig TeacherConfig(int width = 20, int n = 40, double lr = 0.1, long steps = 2000,
        Precision precision = Precision.Float64, InputDistribution inputs = InputDistribution.Gaussian, int d = 3) => new()
    {
        Model = new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh },
        Target = new TargetSpec { Kind = TargetKind.RandomTeacher, Activation = Activation.Tanh, NeuronCount = 2, Seed = 5 },
        Data = new DataSpec { InputDim = d, Inputs = inputs, TestSize = 200 },
        Training = new TrainingSpec { MaxSteps = steps, LossTolerance = 1e-12, Precision = precision },
        Hyper = new Hyperparameters { InitScale = 0.1, Width = width, LearningRate = lr, SampleSize = n, Seed = 3 },
    };

    [Fact]
    public void GradientDescentFitsATeacher()
    {
        var config = TeacherConfig();
        var outcome = Trainer.Run(config, CancellationToken.None);
        Assert.Equal(OutcomeStatus.Ok, outcome.Status);
        Assert.Equal(20 * 3 + 20, outcome.ParamCount);
        Assert.Null(outcome.TestErrorUnobserved);
        var start = Trainer.Run(config with { Training = config.Training with { MaxSteps = 0 } }, CancellationToken.None);
        Assert.Equal(0, start.Steps);
        Assert.True(outcome.TrainLoss < 1e-2 * start.TrainLoss, $"loss {start.TrainLoss} -> {outcome.TrainLoss}");
        Assert.True(outcome.TestError < start.TestError, $"test {start.TestError} -> {outcome.TestError}");
    }

    [Fact]
    public void ExplicitTeacherAndUniformInputs()
    {
        var config = TeacherConfig(inputs: InputDistribution.Uniform, d: 2, lr: 0.3, steps: 4000) with
        {
            Model = new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh, HiddenBias = true },
            Target = new TargetSpec
            {
                Kind = TargetKind.Teacher, Activation = Activation.Tanh,
                Neurons = [new TeacherNeuron(1.5, [0.5, -1.0], 0.2)],
            },
        };
        var outcome = Trainer.Run(config, CancellationToken.None);
        Assert.Equal(OutcomeStatus.Ok, outcome.Status);
        Assert.True(outcome.TrainLoss < 1e-3, $"loss {outcome.TrainLoss}");
    }

    [Fact]
    public void StopsAtLossTolerance()
    {
        var config = TeacherConfig(steps: 100_000);
        config = config with { Training = config.Training with { LossTolerance = 1e-3 } };
        var outcome = Trainer.Run(config, CancellationToken.None);
        Assert.True(outcome.TrainLoss < 1e-3);
        Assert.True(outcome.Steps < 100_000);
        var oneLess = Trainer.Run(config with { Training = config.Training with { MaxSteps = outcome.Steps - 1, LossTolerance = 0 } }, CancellationToken.None);
        Assert.True(oneLess.TrainLoss >= 1e-3, "the tolerance stop should fire at the first step below it");
    }

    [Fact]
    public void HugeLearningRateDivergesWithoutThrowing()
    {
        var outcome = Trainer.Run(TeacherConfig(lr: 1e6, steps: 500), CancellationToken.None);
        Assert.Equal(OutcomeStatus.Diverged, outcome.Status);
        Assert.True(outcome.Steps < 500);
    }

    [Fact]
    public void SameConfigGivesSameNumbers()
    {
        var a = Trainer.Run(TeacherConfig(steps: 50), CancellationToken.None);
        var b = Trainer.Run(TeacherConfig(steps: 50), CancellationToken.None);
        Assert.Equal(a.TrainLoss, b.TrainLoss);
        Assert.Equal(a.TestError, b.TestError);
    }

    [Fact]
    public void Float32TrainsToo()
    {
        var outcome = Trainer.Run(TeacherConfig(precision: Precision.Float32, steps: 500), CancellationToken.None);
        var start = Trainer.Run(TeacherConfig(precision: Precision.Float32, steps: 0), CancellationToken.None);
        Assert.Equal(OutcomeStatus.Ok, outcome.Status);
        Assert.True(outcome.TrainLoss < 0.1 * start.TrainLoss);
    }

    [Fact]
    public void Grid1dInputs()
    {
        var config = TeacherConfig(inputs: InputDistribution.Grid1d, d: 1, n: 10, steps: 300);
        Assert.Equal(OutcomeStatus.Ok, Trainer.Run(config, CancellationToken.None).Status);
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Run(TeacherConfig(inputs: InputDistribution.Grid1d, d: 2), CancellationToken.None));
        Assert.Contains("Data.InputDim", ex.Message);
    }

    [Fact]
    public void WeightDecayShrinksTheWeights()
    {
        // With a zero learning signal (zero target) GD with decay λ contracts θ by (1 − ηλ) per step on top of the
        // loss gradient, so the final loss must be lower than without decay from the same start.
        var config = TeacherConfig(steps: 200);
        var decayed = Trainer.Run(config with { Hyper = config.Hyper with { WeightDecay = 0.5 } }, CancellationToken.None);
        var plain = Trainer.Run(config, CancellationToken.None);
        Assert.NotEqual(plain.TrainLoss, decayed.TrainLoss);
        Assert.True(decayed.TrainLoss > plain.TrainLoss, "strong decay should stop the fit from reaching the teacher");
    }
}
