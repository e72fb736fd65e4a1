using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

public sealed class GradientTests
{
    [Theory]
    [InlineData(Activation.Tanh, false, false)]
    [InlineData(Activation.Tanh, true, true)]
    [InlineData(Activation.Relu, true, false)]
    [InlineData(Activation.Sigmoid, false, true)]
    [InlineData(Activation.Identity, true, true)]
    public void TwoLayer(Activation act, bool hiddenBias, bool outputBias)
    {
        // Width 13 exercises both the vector body and the scalar tail of the kernels.
        var model = new TwoLayer<double>(3, 13, act, hiddenBias, outputBias, capacity: 9);
        Assert.Equal(13 * 3 + (hiddenBias ? 13 : 0) + 13 + (outputBias ? 1 : 0), model.ParamCount);
        var data = TestModels.RandomSamples(9, 3, seed: 1);
        TestModels.AssertGradientMatchesFiniteDifferences(model, TestModels.RandomTheta(model, 2), data);
    }
}

public sealed class AllModelGradientTests
{
    public static TheoryData<string> Models() => new(ModelZoo.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void MatchesFiniteDifferences(string name)
    {
        var (model, data) = ModelZoo.Create(name);
        TestModels.AssertGradientMatchesFiniteDifferences(model, TestModels.RandomTheta(model, 4), data);
    }
}

/// <summary>One small instance of every model, with samples of the right kind.</summary>
internal static class ModelZoo
{
    public static readonly string[] Names =
    [
        "two-layer-tanh", "two-layer-relu-bias", "cnn", "cnn-nobias-outbias", "locally-connected", "mf",
        "linear-l", "linear-nl", "diag-squares", "diag-product", "deep-fc", "deep-fc-depth1",
    ];

    public static (Model<double> Model, Samples<double> Data) Create(string name)
    {
        const int n = 7;
        return name switch
        {
            "two-layer-tanh" => (new TwoLayer<double>(4, 6, Activation.Tanh, false, false, n), TestModels.RandomSamples(n, 4, 1)),
            "two-layer-relu-bias" => (new TwoLayer<double>(4, 6, Activation.Relu, true, true, n), TestModels.RandomSamples(n, 4, 1)),
            "cnn" => (new Conv1d<double>(5, 2, 3, true, Activation.Tanh, true, false, n), TestModels.RandomSamples(n, 5, 2)),
            "cnn-nobias-outbias" => (new Conv1d<double>(6, 3, 2, true, Activation.Sigmoid, false, true, n), TestModels.RandomSamples(n, 6, 2)),
            "locally-connected" => (new Conv1d<double>(5, 2, 3, false, Activation.Tanh, true, true, n), TestModels.RandomSamples(n, 5, 3)),
            "mf" => (new MatrixFactorization<double>(4, n), TestModels.RandomSamples(n, 1, 4, matrixSide: 4)),
            "linear-l" => (new LinearL<double>(2, n), TestModels.RandomSamples(n, 2, 5)),
            "linear-nl" => (new LinearNL<double>(n), TestModels.RandomSamples(n, 2, 5)),
            "diag-squares" => (new DiagonalSquares<double>(5, n), TestModels.RandomSamples(n, 5, 6)),
            "diag-product" => (new DiagonalProduct<double>(5, 3, n), TestModels.RandomSamples(n, 5, 6)),
            "deep-fc" => (new DeepFc<double>(3, 5, 3, Activation.Tanh, true, true, n), TestModels.RandomSamples(n, 3, 7)),
            "deep-fc-depth1" => (new DeepFc<double>(3, 0, 1, Activation.Tanh, true, true, n), TestModels.RandomSamples(n, 3, 7)),
            _ => throw new ArgumentException(name),
        };
    }
}
