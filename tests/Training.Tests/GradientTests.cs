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
