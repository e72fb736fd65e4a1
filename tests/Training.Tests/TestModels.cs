using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

/// <summary>Small random problems and checks shared by the model tests.</summary>
internal static class TestModels
{
    public static Samples<double> RandomSamples(int n, int d, int seed, int matrixSide = 0)
    {
        var rng = new Rng((ulong)seed * 7919 + 11);
        var s = new Samples<double>(n, d, matrixSide > 0);
        for (int i = 0; i < s.X.Length; i++) s.X[i] = rng.NextGaussian();
        for (int i = 0; i < s.Entries.Length; i++) s.Entries[i] = rng.NextInt(matrixSide * matrixSide);
        for (int i = 0; i < n; i++) s.Y[i] = rng.NextGaussian();
        return s;
    }

    public static double[] RandomTheta(Model<double> model, int seed, double scale = 0.7)
    {
        var rng = new Rng((ulong)seed * 104729 + 3);
        var theta = new double[model.ParamCount];
        for (int i = 0; i < theta.Length; i++) theta[i] = scale * rng.NextGaussian();
        return theta;
    }

    /// <summary>The generic Forward + Backward path of the base class, bypassing a fused override.</summary>
    public static double GenericLossAndGradient(Model<double> model, double[] theta, Samples<double> data, double[] grad)
    {
        int n = data.Count;
        var f = new double[n];
        model.Forward(theta, data, f);
        var dOut = new double[n];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double e = f[i] - data.Y[i];
            loss += e * e;
            dOut[i] = 2 * e / n;
        }
        Array.Clear(grad);
        model.Backward(theta, data, dOut, grad);
        return loss / n;
    }

    /// <summary>Central differences of the loss against the analytic gradient, per parameter.</summary>
    public static void AssertGradientMatchesFiniteDifferences(Model<double> model, double[] theta, Samples<double> data)
    {
        var grad = new double[model.ParamCount];
        double loss = model.LossAndGradient(theta, data, grad);
        var generic = new double[model.ParamCount];
        double loss2 = GenericLossAndGradient(model, theta, data, generic);
        Assert.Equal(loss, loss2, 1e-12);
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = theta[i];
            double h = 1e-6 * Math.Max(1, Math.Abs(saved));
            theta[i] = saved + h;
            double up = model.Loss(theta, data);
            theta[i] = saved - h;
            double down = model.Loss(theta, data);
            theta[i] = saved;
            double fd = (up - down) / (2 * h);
            double tol = 1e-6 * Math.Max(1, Math.Abs(fd));
            Assert.True(Math.Abs(fd - grad[i]) <= tol, $"{model.Description}: param {i}: analytic {grad[i]}, finite difference {fd}");
            Assert.True(Math.Abs(generic[i] - grad[i]) <= 1e-12 * Math.Max(1, Math.Abs(grad[i])),
                $"{model.Description}: param {i}: fused {grad[i]}, generic {generic[i]}");
        }
    }
}
