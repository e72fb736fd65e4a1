using System.Numerics;

namespace SweepCluster.Training;

/// <summary>
/// Models that are linear in x but not in θ: f(x) = β0(θ) + Σ_j β_j(θ) x_j. Shapes: x ∈ R^d, β ∈ R^d.
/// Forward and Backward go through the effective coefficients β, so each subclass only states β(θ) and
/// the chain rule from ∂L/∂β back to θ (E1's f_L and f_NL, the diagonal models).
/// </summary>
internal abstract class LinearInInput<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected readonly int D;
    private readonly T[] _beta;
    private readonly T[] _gBeta;

    protected LinearInInput(int d, int capacity) : base(capacity)
    {
        D = d;
        _beta = new T[d];
        _gBeta = new T[d];
    }

    /// <summary>Writes β and returns β0.</summary>
    protected abstract T Effective(ReadOnlySpan<T> theta, Span<T> beta);

    /// <summary>Adds the gradient for θ given ∂L/∂β and ∂L/∂β0.</summary>
    protected abstract void Chain(ReadOnlySpan<T> theta, ReadOnlySpan<T> gBeta, T gBeta0, Span<T> grad);

    public override void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output)
    {
        T b0 = Effective(theta, _beta);
        for (int i = 0; i < data.Count; i++) output[i] = b0 + Simd.Dot<T>(data.Row(i), _beta);
    }

    public override void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad)
    {
        Array.Clear(_gBeta);
        T g0 = T.Zero;
        for (int i = 0; i < data.Count; i++)
        {
            g0 += dOut[i];
            Simd.Axpy(dOut[i], data.Row(i), _gBeta);
        }
        Chain(theta, _gBeta, g0, grad);
    }
}

/// <summary>E1's f_L = θ0 + Σ_j θ_j x_j; θ = [θ0 | θ_1..θ_d].</summary>
internal sealed class LinearL<T>(int d, int capacity) : LinearInInput<T>(d, capacity) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int ParamCount => D + 1;
    public override string Description => $"linear f_L d={D}";
    public override IReadOnlyList<ParamSegment> Segments { get; } = [new("theta", 0, d + 1, d)];

    protected override T Effective(ReadOnlySpan<T> theta, Span<T> beta)
    {
        theta.Slice(1, D).CopyTo(beta);
        return theta[0];
    }

    protected override void Chain(ReadOnlySpan<T> theta, ReadOnlySpan<T> gBeta, T gBeta0, Span<T> grad)
    {
        grad[0] += gBeta0;
        for (int j = 0; j < D; j++) grad[1 + j] += gBeta[j];
    }
}

/// <summary>E1's f_NL = θ0 + θ1x1 + θ2θ3x2 (d = 2); θ = [θ0, θ1, θ2, θ3].</summary>
internal sealed class LinearNL<T>(int capacity) : LinearInInput<T>(2, capacity) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int ParamCount => 4;
    public override string Description => "linear f_NL d=2";
    public override IReadOnlyList<ParamSegment> Segments { get; } = [new("theta", 0, 4, 2)];

    protected override T Effective(ReadOnlySpan<T> theta, Span<T> beta)
    {
        beta[0] = theta[1];
        beta[1] = theta[2] * theta[3];
        return theta[0];
    }

    protected override void Chain(ReadOnlySpan<T> theta, ReadOnlySpan<T> gBeta, T gBeta0, Span<T> grad)
    {
        grad[0] += gBeta0;
        grad[1] += gBeta[0];
        grad[2] += gBeta[1] * theta[3];
        grad[3] += gBeta[1] * theta[2];
    }
}

/// <summary>f = Σ_j (a_j² − b_j²) x_j; θ = [a: d | b: d].</summary>
internal sealed class DiagonalSquares<T>(int d, int capacity) : LinearInInput<T>(d, capacity) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int ParamCount => 2 * D;
    public override string Description => $"diagonal a²−b² d={D}";
    public override IReadOnlyList<ParamSegment> Segments { get; } = [new("a", 0, d, 1), new("b", d, d, 1)];

    protected override T Effective(ReadOnlySpan<T> theta, Span<T> beta)
    {
        for (int j = 0; j < D; j++) beta[j] = theta[j] * theta[j] - theta[D + j] * theta[D + j];
        return T.Zero;
    }

    protected override void Chain(ReadOnlySpan<T> theta, ReadOnlySpan<T> gBeta, T gBeta0, Span<T> grad)
    {
        T two = T.CreateTruncating(2);
        for (int j = 0; j < D; j++)
        {
            grad[j] += two * theta[j] * gBeta[j];
            grad[D + j] -= two * theta[D + j] * gBeta[j];
        }
    }
}

/// <summary>f = Σ_j a_j^[1]⋯a_j^[L] x_j; θ = [a^[1]: d | … | a^[L]: d].</summary>
internal sealed class DiagonalProduct<T>(int d, int depth, int capacity) : LinearInInput<T>(d, capacity) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int ParamCount => depth * D;
    public override string Description => $"diagonal product L={depth} d={D}";
    public override IReadOnlyList<ParamSegment> Segments { get; } =
        Enumerable.Range(0, depth).Select(l => new ParamSegment($"a{l + 1}", l * d, d, 1)).ToArray();

    protected override T Effective(ReadOnlySpan<T> theta, Span<T> beta)
    {
        for (int j = 0; j < D; j++)
        {
            T p = T.One;
            for (int l = 0; l < depth; l++) p *= theta[l * D + j];
            beta[j] = p;
        }
        return T.Zero;
    }

    // Products of the other factors by a prefix/suffix sweep: no division, so zero factors are fine.
    protected override void Chain(ReadOnlySpan<T> theta, ReadOnlySpan<T> gBeta, T gBeta0, Span<T> grad)
    {
        for (int j = 0; j < D; j++)
        {
            T prefix = T.One;
            for (int l = 0; l < depth; l++)
            {
                T suffix = T.One;
                for (int q = l + 1; q < depth; q++) suffix *= theta[q * D + j];
                grad[l * D + j] += gBeta[j] * prefix * suffix;
                prefix *= theta[l * D + j];
            }
        }
    }
}
