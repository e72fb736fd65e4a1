using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// f(x) = Σ_i a_i σ(w_i·x + b_i) + c. Shapes: x ∈ R^d; θ = [W: m×d row-major (row i is w_i, as torch's
/// Linear.weight) | b: m (if hidden bias) | a: m | c: 1 (if output bias)].
/// Internally the hidden layer is padded to mp ≥ m, a multiple of the vector width, with zero weights and
/// a = 0 in the padding, so the kernels have no scalar tails: padded units contribute nothing to f, get zero
/// ∂W, and their ∂a, ∂b are dropped. Wᵀ is kept as d×mp so a hidden row is a sum of contiguous axpys.
/// Forward caches H = σ(XWᵀ + b), count×mp, for Backward (one sample at a time: the reference path).
/// The fused LossAndGradient works on blocks of eight samples: each vector of Wᵀ and of ∂Wᵀ is loaded once
/// per block for eight FMAs, the pre-activations stay in registers, and H lives only in an 8×mp buffer.
/// </summary>
internal sealed class TwoLayer<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Block = 8;
    private const int Chunk = 128; // columns per forward chunk: 8 rows × 128 doubles = 8 KiB of L1

    private readonly int _d, _m, _mp;
    private readonly Activation _act;
    private readonly bool _hiddenBias, _outputBias;
    private readonly int _bOff, _aOff, _cOff;
    private readonly T[] _h;          // capacity×mp cache for Backward
    private readonly T[] _wt, _gwt;   // d×mp
    private readonly T[] _ap, _bp;    // mp: a and b, zero in the padding
    private readonly T[] _gap, _gbp;  // mp: their gradients
    private readonly T[] _row, _row2; // mp
    private readonly T[] _hb;         // Block×mp hidden rows of the current sample block
    private readonly T[] _xb;         // d×Block: the block's inputs transposed, so x_s[k] sits at a fixed offset from row k

    public TwoLayer(int inputDim, int width, Activation act, bool hiddenBias, bool outputBias, int capacity) : base(capacity)
    {
        _d = inputDim;
        _m = width;
        int w = Vector256<T>.Count;
        _mp = (width + w - 1) / w * w;
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
        if ((long)capacity * _mp > int.MaxValue) throw new ArgumentException($"Hyper.Width: {width} × {capacity} samples is too large");
        _h = new T[capacity * _mp];
        _wt = new T[_d * _mp];
        _gwt = new T[_d * _mp];
        _ap = new T[_mp];
        _bp = new T[_mp];
        _gap = new T[_mp];
        _gbp = new T[_mp];
        _row = new T[_mp];
        _row2 = new T[_mp];
        _hb = new T[Block * _mp];
        _xb = new T[_d * Block];
        Description = $"two-layer {Activations.Name(act)} m={width} d={inputDim}" +
                      (hiddenBias ? " hidden-bias" : "") + (outputBias ? " output-bias" : "");
    }

    public override int ParamCount { get; }
    public override string Description { get; }
    public override IReadOnlyList<ParamSegment> Segments { get; }

    /// <summary>Copies θ into the padded working layout (Wᵀ, a, b) and clears the padded gradients.</summary>
    private void Load(ReadOnlySpan<T> theta)
    {
        for (int i = 0; i < _m; i++)
            for (int k = 0; k < _d; k++)
                _wt[k * _mp + i] = theta[i * _d + k];
        theta.Slice(_aOff, _m).CopyTo(_ap);
        if (_hiddenBias) theta.Slice(_bOff, _m).CopyTo(_bp);
        Array.Clear(_gwt);
        Array.Clear(_gap);
        Array.Clear(_gbp);
    }

    /// <summary>Adds the padded gradients into grad in θ's layout, dropping the padding.</summary>
    private void Store(Span<T> grad)
    {
        for (int i = 0; i < _m; i++)
            for (int k = 0; k < _d; k++)
                grad[i * _d + k] += _gwt[k * _mp + i];
        Simd.Axpy(T.One, _gap.AsSpan(0, _m), grad.Slice(_aOff, _m));
        if (_hiddenBias) Simd.Axpy(T.One, _gbp.AsSpan(0, _m), grad.Slice(_bOff, _m));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Hidden(ReadOnlySpan<T> x, Span<T> h)
    {
        _bp.CopyTo(h);
        for (int k = 0; k < _d; k++) Simd.Axpy(x[k], _wt.AsSpan(k * _mp, _mp), h);
        Activations.Apply(_act, h, h);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output)
    {
        CheckCapacity(data);
        Load(theta);
        T c = _outputBias ? theta[_cOff] : T.Zero;
        for (int i = 0; i < data.Count; i++)
        {
            var h = _h.AsSpan(i * _mp, _mp);
            Hidden(data.Row(i), h);
            output[i] = Simd.Dot<T>(h, _ap) + c;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad)
    {
        Array.Clear(_gwt);
        Array.Clear(_gap);
        Array.Clear(_gbp);
        for (int i = 0; i < data.Count; i++)
        {
            T r = dOut[i];
            if (_outputBias) grad[_cOff] += r;
            SampleBackward(r, _h.AsSpan(i * _mp, _mp), data.Row(i));
        }
        Store(grad);
    }

    /// <summary>∂a += r h; dz = r a σ'(z); ∂b += dz; ∂Wᵀ[k] += x_k dz, for one sample, on the padded buffers.</summary>
    private void SampleBackward(T r, ReadOnlySpan<T> h, ReadOnlySpan<T> x)
    {
        var dz = _row2.AsSpan();
        Simd.Axpy(r, h, _gap);
        Activations.ScaledDerivative(_act, r, _ap, h, dz);
        if (_hiddenBias) Simd.Axpy(T.One, dz, _gbp);
        for (int k = 0; k < _d; k++) Simd.Axpy(x[k], dz, _gwt.AsSpan(k * _mp, _mp));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override T LossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, Span<T> grad)
    {
        CheckCapacity(data);
        int n = data.Count;
        Load(theta);
        grad.Clear();
        T scale = T.CreateTruncating(2.0) / T.CreateTruncating(n);
        T c = _outputBias ? theta[_cOff] : T.Zero;
        T loss = T.Zero, rSum = T.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Block <= n; i += Block) loss += BlockLossAndGradient(data, i, c, scale, ref rSum);
        for (; i < n; i++)
        {
            // The last n mod 8 samples, one row at a time.
            var h = _row.AsSpan();
            var x = data.Row(i);
            Hidden(x, h);
            T e = Simd.Dot<T>(h, _ap) + c - data.Y[i];
            loss += e * e;
            T r = scale * e;
            rSum += r;
            SampleBackward(r, h, x);
        }
        if (_outputBias) grad[_cOff] += rSum;
        Store(grad);
        return loss / T.CreateTruncating(n);
    }

    /// <summary>Samples i0..i0+7 on the padded buffers; returns their summed squared error and adds Σ r_s to rSum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T BlockLossAndGradient(Samples<T> data, int i0, T c, T scale, ref T rSum)
    {
        int mp = _mp, d = _d, w = Vector256<T>.Count;
        var act = _act;
        ref T wt = ref _wt[0];
        ref T gwt = ref _gwt[0];
        ref T hb = ref _hb[0];
        ref T a = ref _ap[0];
        ref T b = ref _bp[0];
        ref T ga = ref _gap[0];
        ref T gb = ref _gbp[0];
        ref T xb = ref _xb[0];
        bool hasBias = _hiddenBias;
        var rows = data.X.AsSpan(i0 * d, Block * d);
        for (int s = 0; s < Block; s++)
            for (int k = 0; k < d; k++)
                _xb[k * Block + s] = rows[s * d + k];

        // Forward: z_s = Wx_s + b with each Wᵀ vector loaded once for eight FMAs; then, per chunk of columns
        // while it is still in L1, h = σ(z) (the interleaved tanh wants contiguous rows) and f_s += a·h_s.
        Span<T> f = stackalloc T[Block];
        f.Clear();
        var hidden = _hb.AsSpan();
        for (int c0 = 0; c0 < mp; c0 += Chunk)
        {
            int c1 = Math.Min(mp, c0 + Chunk);
            for (int j = c0; j < c1; j += w)
            {
                var z0 = Vector256.LoadUnsafe(ref b, (nuint)j);
                Vector256<T> z1 = z0, z2 = z0, z3 = z0, z4 = z0, z5 = z0, z6 = z0, z7 = z0;
                for (int k = 0; k < d; k++)
                {
                    var wv = Vector256.LoadUnsafe(ref wt, (nuint)(k * mp + j));
                    ref T xk = ref Unsafe.Add(ref xb, k * Block);
                    z0 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 0)), wv, z0);
                    z1 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 1)), wv, z1);
                    z2 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 2)), wv, z2);
                    z3 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 3)), wv, z3);
                    z4 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 4)), wv, z4);
                    z5 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 5)), wv, z5);
                    z6 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 6)), wv, z6);
                    z7 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 7)), wv, z7);
                }
                z0.StoreUnsafe(ref hb, (nuint)(j));
                z1.StoreUnsafe(ref hb, (nuint)(mp + j));
                z2.StoreUnsafe(ref hb, (nuint)(2 * mp + j));
                z3.StoreUnsafe(ref hb, (nuint)(3 * mp + j));
                z4.StoreUnsafe(ref hb, (nuint)(4 * mp + j));
                z5.StoreUnsafe(ref hb, (nuint)(5 * mp + j));
                z6.StoreUnsafe(ref hb, (nuint)(6 * mp + j));
                z7.StoreUnsafe(ref hb, (nuint)(7 * mp + j));
            }
            for (int s = 0; s < Block; s++)
            {
                var row = hidden.Slice(s * mp + c0, c1 - c0);
                Activations.Apply<T>(act, row, row);
                f[s] += Simd.Dot<T>(row, _ap.AsSpan(c0, c1 - c0));
            }
        }

        // Residuals r_s = ∂L/∂f_s.
        T loss = T.Zero;
        Span<T> r = stackalloc T[Block];
        for (int s = 0; s < Block; s++)
        {
            T e = f[s] + c - data.Y[i0 + s];
            loss += e * e;
            r[s] = scale * e;
            rSum += r[s];
        }

        // Backward: ∂a += Σ r_s h_s; dz_s = r_s a σ'(z_s); ∂b += Σ dz_s; ∂Wᵀ[k] += Σ x_s[k] dz_s, each ∂Wᵀ vector
        // loaded and stored once for eight FMAs.
        var r0 = Vector256.Create(r[0]);
        var r1 = Vector256.Create(r[1]);
        var r2 = Vector256.Create(r[2]);
        var r3 = Vector256.Create(r[3]);
        var r4 = Vector256.Create(r[4]);
        var r5 = Vector256.Create(r[5]);
        var r6 = Vector256.Create(r[6]);
        var r7 = Vector256.Create(r[7]);
        for (int j = 0; j < mp; j += w)
        {
            var av = Vector256.LoadUnsafe(ref a, (nuint)j);
            var gav = Vector256.LoadUnsafe(ref ga, (nuint)j);
            var h0 = Vector256.LoadUnsafe(ref hb, (nuint)(j));
            gav = Simd.Fma(r0, h0, gav);
            var dz0 = r0 * av * VectorActivations.DerivativeFromOutput(act, h0);
            var h1 = Vector256.LoadUnsafe(ref hb, (nuint)(mp + j));
            gav = Simd.Fma(r1, h1, gav);
            var dz1 = r1 * av * VectorActivations.DerivativeFromOutput(act, h1);
            var h2 = Vector256.LoadUnsafe(ref hb, (nuint)(2 * mp + j));
            gav = Simd.Fma(r2, h2, gav);
            var dz2 = r2 * av * VectorActivations.DerivativeFromOutput(act, h2);
            var h3 = Vector256.LoadUnsafe(ref hb, (nuint)(3 * mp + j));
            gav = Simd.Fma(r3, h3, gav);
            var dz3 = r3 * av * VectorActivations.DerivativeFromOutput(act, h3);
            var h4 = Vector256.LoadUnsafe(ref hb, (nuint)(4 * mp + j));
            gav = Simd.Fma(r4, h4, gav);
            var dz4 = r4 * av * VectorActivations.DerivativeFromOutput(act, h4);
            var h5 = Vector256.LoadUnsafe(ref hb, (nuint)(5 * mp + j));
            gav = Simd.Fma(r5, h5, gav);
            var dz5 = r5 * av * VectorActivations.DerivativeFromOutput(act, h5);
            var h6 = Vector256.LoadUnsafe(ref hb, (nuint)(6 * mp + j));
            gav = Simd.Fma(r6, h6, gav);
            var dz6 = r6 * av * VectorActivations.DerivativeFromOutput(act, h6);
            var h7 = Vector256.LoadUnsafe(ref hb, (nuint)(7 * mp + j));
            gav = Simd.Fma(r7, h7, gav);
            var dz7 = r7 * av * VectorActivations.DerivativeFromOutput(act, h7);
            gav.StoreUnsafe(ref ga, (nuint)j);
            if (hasBias) (Vector256.LoadUnsafe(ref gb, (nuint)j) + (((dz0 + dz1) + (dz2 + dz3)) + ((dz4 + dz5) + (dz6 + dz7)))).StoreUnsafe(ref gb, (nuint)j);
            for (int k = 0; k < d; k++)
            {
                ref T g = ref Unsafe.Add(ref gwt, k * mp + j);
                ref T xk = ref Unsafe.Add(ref xb, k * Block);
                // Four partial sums instead of one chain of eight dependent FMAs: the loop is latency-bound otherwise.
                var t0 = Simd.Fma(Vector256.Create(xk), dz0, Vector256.LoadUnsafe(ref g));
                var t1 = Vector256.Create(Unsafe.Add(ref xk, 1)) * dz1;
                var t2 = Vector256.Create(Unsafe.Add(ref xk, 2)) * dz2;
                var t3 = Vector256.Create(Unsafe.Add(ref xk, 3)) * dz3;
                t0 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 4)), dz4, t0);
                t1 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 5)), dz5, t1);
                t2 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 6)), dz6, t2);
                t3 = Simd.Fma(Vector256.Create(Unsafe.Add(ref xk, 7)), dz7, t3);
                var gv = (t0 + t1) + (t2 + t3);
                gv.StoreUnsafe(ref g);
            }
        }
        return loss;
    }
}
