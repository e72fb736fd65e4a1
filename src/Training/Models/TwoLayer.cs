using System.Numerics;

namespace SweepCluster.Training;

/// <summary>
/// f(x) = Σ_i a_i σ(w_i·x + b_i) + c. Shapes: x ∈ R^d; θ = [W: m×d row-major (row i is w_i, as torch's
/// Linear.weight) | b: m (if hidden bias) | a: m | c: 1 (if output bias)]. Forward caches H = σ(XWᵀ + b),
/// count×m. The fused LossAndGradient streams one sample at a time over a transposed copy Wᵀ (d×m), so each
/// sample's hidden row stays in L1 and H is never written out.
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
        Description = $"two-layer {Activations.Name(act)} m={width} d={inputDim}" +
                      (hiddenBias ? " hidden-bias" : "") + (outputBias ? " output-bias" : "");
    }

    public override int ParamCount { get; }
    public override string Description { get; }
    public override IReadOnlyList<ParamSegment> Segments { get; }

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

    public override T LossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, Span<T> grad)
    {
        CheckCapacity(data);
        int n = data.Count;
        Transpose(theta);
        Array.Clear(_gwt);
        grad.Clear();
        var a = theta.Slice(_aOff, _m);
        T c = _outputBias ? theta[_cOff] : T.Zero;
        T scale = T.CreateTruncating(2.0) / T.CreateTruncating(n);
        var h = _row.AsSpan();
        var dz = _row2.AsSpan();
        var ga = grad.Slice(_aOff, _m);
        T loss = T.Zero;
        for (int i = 0; i < n; i++)
        {
            var x = data.Row(i);
            Hidden(theta, x, h);
            T e = Simd.Dot<T>(h, a) + c - data.Y[i];
            loss += e * e;
            T r = scale * e;
            Simd.Axpy(r, h, ga);
            if (_outputBias) grad[_cOff] += r;
            Activations.ScaledDerivative(_act, r, a, h, dz);
            if (_hiddenBias) Simd.Axpy(T.One, dz, grad.Slice(_bOff, _m));
            for (int k = 0; k < _d; k++) Simd.Axpy(x[k], dz, _gwt.AsSpan(k * _m, _m));
        }
        AddTransposedGradient(grad);
        return loss / T.CreateTruncating(n);
    }
}
