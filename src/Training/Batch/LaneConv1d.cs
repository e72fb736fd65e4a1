using System.Numerics;
using System.Runtime.CompilerServices;

namespace SweepCluster.Training;

/// <summary>
/// The batched <see cref="Conv1d{T}"/> (CNN and locally connected): N filters of size s over P = d − s + 1
/// positions, f(x) = Σ_k Σ_p a_kp σ(Σ_t K_kpt x_{p+t} + c_kp) + c, θ in Conv1d's layout. It follows Conv1d's fused
/// LossAndGradient: per sample and position the N pre-activations as FMA chains over the taps, the readout as
/// Simd.Dot over N padded to the vector width, then the gradients per position. With one trial per lane there
/// is nothing to pad: a filter is one lane value, so N = 1 costs one FMA per tap and no padded work.
/// </summary>
internal sealed class LaneConv1d<T, TL> : LaneModel<T, TL>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    private readonly int _d, _n, _s, _p, _np;
    private readonly bool _shared, _hiddenBias, _outputBias;
    private readonly Activation _act;
    private readonly int _cOff, _aOff, _outOff, _sets;
    private readonly TL[] _at;       // P×N readout, position-major
    private const int Chunk = 8;
    private readonly TL[] _hAll;     // Chunk×P×N hidden values of eight samples
    private readonly TL[] _gk, _gc;  // sets×s, sets
    private readonly TL[] _ga;       // P×N

    public LaneConv1d(int inputDim, int kernels, int kernelSize, bool shared, Activation act, bool hiddenBias, bool outputBias, int capacity)
    {
        _d = inputDim;
        _n = kernels;
        _s = kernelSize;
        _p = inputDim - kernelSize + 1;
        _np = Padded(kernels);
        _shared = shared;
        _act = act;
        _hiddenBias = hiddenBias;
        _outputBias = outputBias;
        _sets = shared ? _n : _n * _p;
        _cOff = _sets * _s;
        _aOff = _cOff + (hiddenBias ? _sets : 0);
        _outOff = _aOff + _n * _p;
        _at = new TL[_p * _n];
        _hAll = new TL[Math.Min(Chunk, Math.Max(1, capacity)) * _p * _n];
        _gk = new TL[_sets * _s];
        _gc = new TL[_sets];
        _ga = new TL[_p * _n];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override TL LossAndGradient(TL[] theta, LaneData<TL> data, TL[] grad)
    {
        int n = data.Count, d = _d, N = _n, P = _p, s = _s;
        for (int k = 0; k < N; k++)
            for (int p = 0; p < P; p++)
                _at[p * N + k] = theta[_aOff + k * P + p];
        Array.Clear(_gk);
        Array.Clear(_gc);
        Array.Clear(_ga);
        Array.Clear(grad);
        TL scale = TL.Create(T.CreateTruncating(2.0) / T.CreateTruncating(n));
        TL cOut = _outputBias ? theta[_outOff] : TL.Zero;
        TL one = TL.Create(T.One);
        TL loss = TL.Zero;
        // Eight samples' pre-activations at a time, then σ over all of them in one call: σ is element-wise, so
        // the order of the arithmetic per lane is still Conv1d's.
        int units = P * N;
        for (int i0 = 0; i0 < n; i0 += Chunk)
        {
            int count = Math.Min(Chunk, n - i0);
            var hChunk = _hAll.AsSpan(0, count * units);
            for (int c = 0; c < count; c++)
            {
                var xc = data.X.AsSpan((i0 + c) * d, d);
                for (int p = 0; p < P; p++)
                    for (int k = 0; k < N; k++)
                    {
                        int set = _shared ? k : k * P + p;
                        TL z = _hiddenBias ? theta[_cOff + set] : TL.Zero;
                        for (int t = 0; t < s; t++) z = TL.Fma(xc[p + t], theta[set * s + t], z);
                        hChunk[c * units + p * N + k] = z;
                    }
            }
            Activate(_act, hChunk);
            for (int c = 0; c < count; c++)
            {
                int i = i0 + c;
                var x = data.X.AsSpan(i * d, d);
                var h = hChunk.Slice(c * units, units);
                TL f = cOut;
                for (int p = 0; p < P; p++) f = f + Dot(h.Slice(p * N, N), _at.AsSpan(p * N, N), N, _np);
                TL e = f - data.Y[i];
                loss = loss + e * e;
                TL r = scale * e;
                if (_outputBias) grad[_outOff] = grad[_outOff] + r;
                for (int p = 0; p < P; p++)
                    for (int k = 0; k < N; k++)
                    {
                        int u = p * N + k, set = _shared ? k : k * P + p;
                        TL hu = h[u];
                        _ga[u] = TL.Fma(r, hu, _ga[u]);
                        TL dz = r * _at[u] * TL.Derivative(_act, hu);
                        if (_hiddenBias) _gc[set] = TL.Fma(one, dz, _gc[set]);
                        for (int t = 0; t < s; t++) _gk[set * s + t] = TL.Fma(x[p + t], dz, _gk[set * s + t]);
                    }
            }
        }
        for (int set = 0; set < _sets; set++)
        {
            for (int t = 0; t < s; t++) grad[set * s + t] = grad[set * s + t] + _gk[set * s + t];
            if (_hiddenBias) grad[_cOff + set] = grad[_cOff + set] + _gc[set];
        }
        for (int k = 0; k < N; k++)
            for (int p = 0; p < P; p++)
                grad[_aOff + k * P + p] = grad[_aOff + k * P + p] + _ga[p * N + k];
        return loss / TL.Create(T.CreateTruncating(n));
    }
}

