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

    /// <summary>The float32 kernels compute the same loss and gradient as float64, to float32 accuracy.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Float32AgreesWithFloat64(string name)
    {
        var (m64, d64) = ModelZoo.Create<double>(name);
        var (m32, d32) = ModelZoo.Create<float>(name);
        var theta64 = TestModels.RandomTheta(m64, 4);
        var theta32 = theta64.Select(v => (float)v).ToArray();
        // Round θ through float so both precisions start from the same point.
        theta64 = theta32.Select(v => (double)v).ToArray();
        var g64 = new double[m64.ParamCount];
        var g32 = new float[m32.ParamCount];
        double loss64 = m64.LossAndGradient(theta64, d64, g64);
        float loss32 = m32.LossAndGradient(theta32, d32, g32);
        Assert.Equal(loss64, loss32, 1e-5 * Math.Max(1, loss64));
        double scale = g64.Max(Math.Abs);
        for (int i = 0; i < g64.Length; i++)
            Assert.True(Math.Abs(g64[i] - g32[i]) <= 1e-5 * Math.Max(scale, 1e-3), $"{name} grad[{i}]: float64 {g64[i]}, float32 {g32[i]}");
    }
}

/// <summary>One small instance of every model, with samples of the right kind.</summary>
internal static class ModelZoo
{
    public static readonly string[] Names =
    [
        "two-layer-tanh", "two-layer-relu-bias", "two-layer-blocks", "cnn", "cnn-nobias-outbias", "locally-connected", "mf",
        "linear-l", "linear-nl", "diag-squares", "diag-product", "deep-fc", "deep-fc-depth1",
    ];

    public static (Model<double> Model, Samples<double> Data) Create(string name) => Create<double>(name);

    public static (Model<T> Model, Samples<T> Data) Create<T>(string name) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int n = 7;
        (Model<T>, Samples<double>) pair = name switch
        {
            "two-layer-tanh" => (new TwoLayer<T>(4, 6, Activation.Tanh, false, false, n), TestModels.RandomSamples(n, 4, 1)),
            "two-layer-relu-bias" => (new TwoLayer<T>(4, 6, Activation.Relu, true, true, n), TestModels.RandomSamples(n, 4, 1)),
            // 20 samples: two 8-sample blocks of the fused kernel plus a tail; width 13 pads in both precisions.
            "two-layer-blocks" => (new TwoLayer<T>(4, 13, Activation.Tanh, true, true, 20), TestModels.RandomSamples(20, 4, 8)),
            "cnn" => (new Conv1d<T>(5, 2, 3, true, Activation.Tanh, true, false, n), TestModels.RandomSamples(n, 5, 2)),
            "cnn-nobias-outbias" => (new Conv1d<T>(6, 3, 2, true, Activation.Sigmoid, false, true, n), TestModels.RandomSamples(n, 6, 2)),
            "locally-connected" => (new Conv1d<T>(5, 2, 3, false, Activation.Tanh, true, true, n), TestModels.RandomSamples(n, 5, 3)),
            "mf" => (new MatrixFactorization<T>(4, n), TestModels.RandomSamples(n, 1, 4, matrixSide: 4)),
            "linear-l" => (new LinearL<T>(2, n), TestModels.RandomSamples(n, 2, 5)),
            "linear-nl" => (new LinearNL<T>(n), TestModels.RandomSamples(n, 2, 5)),
            "diag-squares" => (new DiagonalSquares<T>(5, n), TestModels.RandomSamples(n, 5, 6)),
            "diag-product" => (new DiagonalProduct<T>(5, 3, n), TestModels.RandomSamples(n, 5, 6)),
            "deep-fc" => (new DeepFc<T>(3, 5, 3, Activation.Tanh, true, true, n), TestModels.RandomSamples(n, 3, 7)),
            "deep-fc-depth1" => (new DeepFc<T>(3, 0, 1, Activation.Tanh, true, true, n), TestModels.RandomSamples(n, 3, 7)),
            _ => throw new ArgumentException(name),
        };
        var d = pair.Item2;
        return (pair.Item1, Samples<T>.FromDouble(d.X, d.Entries.Length > 0 ? d.Entries : null, d.Y, d.Dim));
    }
}
