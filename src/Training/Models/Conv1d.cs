using System.Numerics;

namespace SweepCluster.Training;

/// <summary>
/// One hidden layer of N = width 1-D filters of size s at stride 1 over P = d − s + 1 positions, then a
/// linear readout with one weight per filter and position: f(x) = Σ_k Σ_p a_kp σ(Σ_t K_kpt x_{p+t} + c_kp) + c.
/// With sharing (CNN) K_kpt = K_kt and c_kp = c_k; without it (locally connected) every position has its own.
/// Shapes: θ = [K: N×s (shared) or N×P×s | c: N or N×P (if hidden bias) | a: N×P | c_out: 1 (if output bias)].
/// Forward caches H = σ(z), count×N×P.
/// </summary>
internal sealed class Conv1d<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _d, _n, _s, _p;
    private readonly bool _shared, _hiddenBias, _outputBias;
    private readonly Activation _act;
    private readonly int _cOff, _aOff, _outOff;
    private readonly T[] _h;

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
}
