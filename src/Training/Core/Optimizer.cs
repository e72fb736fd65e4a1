using System.Numerics;
using System.Runtime.CompilerServices;

namespace SweepCluster.Training;

/// <summary>
/// Parameter updates over flat vectors, following PyTorch's definitions so sweeps mean the same thing:
/// Gd θ −= η(g + λθ); Sgd v = μv + (g + λθ), θ −= ηv; Adam with L2 (g + λθ) and bias correction;
/// AdamW with decoupled decay θ −= ηλθ before the Adam step. State is allocated once.
/// </summary>
internal sealed class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OptimizerKind _kind;
    private readonly T _lr, _wd, _momentum, _beta1, _beta2, _eps;
    private readonly double _beta1d, _beta2d;
    private readonly T[] _m, _v;
    private long _t;

    public Optimizer(TrainingSpec spec, Hyperparameters hp, int paramCount)
    {
        _kind = spec.Optimizer;
        _lr = T.CreateTruncating(hp.LearningRate);
        _wd = T.CreateTruncating(hp.WeightDecay);
        _momentum = T.CreateTruncating(spec.Momentum);
        _beta1 = T.CreateTruncating(spec.Beta1);
        _beta2 = T.CreateTruncating(spec.Beta2);
        _beta1d = spec.Beta1;
        _beta2d = spec.Beta2;
        _eps = T.CreateTruncating(spec.Epsilon);
        bool needsM = _kind is OptimizerKind.Adam or OptimizerKind.AdamW || (_kind == OptimizerKind.Sgd && spec.Momentum != 0);
        _m = needsM ? new T[paramCount] : [];
        _v = _kind is OptimizerKind.Adam or OptimizerKind.AdamW ? new T[paramCount] : [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(Span<T> theta, ReadOnlySpan<T> grad)
    {
        _t++;
        switch (_kind)
        {
            case OptimizerKind.Gd:
                for (int i = 0; i < theta.Length; i++) theta[i] -= _lr * (grad[i] + _wd * theta[i]);
                break;
            case OptimizerKind.Sgd when _m.Length == 0:
                for (int i = 0; i < theta.Length; i++) theta[i] -= _lr * (grad[i] + _wd * theta[i]);
                break;
            case OptimizerKind.Sgd:
                for (int i = 0; i < theta.Length; i++)
                {
                    T g = grad[i] + _wd * theta[i];
                    // PyTorch starts the buffer at the first gradient rather than at zero.
                    _m[i] = _t == 1 ? g : _momentum * _m[i] + g;
                    theta[i] -= _lr * _m[i];
                }
                break;
            case OptimizerKind.Adam:
            case OptimizerKind.AdamW:
            {
                bool decoupled = _kind == OptimizerKind.AdamW;
                T c1 = T.CreateTruncating(1 - Math.Pow(_beta1d, _t));
                T c2Sqrt = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(_beta2d, _t)));
                T stepSize = _lr / c1;
                T one = T.One;
                for (int i = 0; i < theta.Length; i++)
                {
                    T g = grad[i];
                    if (decoupled) theta[i] *= one - _lr * _wd;
                    else g += _wd * theta[i];
                    _m[i] = _beta1 * _m[i] + (one - _beta1) * g;
                    _v[i] = _beta2 * _v[i] + (one - _beta2) * g * g;
                    theta[i] -= stepSize * (_m[i] / (T.Sqrt(_v[i]) / c2Sqrt + _eps));
                }
                break;
            }
            default:
                throw new ArgumentException($"Training.Optimizer: unknown value {_kind}");
        }
    }
}
