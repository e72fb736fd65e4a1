using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// The batched <see cref="TwoLayer{T}"/>: f(x) = Σ_i a_i σ(w_i·x + b_i) + c, θ = [W: m×d | b: m | a: m | c: 1].
/// It follows TwoLayer's fused LossAndGradient step for step: blocks of eight samples (pre-activations as FMA
/// chains over the inputs, the readout as Simd.Dot over the padded width in chunks of 128, ∂b as a pairwise sum
/// of the eight dz, ∂W in four partial sums), then the last n mod 8 samples one at a time. Units beyond m, the
/// single-trial padding, contribute exact zeros and are not computed here; Dot accounts for them.
/// </summary>
internal sealed class LaneTwoLayer<T, TL> : LaneModel<T, TL>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    private const int Block = 8;
    private const int Chunk = 128;

    private readonly int _d, _m, _mp;
    private readonly Activation _act;
    private readonly bool _hiddenBias, _outputBias;
    private readonly int _bOff, _aOff, _cOff;
    private readonly TL[] _hb;       // Block×m hidden values of the current block (or of the last n mod 8 samples)
    private readonly TL[] _gw;       // m×d
    private readonly TL[] _ga, _gb;  // m
    private readonly TL[] _dz;       // Block

    public LaneTwoLayer(int inputDim, int width, Activation act, bool hiddenBias, bool outputBias)
    {
        _d = inputDim;
        _m = width;
        _mp = Padded(width);
        _act = act;
        _hiddenBias = hiddenBias;
        _outputBias = outputBias;
        _bOff = _m * _d;
        _aOff = _bOff + (hiddenBias ? _m : 0);
        _cOff = _aOff + _m;
        _hb = new TL[Block * _m];
        _gw = new TL[_m * _d];
        _ga = new TL[_m];
        _gb = new TL[_m];
        _dz = new TL[Block];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override TL LossAndGradient(TL[] theta, LaneData<TL> data, TL[] grad)
    {
        int n = data.Count, d = _d, m = _m;
        Array.Clear(_gw);
        Array.Clear(_ga);
        Array.Clear(_gb);
        Array.Clear(grad);
        TL scale = TL.Create(T.CreateTruncating(2.0) / T.CreateTruncating(n));
        TL c = _outputBias ? theta[_cOff] : TL.Zero;
        TL loss = TL.Zero, rSum = TL.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Block <= n; i += Block) loss = loss + BlockLossAndGradient(theta, data, i, c, scale, ref rSum);
        var a = theta.AsSpan(_aOff, m);
        // The last n mod 8 samples: their hidden rows first, σ in one call, then one sample at a time.
        int rest = n - i;
        for (int q = 0; q < rest; q++) PreActivations(theta, data.X.AsSpan((i + q) * d, d), _hb.AsSpan(q * m, m));
        Activate(_act, _hb.AsSpan(0, rest * m));
        for (int i0 = i; i < n; i++)
        {
            var x = data.X.AsSpan(i * d, d);
            var hRow = _hb.AsSpan((i - i0) * m, m);
            TL e = Dot(hRow, a, m, _mp) + c - data.Y[i];
            loss = loss + e * e;
            TL r = scale * e;
            rSum = rSum + r;
            TL one = TL.Create(T.One);
            for (int j = 0; j < m; j++)
            {
                TL h = hRow[j];
                _ga[j] = TL.Fma(r, h, _ga[j]);
                TL dz = r * theta[_aOff + j] * TL.Derivative(_act, h);
                if (_hiddenBias) _gb[j] = TL.Fma(one, dz, _gb[j]);
                for (int k = 0; k < d; k++) _gw[j * d + k] = TL.Fma(x[k], dz, _gw[j * d + k]);
            }
        }
        if (_outputBias) grad[_cOff] = grad[_cOff] + rSum;
        for (int j = 0; j < m; j++)
        {
            for (int k = 0; k < d; k++) grad[j * d + k] = grad[j * d + k] + _gw[j * d + k];
            grad[_aOff + j] = grad[_aOff + j] + _ga[j];
            if (_hiddenBias) grad[_bOff + j] = grad[_bOff + j] + _gb[j];
        }
        return loss / TL.Create(T.CreateTruncating(n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PreActivations(TL[] theta, ReadOnlySpan<TL> x, Span<TL> h)
    {
        int d = _d;
        for (int j = 0; j < _m; j++)
        {
            TL z = _hiddenBias ? theta[_bOff + j] : TL.Zero;
            for (int k = 0; k < d; k++) z = TL.Fma(x[k], theta[j * d + k], z);
            h[j] = z;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TL BlockLossAndGradient(TL[] theta, LaneData<TL> data, int i0, TL c, TL scale, ref TL rSum)
    {
        int d = _d, m = _m, mp = _mp;
        var hb = _hb;
        var x = data.X.AsSpan(i0 * d, Block * d);
        var a = theta.AsSpan(_aOff, m);
        Span<TL> f = stackalloc TL[Block];
        f.Clear();
        for (int c0 = 0; c0 < mp; c0 += Chunk)
        {
            int c1 = Math.Min(mp, c0 + Chunk), real = Math.Max(0, Math.Min(c1, m) - c0);
            for (int s = 0; s < Block; s++)
            {
                var xs = x.Slice(s * d, d);
                for (int j = c0; j < c0 + real; j++)
                {
                    TL z = _hiddenBias ? theta[_bOff + j] : TL.Zero;
                    for (int k = 0; k < d; k++) z = TL.Fma(xs[k], theta[j * d + k], z);
                    hb[s * m + j] = z;
                }
            }
            // σ is element-wise: one call for the whole block when the chunk is the whole layer.
            if (real == m) Activate(_act, hb.AsSpan(0, Block * m));
            else
                for (int s = 0; s < Block; s++) Activate(_act, hb.AsSpan(s * m + c0, real));
            for (int s = 0; s < Block; s++)
                f[s] = f[s] + Dot(hb.AsSpan(s * m + c0, real), a.Slice(c0, real), real, c1 - c0);
        }

        TL loss = TL.Zero;
        Span<TL> r = stackalloc TL[Block];
        for (int s = 0; s < Block; s++)
        {
            TL e = f[s] + c - data.Y[i0 + s];
            loss = loss + e * e;
            r[s] = scale * e;
            rSum = rSum + r[s];
        }

        var dz = _dz.AsSpan();
        for (int j = 0; j < m; j++)
        {
            TL av = a[j];
            TL gav = _ga[j];
            for (int s = 0; s < Block; s++)
            {
                TL h = hb[s * m + j];
                gav = TL.Fma(r[s], h, gav);
                dz[s] = r[s] * av * TL.Derivative(_act, h);
            }
            _ga[j] = gav;
            if (_hiddenBias) _gb[j] = _gb[j] + (((dz[0] + dz[1]) + (dz[2] + dz[3])) + ((dz[4] + dz[5]) + (dz[6] + dz[7])));
            for (int k = 0; k < d; k++)
            {
                TL t0 = TL.Fma(x[k], dz[0], _gw[j * d + k]);
                TL t1 = x[d + k] * dz[1];
                TL t2 = x[2 * d + k] * dz[2];
                TL t3 = x[3 * d + k] * dz[3];
                t0 = TL.Fma(x[4 * d + k], dz[4], t0);
                t1 = TL.Fma(x[5 * d + k], dz[5], t1);
                t2 = TL.Fma(x[6 * d + k], dz[6], t2);
                t3 = TL.Fma(x[7 * d + k], dz[7], t3);
                _gw[j * d + k] = (t0 + t1) + (t2 + t3);
            }
        }
        return loss;
    }
}