/// <summary>
/// The batched <see cref="DeepFc{T}"/>, through the generic Forward/Backward path as the single-trial engine runs
/// it: matrix–vector products with Simd.Dot's order and the scalar activation (Math.Tanh per lane, which is
/// why this kernel gains less from batching than the others).
/// </summary>
internal sealed class LaneDeepFc<T, TL> : LaneModel<T, TL>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    private readonly int _depth, _m;
    private readonly Activation _act;
    private readonly int[] _in, _out, _wOff, _bOff;
    private readonly TL[][] _hidden;       // per hidden layer: capacity×m
    private readonly TL[] _f, _dOut;       // capacity
    private readonly TL[] _delta, _prev;   // max(d, m)

    public LaneDeepFc(int inputDim, int width, int depth, Activation act, bool hiddenBias, bool outputBias, int capacity)
    {
        _depth = depth;
        _m = width;
        _act = act;
        _in = new int[depth];
        _out = new int[depth];
        _wOff = new int[depth];
        _bOff = new int[depth];
        int off = 0;
        for (int l = 0; l < depth; l++)
        {
            _in[l] = l == 0 ? inputDim : width;
            _out[l] = l == depth - 1 ? 1 : width;
            _wOff[l] = off;
            off += _in[l] * _out[l];
            bool bias = l == depth - 1 ? outputBias : hiddenBias;
            _bOff[l] = bias ? off : -1;
            if (bias) off += _out[l];
        }
        _hidden = Enumerable.Range(0, depth - 1).Select(_ => new TL[capacity * width]).ToArray();
        _f = new TL[capacity];
        _dOut = new TL[capacity];
        _delta = new TL[Math.Max(1, Math.Max(inputDim, width))];
        _prev = new TL[Math.Max(1, Math.Max(inputDim, width))];
    }

    private ReadOnlySpan<TL> LayerInput(LaneData<TL> data, int l, int i) =>
        l == 0 ? data.X.AsSpan(i * data.Dim, data.Dim) : _hidden[l - 1].AsSpan(i * _m, _m);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override TL LossAndGradient(TL[] theta, LaneData<TL> data, TL[] grad)
    {
        int n = data.Count;
        for (int i = 0; i < n; i++)
            for (int l = 0; l < _depth; l++)
            {
                var input = LayerInput(data, l, i);
                int fanIn = _in[l];
                for (int o = 0; o < _out[l]; o++)
                {
                    TL z = Dot(theta.AsSpan(_wOff[l] + o * fanIn, fanIn), input, fanIn, fanIn);
                    if (_bOff[l] >= 0) z = z + theta[_bOff[l] + o];
                    if (l == _depth - 1) _f[i] = z;
                    else _hidden[l][i * _m + o] = TL.ActivateScalar(_act, z);
                }
            }
        TL loss = TL.Zero;
        TL scale = TL.Create(T.CreateTruncating(2.0) / T.CreateTruncating(n));
        for (int i = 0; i < n; i++)
        {
            TL e = _f[i] - data.Y[i];
            loss = loss + e * e;
            _dOut[i] = scale * e;
        }
        Array.Clear(grad);
        for (int i = 0; i < n; i++)
        {
            _delta[0] = _dOut[i];
            for (int l = _depth - 1; l >= 0; l--)
            {
                var input = LayerInput(data, l, i);
                int fanIn = _in[l];
                for (int o = 0; o < _out[l]; o++)
                {
                    TL dl = _delta[o];
                    int w = _wOff[l] + o * fanIn;
                    for (int q = 0; q < fanIn; q++) grad[w + q] = TL.Fma(dl, input[q], grad[w + q]);
                    if (_bOff[l] >= 0) grad[_bOff[l] + o] = grad[_bOff[l] + o] + dl;
                }
                if (l == 0) break;
                var prev = _prev.AsSpan(0, fanIn);
                prev.Clear();
                for (int o = 0; o < _out[l]; o++)
                {
                    TL dl = _delta[o];
                    int w = _wOff[l] + o * fanIn;
                    for (int q = 0; q < fanIn; q++) prev[q] = TL.Fma(dl, theta[w + q], prev[q]);
                }
                for (int q = 0; q < fanIn; q++) prev[q] = prev[q] * TL.Derivative(_act, input[q]);
                prev.CopyTo(_delta);
            }
        }
        return loss / TL.Create(T.CreateTruncating(n));
    }
}
