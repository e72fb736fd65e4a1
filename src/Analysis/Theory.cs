using System.Globalization;
using SweepCluster.Training;

namespace SweepCluster.Analysis;

/// <summary>
/// Optimistic sample sizes from the papers' formulas (OE, arXiv:2307.08921; LSH, arXiv:2211.11623): the model rank
/// at the simplest parameters that represent the target. Null when no formula covers the model and target, or the
/// model cannot represent the target at all (too narrow, a bias it lacks, a neuron wider than a kernel).
/// An output bias adds one: its tangent is the constant function, outside the span of the other tangents.
/// </summary>
public static class Theory
{
    public static int? OptimisticSize(TrialConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        // A user's program is a model the formulas know nothing of.
        if (config.Program is not null) return null;
        var outputBias = config.Model.OutputBias ? 1 : 0;
        int? size = config.Model.Kind switch
        {
            ModelKind.TwoLayer => TwoLayer(config),
            ModelKind.Cnn1d => Convolutional(config, shared: true),
            ModelKind.LocallyConnected1d => Convolutional(config, shared: false),
            ModelKind.MatrixFactorization => MatrixCompletion(config),
            ModelKind.LinearL => E1Target(config.Target) is not null ? 3 : null,
            // θ0 + θ1x1 + θ2θ3x2: with θ2 = θ3 = 0 the x2 directions vanish, which is only possible when x2 is absent.
            ModelKind.LinearNL => E1Target(config.Target) is { } c ? (c.X2 == 0 ? 2 : 3) : null,
            ModelKind.DiagonalSquares => SparseLinear(config),
            // Depth 1 is the plain linear model, whose rank is the full input dimension.
            ModelKind.DiagonalProduct => config.Model.Depth >= 2 ? SparseLinear(config) : null,
            _ => null,
        };
        // E1's models are fixed formulas that already carry their intercept θ0.
        return config.Model.Kind is ModelKind.LinearL or ModelKind.LinearNL ? size : size + outputBias;
    }

    // Each neuron a·tanh(w·x + b) contributes its output weight, d input weights and its bias.
    private static int? TwoLayer(TrialConfig config)
    {
        if (!IsTanh(config)) return null;
        var d = config.Data.InputDim;
        var hiddenBias = config.Model.HiddenBias ? 1 : 0;
        int k;
        if (config.Target.Kind == TargetKind.RandomTeacher) k = config.Target.NeuronCount;
        else if (Neurons(config) is { } neurons && (hiddenBias == 1 || neurons.All(n => n.B == 0))) k = neurons.Count;
        else return null;
        return config.Hyper.Width >= k ? k * (d + 1 + hiddenBias) : null;
    }

    // A 1-D conv layer with P = d + 1 − s positions: a shared kernel brings s weights, its bias and P output
    // weights, k(s + 1 + P) = k(d + 2); without sharing every used (position, kernel) neuron brings s + 2.
    private static int? Convolutional(TrialConfig config, bool shared)
    {
        if (!IsTanh(config) || Neurons(config) is not { } neurons) return null;
        int s = config.Model.KernelSize, d = config.Data.InputDim, positions = d + 1 - s;
        var hiddenBias = config.Model.HiddenBias ? 1 : 0;
        if (s < 1 || positions < 1 || (hiddenBias == 0 && neurons.Any(n => n.B != 0))) return null;

        var local = new List<(int Position, string Kernel)>();
        foreach (var n in neurons)
        {
            var support = Enumerable.Range(0, d).Where(j => j < n.W.Count && n.W[j] != 0).ToList();
            if (support.Count == 0 || n.W.Count > d) return null;
            var p = Math.Min(support[0], positions - 1);
            if (support[^1] >= p + s) return null;
            local.Add((p, Key(n.W.Skip(p).Take(s).Concat([n.B]))));
        }
        if (shared)
        {
            var kernels = local.Select(l => l.Kernel).Distinct().Count();
            return config.Hyper.Width >= kernels ? kernels * (s + hiddenBias + positions) : null;
        }
        var perPosition = local.GroupBy(l => l.Position).Max(g => g.Count());
        return config.Hyper.Width >= perPosition ? local.Count * (s + hiddenBias + 1) : null;
    }

