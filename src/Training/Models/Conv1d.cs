using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// One hidden layer of N = width 1-D filters of size s at stride 1 over P = d − s + 1 positions, then a
/// linear readout with one weight per filter and position: f(x) = Σ_k Σ_p a_kp σ(Σ_t K_kpt x_{p+t} + c_kp) + c.
/// With sharing (CNN) K_kpt = K_kt and c_kp = c_k; without it (locally connected) every position has its own.
/// Shapes: θ = [K: N×s (shared) or N×P×s | c: N or N×P (if hidden bias) | a: N×P | c_out: 1 (if output bias)].
/// Forward caches H = σ(z), count×N×P; Forward/Backward are the plain scalar reference. The fused
/// LossAndGradient works position-major on copies padded to Np ≥ N (a multiple of the vector width, zero
/// weights and readout in the padding): for each sample and position the N pre-activations are s axpys
/// over contiguous kernel columns, so the tanh and the updates run on vectors.
/// </summary>
internal sealed class Conv1d<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _d, _n, _s, _p;
    private readonly bool _shared, _hiddenBias, _outputBias;
    private readonly Activation _act;
    private readonly int _cOff, _aOff, _outOff;
    private readonly T[] _h;
    private readonly int _np;
    private readonly T[] _kt, _gkt;   // shared: s×Np; locally connected: P×s×Np (position, tap, kernel)
    private readonly T[] _ct, _gct;   // shared: Np; locally connected: P×Np
    private readonly T[] _at, _gat;   // P×Np
    private readonly T[] _hrow;       // P×Np hidden values of one sample
    private readonly T[] _dz;         // Np

    public Conv1d(int inputDim, int kernels, int kernelSize, bool shared, Activation act, bool hiddenBias, bool outputBias, int capacity)
        : base(capacity)
    {
        _d = inputDim;
        _n = kernels;
        _s = kernelSize;
        _p = inputDim - kernelSize + 1;
        _shared = shared;
        _act = act;
        _hiddenBias = hiddenBias;
        _outputBias = outputBias;
        int weightSets = shared ? _n : _n * _p;
        _cOff = weightSets * _s;
        _aOff = _cOff + (hiddenBias ? weightSets : 0);
        _outOff = _aOff + _n * _p;
        ParamCount = _outOff + (outputBias ? 1 : 0);
        var seg = new List<ParamSegment> { new("K", 0, weightSets * _s, _s) };
        if (hiddenBias) seg.Add(new("c", _cOff, weightSets, _s));
        seg.Add(new("a", _aOff, _n * _p, _n * _p));
        if (outputBias) seg.Add(new("c_out", _outOff, 1, _n * _p));
        Segments = seg;
        _h = new T[capacity * _n * _p];
        int w = Vector256<T>.Count;
        _np = (_n + w - 1) / w * w;
        int kRows = shared ? _s : _p * _s;
        _kt = new T[kRows * _np];
        _gkt = new T[kRows * _np];
        _ct = new T[(shared ? 1 : _p) * _np];
        _gct = new T[(shared ? 1 : _p) * _np];
        _at = new T[_p * _np];
        _gat = new T[_p * _np];
        _hrow = new T[_p * _np];
        _dz = new T[_np];
        Description = $"{(shared ? "cnn1d" : "locally-connected1d")} {Activations.Name(act)} N={kernels} s={kernelSize} d={inputDim}" +
                      (hiddenBias ? " hidden-bias" : "") + (outputBias ? " output-bias" : "");
    }

    public override int ParamCount { get; }
    public override string Description { get; }
    public override IReadOnlyList<ParamSegment> Segments { get; }

    private int Set(int k, int p) => _shared ? k : k * _p + p;

    public override void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output)
    {
        CheckCapacity(data);
        int units = _n * _p;
        for (int i = 0; i < data.Count; i++)
        {
            var x = data.Row(i);
            var h = _h.AsSpan(i * units, units);
            for (int k = 0; k < _n; k++)
                for (int p = 0; p < _p; p++)
                {
                    int set = Set(k, p);
                    T z = _hiddenBias ? theta[_cOff + set] : T.Zero;
                    z += Simd.DotReference(theta.Slice(set * _s, _s), x.Slice(p, _s));
                    h[k * _p + p] = Activations.Apply(_act, z);
                }
            output[i] = Simd.Dot<T>(h, theta.Slice(_aOff, units)) + (_outputBias ? theta[_outOff] : T.Zero);
        }
    }

    public override void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad)
    {
        int units = _n * _p;
        for (int i = 0; i < data.Count; i++)
        {
            T r = dOut[i];
            var x = data.Row(i);
            var h = _h.AsSpan(i * units, units);
            Simd.Axpy(r, h, grad.Slice(_aOff, units));
            if (_outputBias) grad[_outOff] += r;
            for (int k = 0; k < _n; k++)
                for (int p = 0; p < _p; p++)
                {
                    int u = k * _p + p;
                    T dz = r * theta[_aOff + u] * Activations.DerivativeFromOutput(_act, h[u]);
                    int set = Set(k, p);
                    if (_hiddenBias) grad[_cOff + set] += dz;
                    Simd.AxpyReference(dz, x.Slice(p, _s), grad.Slice(set * _s, _s));
                }
        }
    }

    // Index of kernel row (position p, tap t) in the padded layout, and of the bias row of position p.
    private int KRow(int p, int t) => (_shared ? t : p * _s + t) * _np;
    private int CRow(int p) => _shared ? 0 : p * _np;

    private void Load(ReadOnlySpan<T> theta)
    {
        for (int k = 0; k < _n; k++)
            for (int p = 0; p < (_shared ? 1 : _p); p++)
            {
                int set = Set(k, p);
                for (int t = 0; t < _s; t++) _kt[KRow(p, t) + k] = theta[set * _s + t];
                if (_hiddenBias) _ct[CRow(p) + k] = theta[_cOff + set];
            }
        for (int k = 0; k < _n; k++)
            for (int p = 0; p < _p; p++)
                _at[p * _np + k] = theta[_aOff + k * _p + p];
        Array.Clear(_gkt);
        Array.Clear(_gct);
        Array.Clear(_gat);
    }

    private void Store(Span<T> grad)
    {
        for (int k = 0; k < _n; k++)
            for (int p = 0; p < (_shared ? 1 : _p); p++)
            {
                int set = Set(k, p);
                for (int t = 0; t < _s; t++) grad[set * _s + t] += _gkt[KRow(p, t) + k];
                if (_hiddenBias) grad[_cOff + set] += _gct[CRow(p) + k];
            }
        for (int k = 0; k < _n; k++)
            for (int p = 0; p < _p; p++)
                grad[_aOff + k * _p + p] += _gat[p * _np + k];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override T LossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, Span<T> grad)
    {
        CheckCapacity(data);
        if (_np == Vector256<T>.Count && Vector256.IsHardwareAccelerated) return LossAndGradientOneVector(theta, data, grad);
        int n = data.Count, np = _np;
        Load(theta);
        grad.Clear();
        T scale = T.CreateTruncating(2.0) / T.CreateTruncating(n);
        T cOut = _outputBias ? theta[_outOff] : T.Zero;
        T loss = T.Zero;
        var dz = _dz.AsSpan();
        for (int i = 0; i < n; i++)
        {
            var x = data.Row(i);
            T f = cOut;
            for (int p = 0; p < _p; p++)
            {
                var h = _hrow.AsSpan(p * np, np);
                _ct.AsSpan(CRow(p), np).CopyTo(h);
                for (int t = 0; t < _s; t++) Simd.Axpy(x[p + t], _kt.AsSpan(KRow(p, t), np), h);
                Activations.Apply(_act, h, h);
                f += Simd.Dot<T>(h, _at.AsSpan(p * np, np));
            }
            T e = f - data.Y[i];
            loss += e * e;
            T r = scale * e;
            if (_outputBias) grad[_outOff] += r;
            for (int p = 0; p < _p; p++)
            {
                var h = _hrow.AsSpan(p * np, np);
                Simd.Axpy(r, h, _gat.AsSpan(p * np, np));
                Activations.ScaledDerivative(_act, r, _at.AsSpan(p * np, np), h, dz);
                if (_hiddenBias) Simd.Axpy(T.One, dz, _gct.AsSpan(CRow(p), np));
                for (int t = 0; t < _s; t++) Simd.Axpy(x[p + t], dz, _gkt.AsSpan(KRow(p, t), np));
            }
        }
        Store(grad);
        return loss / T.CreateTruncating(n);
    }

    /// <summary>
    /// LossAndGradient when the padded filters fit one vector (N ≤ 4 in float64, ≤ 8 in float32): the same
    /// operations in the same order, so the same bits, but each position's filters live in one register instead
    /// of going through span kernels sized for wide layers, whose per-call overhead dominated at N = 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T LossAndGradientOneVector(ReadOnlySpan<T> theta, Samples<T> data, Span<T> grad)
    {
        int n = data.Count, np = _np, s = _s, positions = _p, d = _d;
        Load(theta);
        grad.Clear();
        T scale = T.CreateTruncating(2.0) / T.CreateTruncating(n);
        T cOut = _outputBias ? theta[_outOff] : T.Zero;
        T loss = T.Zero;
        var act = _act;
        bool hiddenBias = _hiddenBias;
        var zero = Vector256<T>.Zero;
        var one = Vector256<T>.One;
        ref T kt = ref _kt[0];
        ref T gkt = ref _gkt[0];
        ref T ct = ref _ct[0];
        ref T gct = ref _gct[0];
        ref T at = ref _at[0];
        ref T gat = ref _gat[0];
        ref T hrow = ref _hrow[0];
        ref T x0 = ref data.X[0];
        for (int i = 0; i < n; i++)
        {
            ref T x = ref Unsafe.Add(ref x0, i * d);
            T f = cOut;
            for (int p = 0; p < positions; p++)
            {
                var h = Vector256.LoadUnsafe(ref ct, (nuint)CRow(p));
                for (int t = 0; t < s; t++)
                    h = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, p + t)), Vector256.LoadUnsafe(ref kt, (nuint)KRow(p, t)), h);
                h = VectorActivations.ApplyExact(act, h);
                h.StoreUnsafe(ref hrow, (nuint)(p * np));
                // Simd.Dot over one vector: s0 = h·a, then Sum((s0 + s1) + (s2 + s3)) with s1..s3 = 0.
                var s0 = Simd.Fma(h, Vector256.LoadUnsafe(ref at, (nuint)(p * np)), zero);
                f += Vector256.Sum((s0 + zero) + (zero + zero));
            }
            T e = f - data.Y[i];
            loss += e * e;
            T r = scale * e;
            if (_outputBias) grad[_outOff] += r;
            var vr = Vector256.Create(r);
            for (int p = 0; p < positions; p++)
            {
                var h = Vector256.LoadUnsafe(ref hrow, (nuint)(p * np));
                var a = Vector256.LoadUnsafe(ref at, (nuint)(p * np));
                Simd.Fma(vr, h, Vector256.LoadUnsafe(ref gat, (nuint)(p * np))).StoreUnsafe(ref gat, (nuint)(p * np));
                var dz = (vr * a) * VectorActivations.DerivativeFromOutput(act, h);
                if (hiddenBias) Simd.Fma(one, dz, Vector256.LoadUnsafe(ref gct, (nuint)CRow(p))).StoreUnsafe(ref gct, (nuint)CRow(p));
                for (int t = 0; t < s; t++)
                {
                    nuint row = (nuint)KRow(p, t);
                    Simd.Fma(Vector256.Create(Unsafe.Add(ref x, p + t)), dz, Vector256.LoadUnsafe(ref gkt, row)).StoreUnsafe(ref gkt, row);
                }
            }
        }
        Store(grad);
        return loss / T.CreateTruncating(n);
    }
}
