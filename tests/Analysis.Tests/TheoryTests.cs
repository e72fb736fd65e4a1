using SweepCluster.Analysis;
using SweepCluster.Training;

namespace SweepCluster.Analysis.Tests;

public sealed class TheoryTests
{
    internal static TrialConfig Config(ModelSpec model, TargetSpec target, int inputDim, int width = 0) => new()
    {
        Model = model,
        Target = target,
        Data = new DataSpec { InputDim = inputDim },
        Training = new TrainingSpec(),
        Hyper = new Hyperparameters { Width = width },
    };

    internal static TargetSpec LinearTarget(double intercept, double x1, double x2) =>
        new() { Kind = TargetKind.Linear, Intercept = intercept, Coefficients = [x1, x2] };

    // experiments.md E1: f_NL recovers 1, x1, 1+x1 from n = 2; every other case, and f_L always, needs 3.
    [Theory]
    [InlineData(1, 0, 0, 2)]
    [InlineData(0, 1, 0, 2)]
    [InlineData(1, 1, 0, 2)]
    [InlineData(0, 0, 1, 3)]
    [InlineData(1, 0, 1, 3)]
    [InlineData(0, 1, 1, 3)]
    [InlineData(1, 1, 1, 3)]
    public void E1_reparameterized_and_linear_models(double c0, double c1, double c2, int nonlinear)
    {
        var target = LinearTarget(c0, c1, c2);
        Assert.Equal(nonlinear, Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.LinearNL }, target, 2)));
        Assert.Equal(3, Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.LinearL }, target, 2)));
    }

    public static TheoryData<string, double[][], int, int> E2Matrices => new()
    {
        { "M1", [[1, 0.3, 0.7, -0.4], [2, 0.6, 1.4, -0.8], [4, 1.2, 2.8, -1.6], [7, 2.1, 4.9, -2.8]], 1, 7 },
        { "M2", [[4, 0.6, 1.8, 0.8], [6, 0.9, 2.7, 1.2], [8, 1.2, 3.6, 1.6], [18, 2.7, 8.1, 3.6]], 1, 7 },
        { "M3", [[-1.8, 2.4, 7.7, -5.3], [0.4, 1.8, 5.4, -3.6], [3.2, 1.8, 4.8, -3], [6.6, 2.4, 5.9, -3.5]], 2, 12 },
        { "M4", [[7.6, 3.3, 19.8, -7.3], [7.6, 2.1, 10.7, -2.4], [8.8, 1.8, 7.6, -0.2], [19.2, 3.6, 14.1, 0.9]], 2, 12 },
        { "M6", [[8.5, 9.3, 22.5, -6.1], [8.2, 6.1, 12.5, -1.6], [11.5, 19.8, 15.7, 3.4], [20.4, 11.6, 17.7, 2.5]], 3, 15 },
        { "M7", [[3.6, -1.2, 8.1, -3.5], [8.1, -3.5, 3.6, -1.2], [9.1, -1.7, 11.4, -0.6], [11.4, -0.6, 9.1, -1.7]], 4, 16 },
        { "M8", [[12.1, 17.3, 24.1, -4.9], [16.3, 24.1, 16.1, 1.1], [14.2, 25.8, 16.9, 4.3], [22.2, 15.6, 18.5, 3.1]], 4, 16 },
    };

    // experiments.md E2: transitions at 7, 12, 15, 16 = 2rd − r² for ranks 1–4 with d = 4.
    [Theory]
    [MemberData(nameof(E2Matrices))]
    public void E2_matrix_completion_uses_the_numerical_rank(string name, double[][] matrix, int rank, int expected)
    {
        Assert.True(Theory.NumericalRank(matrix) == rank, $"{name} rank");
        var target = new TargetSpec { Kind = TargetKind.Matrix, Matrix = matrix };
        Assert.Equal(expected, Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.MatrixFactorization }, target, 4)));
        Assert.Equal(expected, Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.MatrixFactorization }, target, 4, width: 4)));
    }

    [Fact]
    public void Matrix_completion_random_low_rank_and_too_narrow_factors()
    {
        var mf = new ModelSpec { Kind = ModelKind.MatrixFactorization };
        Assert.Equal(0, Theory.OptimisticSize(Config(mf, new TargetSpec { Kind = TargetKind.Matrix, Matrix = [[0, 0], [0, 0]] }, 2)));
        Assert.Equal(2 * 2 * 10 - 4, Theory.OptimisticSize(Config(mf, new TargetSpec { Kind = TargetKind.RandomLowRank, Rank = 2 }, 10)));
        Assert.Null(Theory.OptimisticSize(Config(mf, new TargetSpec { Kind = TargetKind.RandomLowRank, Rank = 3 }, 10, width: 2)));
    }

    // experiments.md E5: f* = Σ_{s=1..3} tanh(0.6x_s + 0.8x_{s+1} + x_{s+2}) in R^5; FC 21, CNN 7, locally connected 15.
    internal static TargetSpec E5Target => new()
    {
        Kind = TargetKind.Teacher,
        Neurons = Enumerable.Range(0, 3).Select(s =>
            new TeacherNeuron(1, Enumerable.Range(0, 5).Select(j => (j - s) switch { 0 => 0.6, 1 => 0.8, 2 => 1.0, _ => 0.0 }).ToList(), 0)).ToList(),
    };

    [Theory]
    [InlineData(ModelKind.TwoLayer, 3, 21)]
    [InlineData(ModelKind.TwoLayer, 300, 21)]
    [InlineData(ModelKind.TwoLayer, 2, null)]
    [InlineData(ModelKind.Cnn1d, 1, 7)]
    [InlineData(ModelKind.Cnn1d, 100, 7)]
    [InlineData(ModelKind.LocallyConnected1d, 1, 15)]
    [InlineData(ModelKind.LocallyConnected1d, 34, 15)]
    public void E5_fully_connected_cnn_and_locally_connected(ModelKind kind, int width, int? expected)
    {
        var model = new ModelSpec { Kind = kind, HiddenBias = true, KernelSize = 3 };
        Assert.Equal(expected, Theory.OptimisticSize(Config(model, E5Target, 5, width)));
    }

    [Fact]
    public void Convolution_without_bias_and_with_a_neuron_wider_than_the_kernel()
    {
        var noBias = new ModelSpec { Kind = ModelKind.Cnn1d, KernelSize = 3 };
        Assert.Equal(1 * (3 + 3), Theory.OptimisticSize(Config(noBias, E5Target, 5, 1)));
        var wide = new TargetSpec { Kind = TargetKind.Teacher, Neurons = [new TeacherNeuron(1, [1, 0, 0, 1, 0], 0)] };
        Assert.Null(Theory.OptimisticSize(Config(noBias with { HiddenBias = true }, wide, 5, 1)));
    }

    [Fact]
    public void Two_layer_tanh_counts_distinct_teacher_neurons()
    {
        TeacherNeuron N(double a, double[] w, double b = 0) => new(a, w, b);
        var noBias = new ModelSpec { Kind = ModelKind.TwoLayer };
        var withBias = noBias with { HiddenBias = true };
        var two = new TargetSpec { Kind = TargetKind.Teacher, Neurons = [N(1, [1, 2, 3]), N(-2, [0, 1, 0])] };
        Assert.Equal(2 * (3 + 1), Theory.OptimisticSize(Config(noBias, two, 3, 5)));
        Assert.Equal(2 * (3 + 2), Theory.OptimisticSize(Config(withBias, two, 3, 5)));
        Assert.Equal(2 * (3 + 2) + 1, Theory.OptimisticSize(Config(withBias with { OutputBias = true }, two, 3, 5)));

        // a·tanh(w·x) = −a·tanh(−w·x): a sign-flipped copy is the same neuron, and a zero output weight no neuron.
        var redundant = two with { Neurons = [.. two.Neurons!, N(-1, [-1, -2, -3]), N(0, [5, 5, 5])] };
        Assert.Equal(2 * (3 + 1), Theory.OptimisticSize(Config(noBias, redundant, 3, 5)));
        var cancelling = two with { Neurons = [.. two.Neurons!, N(1, [-1, -2, -3])] };
        Assert.Equal(1 * (3 + 1), Theory.OptimisticSize(Config(noBias, cancelling, 3, 5)));

        // The quickstart of issue 2: a·tanh(w·x + b) in one dimension with a biased network has size 3.
        var single = new TargetSpec { Kind = TargetKind.Teacher, Neurons = [N(1.5, [2], 0.5)] };
        Assert.Equal(3, Theory.OptimisticSize(Config(withBias, single, 1, 4)));
        Assert.Null(Theory.OptimisticSize(Config(noBias, single, 1, 4)));
        Assert.Null(Theory.OptimisticSize(Config(withBias with { Activation = Activation.Relu }, single, 1, 4)));
        Assert.Equal(3 * 6, Theory.OptimisticSize(Config(noBias, new TargetSpec { Kind = TargetKind.RandomTeacher, NeuronCount = 3 }, 5, 3)));
    }

    [Fact]
    public void Diagonal_models_on_sparse_targets_need_k()
    {
        var squares = new ModelSpec { Kind = ModelKind.DiagonalSquares };
        Assert.Equal(4, Theory.OptimisticSize(Config(squares, new TargetSpec { Kind = TargetKind.SparseLinear, Sparsity = 4 }, 100)));
        var linear = new TargetSpec { Kind = TargetKind.Linear, Coefficients = [0, 2, 0, -1, 0] };
        Assert.Equal(2, Theory.OptimisticSize(Config(squares, linear, 5)));
        Assert.Equal(2, Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.DiagonalProduct, Depth = 3 }, linear, 5)));
        Assert.Null(Theory.OptimisticSize(Config(squares, linear with { Intercept = 1 }, 5)));
    }

    [Fact]
    public void No_formula_means_null()
    {
        Assert.Null(Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.DeepFc, Depth = 3 }, E5Target, 5, 10)));
        Assert.Null(Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.MatrixFactorization }, E5Target, 5)));
        Assert.Null(Theory.OptimisticSize(Config(new ModelSpec { Kind = ModelKind.LinearNL }, E5Target, 2)));
    }
}