    // The rank-r matrices form a manifold of dimension r(n1 + n2) − r², which is 2rd − r² for d×d.
    private static int? MatrixCompletion(TrialConfig config)
    {
        int rows, cols, rank;
        switch (config.Target.Kind)
        {
            case TargetKind.Matrix when config.Target.Matrix is { Count: > 0 } m && m.All(r => r.Count == m[0].Count && r.Count > 0):
                (rows, cols, rank) = (m.Count, m[0].Count, NumericalRank(m));
                break;
            case TargetKind.RandomLowRank:
                (rows, cols, rank) = (config.Data.InputDim, config.Data.InputDim, config.Target.Rank);
                break;
            default:
                return null;
        }
        var inner = config.Hyper.Width > 0 ? config.Hyper.Width : Math.Min(rows, cols);
        return inner >= rank ? rank * (rows + cols) - rank * rank : null;
    }

    // Σ_j (a_j² − b_j²) x_j and deeper products: a zero coefficient can sit at zero factors with zero tangents,
    // a nonzero one has a one-dimensional tangent x_j.
    private static int? SparseLinear(TrialConfig config) => config.Target switch
    {
        { Kind: TargetKind.SparseLinear } t => t.Sparsity,
        { Kind: TargetKind.Linear, Coefficients: { } c } t when t.Intercept == 0 || config.Model.OutputBias => c.Count(v => v != 0),
        _ => null,
    };

    private static (double X1, double X2)? E1Target(TargetSpec target) =>
        target is { Kind: TargetKind.Linear, Coefficients: var c } && (c is null || c.Count <= 2)
            ? (c is { Count: > 0 } ? c[0] : 0, c is { Count: > 1 } ? c[1] : 0)
            : null;

    private static bool IsTanh(TrialConfig config) =>
        config.Model.Activation == Activation.Tanh && config.Target.Activation == Activation.Tanh;

    /// <summary>
    /// The teacher's distinct neurons with nonzero output. tanh is odd, so (a, w, b) and (−a, −w, −b) are the same
    /// neuron; neurons equal up to that sign merge and their output weights add up.
    /// </summary>
    private static List<TeacherNeuron>? Neurons(TrialConfig config)
    {
        if (config.Target is not { Kind: TargetKind.Teacher, Neurons: { } neurons }) return null;
        return neurons
            .Select(n =>
            {
                var first = n.W.Concat([n.B]).FirstOrDefault(v => v != 0);
                return first < 0 ? new TeacherNeuron(-n.A, n.W.Select(v => -v).ToList(), -n.B) : n;
            })
            .GroupBy(n => Key(n.W.Concat([n.B])))
            .Select(g => g.First() with { A = g.Sum(n => n.A) })
            .Where(n => n.A != 0)
            .ToList();
    }

    private static string Key(IEnumerable<double> values) =>
        string.Join(",", values.Select(v => (v + 0.0).ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>Singular values above 1e-9 of the largest, by one-sided Jacobi: accurate for the small matrices of matrix completion.</summary>
    internal static int NumericalRank(IReadOnlyList<IReadOnlyList<double>> matrix)
    {
        int m = matrix.Count, n = matrix[0].Count;
        var a = new double[m, n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++) a[i, j] = matrix[i][j];

        for (var sweep = 0; sweep < 100; sweep++)
        {
            var rotated = false;
            for (var p = 0; p < n - 1; p++)
                for (var q = p + 1; q < n; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (var i = 0; i < m; i++)
                    {
                        alpha += a[i, p] * a[i, p];
                        beta += a[i, q] * a[i, q];
                        gamma += a[i, p] * a[i, q];
                    }
                    if (Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                    rotated = true;
                    var zeta = (beta - alpha) / (2 * gamma);
                    var t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    var c = 1 / Math.Sqrt(1 + t * t);
                    var sn = c * t;
                    for (var i = 0; i < m; i++)
                    {
                        var ap = a[i, p];
                        a[i, p] = c * ap - sn * a[i, q];
                        a[i, q] = sn * ap + c * a[i, q];
                    }
                }
            if (!rotated) break;
        }

        var singular = Enumerable.Range(0, n)
            .Select(j => Math.Sqrt(Enumerable.Range(0, m).Sum(i => a[i, j] * a[i, j])))
            .ToList();
        var largest = singular.Max();
        return largest == 0 ? 0 : singular.Count(v => v > 1e-9 * largest);
    }
}
