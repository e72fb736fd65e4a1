namespace SweepCluster.Training;

/// <summary>
/// A target on vectors x ∈ R^d: Σ_k a_k σ(w_k·x + b_k) + intercept + Σ_j c_j x_j (unused parts are empty).
/// Teachers fill the neuron arrays (W is k×d row-major), linear targets the coefficients.
/// </summary>
internal sealed class VectorTarget
{
    public required int Dim { get; init; }
    public double[] A { get; init; } = [];
    public double[] W { get; init; } = [];
    public double[] B { get; init; } = [];
    public Activation Activation { get; init; }
    public double Intercept { get; init; }
    public double[] Coefficients { get; init; } = [];

    public double Evaluate(ReadOnlySpan<double> x)
    {
        double f = Intercept;
        for (int j = 0; j < Coefficients.Length; j++) f += Coefficients[j] * x[j];
        for (int k = 0; k < A.Length; k++)
        {
            double z = B[k];
            for (int j = 0; j < Dim; j++) z += W[k * Dim + j] * x[j];
            f += A[k] * Activations.Apply(Activation, z);
        }
        return f;
    }
}

internal static class Targets
{
    public static bool IsMatrix(TargetKind k) => k is TargetKind.Matrix or TargetKind.RandomLowRank;

    public static VectorTarget Vector(TargetSpec t, int d)
    {
        switch (t.Kind)
        {
            case TargetKind.Teacher:
            {
                var neurons = t.Neurons is { Count: > 0 } ns ? ns : throw new ArgumentException("Target.Neurons: a Teacher target needs at least one neuron");
                var w = new double[neurons.Count * d];
                for (int k = 0; k < neurons.Count; k++)
                {
                    if (neurons[k].W.Count != d)
                        throw new ArgumentException($"Target.Neurons[{k}].W: has {neurons[k].W.Count} weights, expected Data.InputDim = {d}");
                    for (int j = 0; j < d; j++) w[k * d + j] = neurons[k].W[j];
                }
                return new VectorTarget
                {
                    Dim = d, W = w, Activation = t.Activation,
                    A = neurons.Select(n => n.A).ToArray(), B = neurons.Select(n => n.B).ToArray(),
                };
            }
            case TargetKind.RandomTeacher:
            {
                if (t.NeuronCount < 1) throw new ArgumentException($"Target.NeuronCount: {t.NeuronCount}, expected at least 1");
                // a_k, w_k ~ N(0, 1), no bias: the k-neuron teacher of the k(d+1) theory.
                var rng = Rng.For(t.Seed, RngPurpose.Target);
                var a = new double[t.NeuronCount];
                var w = new double[t.NeuronCount * d];
                for (int k = 0; k < t.NeuronCount; k++)
                {
                    a[k] = rng.NextGaussian();
                    for (int j = 0; j < d; j++) w[k * d + j] = rng.NextGaussian();
                }
                return new VectorTarget { Dim = d, A = a, W = w, B = new double[t.NeuronCount], Activation = t.Activation };
            }
            case TargetKind.Linear:
            {
                var c = t.Coefficients ?? [];
                if (c.Count != d) throw new ArgumentException($"Target.Coefficients: has {c.Count} values, expected Data.InputDim = {d}");
                return new VectorTarget { Dim = d, Intercept = t.Intercept, Coefficients = c.ToArray() };
            }
            case TargetKind.SparseLinear:
            {
                if (t.Sparsity < 0 || t.Sparsity > d)
                    throw new ArgumentException($"Target.Sparsity: {t.Sparsity}, expected 0..Data.InputDim = {d}");
                var rng = Rng.For(t.Seed, RngPurpose.Target);
                var idx = Enumerable.Range(0, d).ToArray();
                rng.Shuffle(idx);
                var c = new double[d];
                for (int k = 0; k < t.Sparsity; k++) c[idx[k]] = rng.NextGaussian();
                return new VectorTarget { Dim = d, Intercept = t.Intercept, Coefficients = c };
            }
            default:
                throw new ArgumentException($"Target.Kind: {t.Kind} is a matrix target; it needs Model.Kind = MatrixFactorization");
        }
    }

    /// <summary>The d×d target matrix, row-major.</summary>
    public static double[] Matrix(TargetSpec t, int d)
    {
        switch (t.Kind)
        {
            case TargetKind.Matrix:
            {
                var rows = t.Matrix ?? throw new ArgumentException("Target.Matrix: missing for a Matrix target");
                if (rows.Count != d || rows.Any(r => r.Count != d))
                    throw new ArgumentException($"Target.Matrix: expected {d}×{d} (Data.InputDim = {d}), got {rows.Count} rows of lengths {string.Join(",", rows.Select(r => r.Count))}");
                var m = new double[d * d];
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) m[i * d + j] = rows[i][j];
                return m;
            }
            case TargetKind.RandomLowRank:
            {
                if (t.Rank < 0 || t.Rank > d) throw new ArgumentException($"Target.Rank: {t.Rank}, expected 0..Data.InputDim = {d}");
                // M = U V with U (d×r), V (r×d) ~ N(0, 1).
                var rng = Rng.For(t.Seed, RngPurpose.Target);
                var u = new double[d * t.Rank];
                var v = new double[t.Rank * d];
                for (int i = 0; i < u.Length; i++) u[i] = rng.NextGaussian();
                for (int i = 0; i < v.Length; i++) v[i] = rng.NextGaussian();
                var m = new double[d * d];
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < t.Rank; k++) s += u[i * t.Rank + k] * v[k * d + j];
                        m[i * d + j] = s;
                    }
                return m;
            }
            default:
                throw new ArgumentException($"Target.Kind: {t.Kind} is not a matrix target; Model.Kind = MatrixFactorization needs Matrix or RandomLowRank");
        }
    }
}
