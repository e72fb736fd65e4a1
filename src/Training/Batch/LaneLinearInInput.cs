using System.Numerics;
using System.Runtime.CompilerServices;

namespace SweepCluster.Training;

/// <summary>
/// The batched <see cref="LinearInInput{T}"/> models (f_L, f_NL, a² − b², the diagonal product): f = β0(θ) + β(θ)·x
/// with β ∈ R^d, through the generic Forward/Backward path of <see cref="Model{T}.LossAndGradient"/>.
/// </summary>
internal sealed class LaneLinearInInput<T, TL> : LaneModel<T, TL>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    private readonly ModelKind _kind;
    private readonly int _d, _depth;
    private readonly TL[] _beta, _gBeta; // d
    private readonly TL[] _f, _dOut;     // capacity

    public LaneLinearInInput(ModelKind kind, int d, int depth, int capacity)
    {
        _kind = kind;
        _d = d;
        _depth = depth;
        _beta = new TL[d];
        _gBeta = new TL[d];
        _f = new TL[capacity];
        _dOut = new TL[capacity];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override TL LossAndGradient(TL[] theta, LaneData<TL> data, TL[] grad)
    {
        int n = data.Count, d = _d;
        var x = data.X;
        TL b0 = Effective(theta);
        for (int i = 0; i < n; i++) _f[i] = b0 + Dot(x.AsSpan(i * d, d), _beta, d, d);
        TL loss = TL.Zero;
        TL scale = TL.Create(T.CreateTruncating(2.0) / T.CreateTruncating(n));
        for (int i = 0; i < n; i++)
        {
            TL e = _f[i] - data.Y[i];
            loss = loss + e * e;
            _dOut[i] = scale * e;
        }
        Array.Clear(grad);
        Array.Clear(_gBeta);
        TL g0 = TL.Zero;
        for (int i = 0; i < n; i++)
        {
            TL r = _dOut[i];
            g0 = g0 + r;
            for (int j = 0; j < d; j++) _gBeta[j] = TL.Fma(r, x[i * d + j], _gBeta[j]);
        }
        Chain(theta, g0, grad);
        return loss / TL.Create(T.CreateTruncating(n));
    }

    private TL Effective(TL[] theta)
    {
        int d = _d;
        switch (_kind)
        {
            case ModelKind.LinearL:
                for (int j = 0; j < d; j++) _beta[j] = theta[1 + j];
                return theta[0];
            case ModelKind.LinearNL:
                _beta[0] = theta[1];
                _beta[1] = theta[2] * theta[3];
                return theta[0];
            case ModelKind.DiagonalSquares:
                for (int j = 0; j < d; j++) _beta[j] = theta[j] * theta[j] - theta[d + j] * theta[d + j];
                return TL.Zero;
            default:
                for (int j = 0; j < d; j++)
                {
                    TL p = TL.Create(T.One);
                    for (int l = 0; l < _depth; l++) p = p * theta[l * d + j];
                    _beta[j] = p;
                }
                return TL.Zero;
        }
    }

    private void Chain(TL[] theta, TL g0, TL[] grad)
    {
        int d = _d;
        var gb = _gBeta;
        switch (_kind)
        {
            case ModelKind.LinearL:
                grad[0] = grad[0] + g0;
                for (int j = 0; j < d; j++) grad[1 + j] = grad[1 + j] + gb[j];
                break;
            case ModelKind.LinearNL:
                grad[0] = grad[0] + g0;
                grad[1] = grad[1] + gb[0];
                grad[2] = grad[2] + gb[1] * theta[3];
                grad[3] = grad[3] + gb[1] * theta[2];
                break;
            case ModelKind.DiagonalSquares:
            {
                TL two = TL.Create(T.CreateTruncating(2));
                for (int j = 0; j < d; j++)
                {
                    grad[j] = grad[j] + two * theta[j] * gb[j];
                    grad[d + j] = grad[d + j] - two * theta[d + j] * gb[j];
                }
                break;
            }
            default:
                for (int j = 0; j < d; j++)
                {
                    TL prefix = TL.Create(T.One);
                    for (int l = 0; l < _depth; l++)
                    {
                        TL suffix = TL.Create(T.One);
                        for (int q = l + 1; q < _depth; q++) suffix = suffix * theta[q * d + j];
                        grad[l * d + j] = grad[l * d + j] + gb[j] * prefix * suffix;
                        prefix = prefix * theta[l * d + j];
                    }
                }
                break;
        }
    }
}

/// <summary>
/// Batched matrix completion f(i, j) = (AB)_ij, θ = [A | B] row-major d×d. Every trial observes its own entries,
/// so the kernel runs over all d² entries in row-major order with each lane's residual masked to zero where that
/// trial does not observe the entry: an exact zero adds nothing, so a lane sees the single-trial engine's sums
/// over its observed entries in ascending order (the order <see cref="Engine{T}"/> keeps them in for full batches).
/// </summary>
internal sealed class LaneMatrixFactorization<T, TL> : LaneModel<T, TL>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    private readonly int _d;
    private readonly TL[] _bt, _gbt; // d×d: Bᵀ and its gradient

    public LaneMatrixFactorization(int d)
    {
        _d = d;
        _bt = new TL[d * d];
        _gbt = new TL[d * d];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override TL LossAndGradient(TL[] theta, LaneData<TL> data, TL[] grad)
    {
        int d = _d, dd = d * d, n = data.Count;
        for (int k = 0; k < d; k++)
            for (int j = 0; j < d; j++)
                _bt[j * d + k] = theta[dd + k * d + j];
        Array.Clear(grad);
        Array.Clear(_gbt);
        TL loss = TL.Zero;
        TL scale = TL.Create(T.CreateTruncating(2.0) / T.CreateTruncating(n));
        var a = theta.AsSpan(0, dd);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                int e = i * d + j;
                TL f = Dot(a.Slice(i * d, d), _bt.AsSpan(j * d, d), d, d);
                TL err = TL.Select(data.Observed[e], f - data.Target[e], TL.Zero);
                loss = loss + err * err;
                TL r = scale * err;
                for (int k = 0; k < d; k++)
                {
                    grad[i * d + k] = TL.Fma(r, _bt[j * d + k], grad[i * d + k]);
                    _gbt[j * d + k] = TL.Fma(r, a[i * d + k], _gbt[j * d + k]);
                }
            }
        for (int j = 0; j < d; j++)
            for (int k = 0; k < d; k++)
                grad[dd + k * d + j] = grad[dd + k * d + j] + _gbt[j * d + k];
        return loss / TL.Create(T.CreateTruncating(n));
    }
}
