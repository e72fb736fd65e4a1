using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// f(x) = Σ_i a_i σ(w_i·x + b_i) + c. Shapes: x ∈ R^d; θ = [W: m×d row-major (row i is w_i, as torch's
/// Linear.weight) | b: m (if hidden bias) | a: m | c: 1 (if output bias)]. Forward caches H = σ(XWᵀ + b),
/// count×m. The fused LossAndGradient works on blocks of eight samples over a transposed copy Wᵀ (d×m): each
/// vector of Wᵀ and of its gradient is loaded once per block and used for eight FMAs, pre-activations stay in
/// registers, and H is never written beyond the block's 4×m buffer. Forward/Backward are the plain
/// reference path the fused kernel is tested against.
/// </summary>
internal sealed class TwoLayer<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _d, _m;
    private readonly Activation _act;
    private readonly bool _hiddenBias, _outputBias;
    private readonly int _bOff, _aOff, _cOff;
    private readonly T[] _h;      // capacity×m cache for Backward
    private readonly T[] _wt;     // d×m
    private readonly T[] _gwt;    // d×m
    private readonly T[] _row;    // m
    private readonly T[] _row2;   // m
    private readonly T[] _hb;     // Block×m hidden rows of the current sample block

    private const int Block = 8;

    public TwoLayer(int inputDim, int width, Activation act, bool hiddenBias, bool outputBias, int capacity) : base(capacity)
    {
        _d = inputDim;
        _m = width;
        _act = act;
        _hiddenBias = hiddenBias;
        _outputBias = outputBias;
        _bOff = _m * _d;
        _aOff = _bOff + (hiddenBias ? _m : 0);
        _cOff = _aOff + _m;
        ParamCount = _cOff + (outputBias ? 1 : 0);
        var seg = new List<ParamSegment> { new("W", 0, _m * _d, _d) };
        if (hiddenBias) seg.Add(new("b", _bOff, _m, _d));
        seg.Add(new("a", _aOff, _m, _m));
        if (outputBias) seg.Add(new("c", _cOff, 1, _m));
        Segments = seg;
        _h = new T[(long)capacity * _m <= int.MaxValue ? capacity * _m : throw new ArgumentException($"Hyper.Width: {width} × {capacity} samples is too large")];
        _wt = new T[_d * _m];
        _gwt = new T[_d * _m];
        _row = new T[_m];
        _row2 = new T[_m];
        _hb = new T[Block * _m];
        Description = $"two-layer {Activations.Name(act)} m={width} d={inputDim}" +
                      (hiddenBias ? " hidden-bias" : "") + (outputBias ? " output-bias" : "");
    }

    public override int ParamCount { get; }
    public override string Description { get; }
    public override IReadOnlyList<ParamSegment> Segments { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Hidden(ReadOnlySpan<T> theta, ReadOnlySpan<T> x, Span<T> h)
    {
        if (_hiddenBias) theta.Slice(_bOff, _m).CopyTo(h);
        else h.Clear();
        for (int k = 0; k < _d; k++) Simd.Axpy(x[k], _wt.AsSpan(k * _m, _m), h);
        Activations.Apply(_act, h, h);
    }

    private void Transpose(ReadOnlySpan<T> w)
    {
        for (int i = 0; i < _m; i++)
            for (int k = 0; k < _d; k++)
                _wt[k * _m + i] = w[i * _d + k];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output)
    {
        CheckCapacity(data);
        Transpose(theta);
        var a = theta.Slice(_aOff, _m);
        T c = _outputBias ? theta[_cOff] : T.Zero;
        for (int i = 0; i < data.Count; i++)
        {
            var h = _h.AsSpan(i * _m, _m);
            Hidden(theta, data.Row(i), h);
            output[i] = Simd.Dot<T>(h, a) + c;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad)
    {
        var a = theta.Slice(_aOff, _m);
        Array.Clear(_gwt);
        var dz = _row.AsSpan();
        for (int i = 0; i < data.Count; i++)
        {
            T r = dOut[i];
            var h = _h.AsSpan(i * _m, _m);
            Simd.Axpy(r, h, grad.Slice(_aOff, _m));
            if (_outputBias) grad[_cOff] += r;
            Activations.ScaledDerivative(_act, r, a, h, dz);
            if (_hiddenBias) Simd.Axpy(T.One, dz, grad.Slice(_bOff, _m));
            var x = data.Row(i);
            for (int k = 0; k < _d; k++) Simd.Axpy(x[k], dz, _gwt.AsSpan(k * _m, _m));
        }
        AddTransposedGradient(grad);
    }

    private void AddTransposedGradient(Span<T> grad)
    {
        for (int i = 0; i < _m; i++)
            for (int k = 0; k < _d; k++)
                grad[i * _d + k] += _gwt[k * _m + i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override T LossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, Span<T> grad)
    {
        CheckCapacity(data);
        int n = data.Count;
        Transpose(theta);
        Array.Clear(_gwt);
        grad.Clear();
        T scale = T.CreateTruncating(2.0) / T.CreateTruncating(n);
        T loss = T.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Block <= n; i += Block) loss += BlockLossAndGradient(theta, data, i, scale, grad);
        for (; i < n; i++) loss += SampleLossAndGradient(theta, data, i, scale, grad);
        AddTransposedGradient(grad);
        return loss / T.CreateTruncating(n);
    }

    /// <summary>One sample, one row at a time: the tail of the blocked kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T SampleLossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, int i, T scale, Span<T> grad)
    {
        var a = theta.Slice(_aOff, _m);
        var h = _row.AsSpan();
        var dz = _row2.AsSpan();
        var x = data.Row(i);
        Hidden(theta, x, h);
        T e = Simd.Dot<T>(h, a) + (_outputBias ? theta[_cOff] : T.Zero) - data.Y[i];
        T r = scale * e;
        Simd.Axpy(r, h, grad.Slice(_aOff, _m));
        if (_outputBias) grad[_cOff] += r;
        Activations.ScaledDerivative(_act, r, a, h, dz);
        if (_hiddenBias) Simd.Axpy(T.One, dz, grad.Slice(_bOff, _m));
        for (int k = 0; k < _d; k++) Simd.Axpy(x[k], dz, _gwt.AsSpan(k * _m, _m));
        return e * e;
    }

    /// <summary>Samples i0..i0+7: forward with the eight pre-activations in registers, then the backward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T BlockLossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, int i0, T scale, Span<T> grad)
    {
        int m = _m, d = _d, w = Vector256<T>.Count;
        var act = _act;
        ref T wt = ref _wt[0];
        ref T gwt = ref _gwt[0];
        ref T hb = ref _hb[0];
        ref T x = ref data.X[i0 * d];
        ref T a = ref Unsafe.AsRef(in theta[_aOff]);
        ref T b = ref Unsafe.AsRef(in theta[_hiddenBias ? _bOff : 0]);
        bool hasBias = _hiddenBias;

        // Forward: h_s = σ(Wx_s + b), f_s = a·h_s. Each Wᵀ vector is loaded once for eight FMAs.
        Vector256<T> f0 = default, f1 = default, f2 = default, f3 = default, f4 = default, f5 = default, f6 = default, f7 = default;
        int j = 0;
        for (; j <= m - w; j += w)
        {
            var z0 = hasBias ? Vector256.LoadUnsafe(ref b, (nuint)j) : Vector256<T>.Zero;
            Vector256<T> z1 = z0, z2 = z0, z3 = z0, z4 = z0, z5 = z0, z6 = z0, z7 = z0;
            for (int k = 0; k < d; k++)
            {
                var wv = Vector256.LoadUnsafe(ref wt, (nuint)(k * m + j));
                z0 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, k)), wv, z0);
                z1 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, d + k)), wv, z1);
                z2 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 2 * d + k)), wv, z2);
                z3 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 3 * d + k)), wv, z3);
                z4 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 4 * d + k)), wv, z4);
                z5 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 5 * d + k)), wv, z5);
                z6 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 6 * d + k)), wv, z6);
                z7 = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 7 * d + k)), wv, z7);
            }
            var av = Vector256.LoadUnsafe(ref a, (nuint)j);
            z0 = VectorActivations.Apply(act, z0);
            z0.StoreUnsafe(ref hb, (nuint)(j));
            f0 = Simd.Fma(z0, av, f0);
            z1 = VectorActivations.Apply(act, z1);
            z1.StoreUnsafe(ref hb, (nuint)(m + j));
            f1 = Simd.Fma(z1, av, f1);
            z2 = VectorActivations.Apply(act, z2);
            z2.StoreUnsafe(ref hb, (nuint)(2 * m + j));
            f2 = Simd.Fma(z2, av, f2);
            z3 = VectorActivations.Apply(act, z3);
            z3.StoreUnsafe(ref hb, (nuint)(3 * m + j));
            f3 = Simd.Fma(z3, av, f3);
            z4 = VectorActivations.Apply(act, z4);
            z4.StoreUnsafe(ref hb, (nuint)(4 * m + j));
            f4 = Simd.Fma(z4, av, f4);
            z5 = VectorActivations.Apply(act, z5);
            z5.StoreUnsafe(ref hb, (nuint)(5 * m + j));
            f5 = Simd.Fma(z5, av, f5);
            z6 = VectorActivations.Apply(act, z6);
            z6.StoreUnsafe(ref hb, (nuint)(6 * m + j));
            f6 = Simd.Fma(z6, av, f6);
            z7 = VectorActivations.Apply(act, z7);
            z7.StoreUnsafe(ref hb, (nuint)(7 * m + j));
            f7 = Simd.Fma(z7, av, f7);
        }
        Span<T> f = [Vector256.Sum(f0), Vector256.Sum(f1), Vector256.Sum(f2), Vector256.Sum(f3), Vector256.Sum(f4), Vector256.Sum(f5), Vector256.Sum(f6), Vector256.Sum(f7)];
        int tail = j;
        for (int s = 0; s < Block; s++)
            for (int jj = tail; jj < m; jj++)
            {
                T z = hasBias ? Unsafe.Add(ref b, jj) : T.Zero;
                for (int k = 0; k < d; k++) z = T.FusedMultiplyAdd(Unsafe.Add(ref x, s * d + k), Unsafe.Add(ref wt, k * m + jj), z);
                T h = Activations.Apply(act, z);
                Unsafe.Add(ref hb, s * m + jj) = h;
                f[s] = T.FusedMultiplyAdd(h, Unsafe.Add(ref a, jj), f[s]);
            }

        // Residuals r_s = ∂L/∂f_s.
        T c = _outputBias ? theta[_cOff] : T.Zero;
        T loss = T.Zero;
        Span<T> r = stackalloc T[Block];
        T rSum = T.Zero;
        for (int s = 0; s < Block; s++)
        {
            T e = f[s] + c - data.Y[i0 + s];
            loss += e * e;
            r[s] = scale * e;
            rSum += r[s];
        }
        if (_outputBias) grad[_cOff] += rSum;

        // Backward: ∂a += Σ r_s h_s; dz_s = r_s a σ'(z_s); ∂b += Σ dz_s; ∂Wᵀ[k] += Σ x_s[k] dz_s, each ∂Wᵀ vector
        // loaded and stored once for eight FMAs.
        ref T ga = ref grad[_aOff];
        ref T gb = ref grad[_hiddenBias ? _bOff : 0];
        var r0 = Vector256.Create(r[0]);
        var r1 = Vector256.Create(r[1]);
        var r2 = Vector256.Create(r[2]);
        var r3 = Vector256.Create(r[3]);
        var r4 = Vector256.Create(r[4]);
        var r5 = Vector256.Create(r[5]);
        var r6 = Vector256.Create(r[6]);
        var r7 = Vector256.Create(r[7]);
        for (j = 0; j <= m - w; j += w)
        {
            var av = Vector256.LoadUnsafe(ref a, (nuint)j);
            var gav = Vector256.LoadUnsafe(ref ga, (nuint)j);
            var h0 = Vector256.LoadUnsafe(ref hb, (nuint)(j));
            gav = Simd.Fma(r0, h0, gav);
            var dz0 = r0 * av * VectorActivations.DerivativeFromOutput(act, h0);
            var h1 = Vector256.LoadUnsafe(ref hb, (nuint)(m + j));
            gav = Simd.Fma(r1, h1, gav);
            var dz1 = r1 * av * VectorActivations.DerivativeFromOutput(act, h1);
            var h2 = Vector256.LoadUnsafe(ref hb, (nuint)(2 * m + j));
            gav = Simd.Fma(r2, h2, gav);
            var dz2 = r2 * av * VectorActivations.DerivativeFromOutput(act, h2);
            var h3 = Vector256.LoadUnsafe(ref hb, (nuint)(3 * m + j));
            gav = Simd.Fma(r3, h3, gav);
            var dz3 = r3 * av * VectorActivations.DerivativeFromOutput(act, h3);
            var h4 = Vector256.LoadUnsafe(ref hb, (nuint)(4 * m + j));
            gav = Simd.Fma(r4, h4, gav);
            var dz4 = r4 * av * VectorActivations.DerivativeFromOutput(act, h4);
            var h5 = Vector256.LoadUnsafe(ref hb, (nuint)(5 * m + j));
            gav = Simd.Fma(r5, h5, gav);
            var dz5 = r5 * av * VectorActivations.DerivativeFromOutput(act, h5);
            var h6 = Vector256.LoadUnsafe(ref hb, (nuint)(6 * m + j));
            gav = Simd.Fma(r6, h6, gav);
            var dz6 = r6 * av * VectorActivations.DerivativeFromOutput(act, h6);
            var h7 = Vector256.LoadUnsafe(ref hb, (nuint)(7 * m + j));
            gav = Simd.Fma(r7, h7, gav);
            var dz7 = r7 * av * VectorActivations.DerivativeFromOutput(act, h7);
            gav.StoreUnsafe(ref ga, (nuint)j);
            if (hasBias) (Vector256.LoadUnsafe(ref gb, (nuint)j) + (((dz0 + dz1) + (dz2 + dz3)) + ((dz4 + dz5) + (dz6 + dz7)))).StoreUnsafe(ref gb, (nuint)j);
            for (int k = 0; k < d; k++)
            {
                ref T g = ref Unsafe.Add(ref gwt, k * m + j);
                var gv = Vector256.LoadUnsafe(ref g);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, k)), dz0, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, d + k)), dz1, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 2 * d + k)), dz2, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 3 * d + k)), dz3, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 4 * d + k)), dz4, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 5 * d + k)), dz5, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 6 * d + k)), dz6, gv);
                gv = Simd.Fma(Vector256.Create(Unsafe.Add(ref x, 7 * d + k)), dz7, gv);
                gv.StoreUnsafe(ref g);
            }
        }
        for (int jj = tail; jj < m; jj++)
        {
            T aj = Unsafe.Add(ref a, jj);
            for (int s = 0; s < Block; s++)
            {
                T h = Unsafe.Add(ref hb, s * m + jj);
                Unsafe.Add(ref ga, jj) += r[s] * h;
                T dz = r[s] * aj * Activations.DerivativeFromOutput(act, h);
                if (hasBias) Unsafe.Add(ref gb, jj) += dz;
                for (int k = 0; k < d; k++) Unsafe.Add(ref gwt, k * m + jj) += Unsafe.Add(ref x, s * d + k) * dz;
            }
        }
        return loss;
    }
}
