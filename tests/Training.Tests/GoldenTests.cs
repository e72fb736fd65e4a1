using System.Text.Json;
using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

/// <summary>
/// Compares the engine with PyTorch autograd on the files tools/golden/make_golden.py writes: forward output,
/// loss, every gradient and a 100-step gradient-descent trajectory in float64, to 1e-10 relative.
/// </summary>
public sealed class GoldenTests
{
    private const double Tolerance = 1e-10;

    public static TheoryData<string> Files() =>
        new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "golden"), "*.json").Select(Path.GetFileNameWithoutExtension).Order()!);

    private sealed record GoldenSpec(string Kind, int D, int Width, string Activation, bool HiddenBias, bool OutputBias,
        int KernelSize, int Depth, bool Shared, double Lr, double WeightDecay);

    private sealed record Golden(string Name, GoldenSpec Spec, int N, double[]? X, int[]? Entries, double[] Y, double[] Theta,
        double[] Output, double Loss, double[] Grad, int Steps, double[] Losses, double Final_Loss, double[] Final_Theta);

    private static Golden Load(string name) =>
        JsonSerializer.Deserialize<Golden>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "golden", name + ".json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    private static (Model<double>, Samples<double>) Build(Golden g)
    {
        var s = g.Spec;
        var act = Enum.Parse<Activation>(s.Activation, ignoreCase: true);
        var spec = new ModelSpec
        {
            Kind = Enum.Parse<ModelKind>(s.Kind), Activation = act, HiddenBias = s.HiddenBias, OutputBias = s.OutputBias,
            KernelSize = s.KernelSize, Depth = s.Depth,
        };
        var model = ModelFactory.Create<double>(spec, s.Width, s.D, g.N);
        var data = new Samples<double>(g.N, s.D, g.Entries is not null);
        g.X?.CopyTo(data.X, 0);
        g.Entries?.CopyTo(data.Entries, 0);
        g.Y.CopyTo(data.Y, 0);
        return (model, data);
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(Math.Abs(expected), 1e-3),
            $"{what}: PyTorch {expected:R}, engine {actual:R}");

    private static void Close(double[] expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        // Relative to the vector's scale for entries near zero, where a per-entry relative error means nothing.
        double scale = Math.Max(expected.Max(Math.Abs), 1e-3);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(Math.Abs(expected[i]), 1e-3 * scale),
                $"{what}[{i}]: PyTorch {expected[i]:R}, engine {actual[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ForwardLossAndGradient(string name)
    {
        var g = Load(name);
        var (model, data) = Build(g);
        Assert.Equal(g.Theta.Length, model.ParamCount);
        var f = new double[g.N];
        model.Forward(g.Theta, data, f);
        Close(g.Output, f, name + " output");
        var grad = new double[model.ParamCount];
        Close(g.Loss, model.LossAndGradient(g.Theta, data, grad), name + " loss");
        Close(g.Grad, grad, name + " grad");
        Close(g.Loss, TestModels.GenericLossAndGradient(model, g.Theta, data, grad), name + " generic loss");
        Close(g.Grad, grad, name + " generic grad");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void GradientDescentTrajectory(string name)
    {
        var g = Load(name);
        var (model, data) = Build(g);
        var optimizer = new Optimizer<double>(new TrainingSpec { Optimizer = OptimizerKind.Gd },
            new Hyperparameters { LearningRate = g.Spec.Lr, WeightDecay = g.Spec.WeightDecay }, model.ParamCount);
        var theta = (double[])g.Theta.Clone();
        var grad = new double[model.ParamCount];
        for (int step = 0; step < g.Steps; step++)
        {
            Close(g.Losses[step], model.LossAndGradient(theta, data, grad), $"{name} loss at step {step}");
            optimizer.Step(theta, grad);
        }
        Close(g.Final_Theta, theta, name + " final θ");
        Close(g.Final_Loss, model.Loss(theta, data), name + " final loss");
    }
}
