using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Protocol.Tests;

public sealed class IdTests
{
    private static TrialConfig Config(double lr = 0.1) => new()
    {
        Model = new ModelSpec { Kind = ModelKind.TwoLayer, HiddenBias = true },
        Target = new TargetSpec { Kind = TargetKind.Teacher, Neurons = [new TeacherNeuron(1.2, [1.5], 0.5)] },
        Data = new DataSpec { InputDim = 1, TestSize = 500 },
        Training = new TrainingSpec { MaxSteps = 100000, LossTolerance = 1e-14 },
        Hyper = new Hyperparameters { InitScale = 1e-3, Width = 2, LearningRate = lr, SampleSize = 3, Seed = 0 },
    };

    private const string Pinned = """{"model":{"hidden_bias":true},"target":{"neurons":[{"a":1.2,"w":[1.5],"b":0.5}]},"data":{"input_dim":1,"uniform_low":-1,"uniform_high":1,"test_size":500},"training":{"max_steps":100000,"loss_tolerance":1E-14,"beta1":0.9,"beta2":0.999,"epsilon":1E-08,"divergence_loss":1000000000000,"plateau_tolerance":1E-06},"hyper":{"init_scale":0.001,"width":2,"learning_rate":0.1,"sample_size":3}}""";

    [Fact]
    public void IdIsPinnedSoThatResumeWorksAcrossVersions()
    {
        // If this changes, every existing run folder would re-run all its trials: change it only on purpose,
        // together with the wire version.
        var json = CanonicalJson.Of(Config());
        Assert.True(json == Pinned, json);
        Assert.Equal(TrialId.For(Config()), TrialId.For(Config()));
        Assert.NotEqual(TrialId.For(Config()), TrialId.For(Config(0.2)));
    }
}
