using System.Text.Json;
using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

/// <summary>SGD with momentum, Adam and AdamW against torch.optim trajectories (golden/optimizers).</summary>
public sealed class OptimizerTests
{
    [Theory]
    [InlineData("sgd-momentum", OptimizerKind.Sgd, 0.05, 1e-2)]
    [InlineData("adam", OptimizerKind.Adam, 0.01, 1e-2)]
    [InlineData("adamw", OptimizerKind.AdamW, 0.01, 1e-1)]
    public void MatchesTorchOptim(string name, OptimizerKind kind, double lr, double weightDecay)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "golden");
        using var opt = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "optimizers", "two-layer-tanh-biases.json")));
        using var problem = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "two-layer-tanh-biases.json")));
        double[] Arr(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var p = problem.RootElement;
        int n = p.GetProperty("n").GetInt32();
        var model = new TwoLayer<double>(4, 6, Activation.Tanh, true, true, n);
        var data = new Samples<double>(n, 4, false);
        Arr(p.GetProperty("x")).CopyTo(data.X, 0);
        Arr(p.GetProperty("y")).CopyTo(data.Y, 0);
        var theta = Arr(p.GetProperty("theta"));
        var expected = opt.RootElement.GetProperty(name);
        var losses = Arr(expected.GetProperty("losses"));
        var optimizer = new Optimizer<double>(
            new TrainingSpec { Optimizer = kind, Momentum = 0.9, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8 },
            new Hyperparameters { LearningRate = lr, WeightDecay = weightDecay }, model.ParamCount);
        var grad = new double[model.ParamCount];
        for (int step = 0; step < losses.Length; step++)
        {
            double loss = model.LossAndGradient(theta, data, grad);
            Assert.True(Math.Abs(loss - losses[step]) <= 1e-10 * losses[step], $"{name} step {step}: torch {losses[step]:R}, engine {loss:R}");
            optimizer.Step(theta, grad);
        }
        var final = Arr(expected.GetProperty("final_theta"));
        for (int i = 0; i < final.Length; i++)
            Assert.True(Math.Abs(final[i] - theta[i]) <= 1e-10 * Math.Max(1e-3, Math.Abs(final[i])), $"{name} θ[{i}]: torch {final[i]:R}, engine {theta[i]:R}");
    }
}
