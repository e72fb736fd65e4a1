using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

public sealed class ModelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void E5ParameterCounts(int kernels)
    {
        Assert.Equal(7 * kernels, new Conv1d<double>(5, kernels, 3, true, Activation.Tanh, true, false, 1).ParamCount);
        Assert.Equal(15 * kernels, new Conv1d<double>(5, kernels, 3, false, Activation.Tanh, true, false, 1).ParamCount);
        Assert.Equal(21 * kernels, new TwoLayer<double>(5, 3 * kernels, Activation.Tanh, true, false, 1).ParamCount);
    }

    [Fact]
    public void CnnWithTheTargetKernelReproducesTheE5Target()
    {
        // One kernel [0.6, 0.8, 1.0], no bias, readout 1 at every position: exactly E5's target.
        var cnn = new Conv1d<double>(5, 1, 3, true, Activation.Tanh, false, false, 1);
        double[] theta = [0.6, 0.8, 1.0, 1, 1, 1];
        var x = TestModels.RandomSamples(1, 5, 9);
        var f = new double[1];
        cnn.Forward(theta, x, f);
        var r = x.Row(0);
        double expected = 0;
        for (int p = 0; p < 3; p++) expected += Math.Tanh(0.6 * r[p] + 0.8 * r[p + 1] + 1.0 * r[p + 2]);
        Assert.Equal(expected, f[0], 1e-14);
    }

    [Fact]
    public void MatrixFactorizationPredictsTheProduct()
    {
        var mf = new MatrixFactorization<double>(3, 9);
        var theta = TestModels.RandomTheta(mf, 1);
        var data = new Samples<double>(9, 1, entries: true);
        for (int e = 0; e < 9; e++) data.Entries[e] = e;
        var f = new double[9];
        mf.Forward(theta, data, f);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++) s += theta[i * 3 + k] * theta[9 + k * 3 + j];
                Assert.Equal(s, f[i * 3 + j], 1e-14);
            }
    }

    [Fact]
    public void InitScaleAndGammaSetTheSpread()
    {
        var model = new TwoLayer<double>(10, 400, Activation.Tanh, false, false, 1);
        var theta = new double[model.ParamCount];
        var rng = Rng.For(1, RngPurpose.Init);
        model.Initialize(theta, ref rng, 0.01, null);
        Assert.InRange(Std(theta.AsSpan(0, 4000)), 0.0095, 0.0105);
        model.Initialize(theta, ref rng, 0.01, 1.0);
        Assert.InRange(Std(theta.AsSpan(0, 4000)), 0.095, 0.105);     // W: fan_in d = 10
        Assert.InRange(Std(theta.AsSpan(4000, 400)), 0.0022, 0.0028);  // a: fan_in m = 400
    }

    private static double Std(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double x in v) s += x * x;
        return Math.Sqrt(s / v.Length);
    }
}
