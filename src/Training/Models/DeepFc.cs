using System.Numerics;

namespace SweepCluster.Training;

/// <summary>
/// A fully connected network with L = depth weight layers d → m → … → m → 1 and σ after every hidden layer.
/// Shapes: θ = for each layer l, [W_l: out×in row-major | b_l: out (hidden layers if hidden bias, the last
/// layer if output bias)]. Forward caches every hidden activation, count×m per hidden layer.
/// Written for generality over speed: one sample at a time through matrix–vector products.
/// </summary>
internal sealed class DeepFc<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _depth, _m;
    private readonly Activation _act;
    private readonly int[] _in, _out, _wOff, _bOff; // _bOff = -1 where a layer has no bias
    private readonly T[][] _h;                      // hidden layer l: capacity×m
    private readonly T[] _delta, _deltaPrev;        // m

    public DeepFc(int inputDim, int width, int depth, Activation act, bool hiddenBias, bool outputBias, int capacity) : base(capacity)
    {
        _depth = depth;
        _m = width;
        _act = act;
        _in = new int[depth];
        _out = new int[depth];
        _wOff = new int[depth];
        _bOff = new int[depth];
        var seg = new List<ParamSegment>();
        int off = 0;
        for (int l = 0; l < depth; l++)
        {
            _in[l] = l == 0 ? inputDim : width;
            _out[l] = l == depth - 1 ? 1 : width;
            _wOff[l] = off;
            seg.Add(new($"W{l + 1}", off, _in[l] * _out[l], _in[l]));
            off += _in[l] * _out[l];
            bool bias = l == depth - 1 ? outputBias : hiddenBias;
            _bOff[l] = bias ? off : -1;
            if (bias)
            {
                seg.Add(new($"b{l + 1}", off, _out[l], _in[l]));
                off += _out[l];
            }
        }
        ParamCount = off;
        Segments = seg;
        _h = Enumerable.Range(0, depth - 1).Select(_ => new T[capacity * width]).ToArray();
        _delta = new T[Math.Max(1, width)];
        _deltaPrev = new T[Math.Max(1, width)];
        Description = $"deep-fc {Activations.Name(act)} L={depth} m={width} d={inputDim}" +
                      (hiddenBias ? " hidden-bias" : "") + (outputBias ? " output-bias" : "");
    }

    public override int ParamCount { get; }
    public override string Description { get; }
    public override IReadOnlyList<ParamSegment> Segments { get; }

    private ReadOnlySpan<T> LayerInput(Samples<T> data, int l, int i) =>
        l == 0 ? data.Row(i) : _h[l - 1].AsSpan(i * _m, _m);

    public override void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output)
    {
        CheckCapacity(data);
        for (int i = 0; i < data.Count; i++)
            for (int l = 0; l < _depth; l++)
            {
                var input = LayerInput(data, l, i);
                for (int o = 0; o < _out[l]; o++)
                {
                    T z = Simd.Dot<T>(theta.Slice(_wOff[l] + o * _in[l], _in[l]), input);
                    if (_bOff[l] >= 0) z += theta[_bOff[l] + o];
                    if (l == _depth - 1) output[i] = z;
                    else _h[l][i * _m + o] = Activations.Apply(_act, z);
                }
            }
    }

    public override void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad)
    {
        for (int i = 0; i < data.Count; i++)
        {
            // delta holds ∂L/∂z for the current layer's outputs.
            _delta[0] = dOut[i];
            for (int l = _depth - 1; l >= 0; l--)
            {
                var input = LayerInput(data, l, i);
                var delta = _delta.AsSpan(0, _out[l]);
                for (int o = 0; o < _out[l]; o++)
                {
                    Simd.Axpy(delta[o], input, grad.Slice(_wOff[l] + o * _in[l], _in[l]));
                    if (_bOff[l] >= 0) grad[_bOff[l] + o] += delta[o];
                }
                if (l == 0) break;
                var prev = _deltaPrev.AsSpan(0, _in[l]);
                prev.Clear();
                for (int o = 0; o < _out[l]; o++) Simd.Axpy(delta[o], theta.Slice(_wOff[l] + o * _in[l], _in[l]), prev);
                for (int q = 0; q < _in[l]; q++) prev[q] *= Activations.DerivativeFromOutput(_act, input[q]);
                prev.CopyTo(_delta);
            }
        }
    }
}
