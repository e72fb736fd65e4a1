using System.Numerics;
using System.Runtime.CompilerServices;

namespace SweepCluster.Training;

/// <summary>A named slice of the flat parameter vector; FanIn feeds the fan_in^(−γ) initialization.</summary>
internal readonly record struct ParamSegment(string Name, int Offset, int Length, int FanIn);

/// <summary>
/// The one model abstraction: a scalar-output function f(x; θ) over a flat parameter vector θ.
/// Forward writes f for the first Count samples and caches what Backward needs; Backward ADDS
/// Σ_i dOut_i·∂f(x_i)/∂θ into grad, using the cache of the latest Forward on the same samples.
/// Workspaces are sized at construction for <c>capacity</c> samples, so no call allocates.
/// The loss is the plain mean squared error L = (1/n) Σ (f_i − y_i)², without a ½ factor (as torch.nn.MSELoss).
/// </summary>
internal abstract class Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _out;
    private readonly T[] _dOut;

    protected Model(int capacity)
    {
        Capacity = capacity;
        _out = new T[capacity];
        _dOut = new T[capacity];
    }

    public int Capacity { get; }
    public abstract int ParamCount { get; }
    public abstract string Description { get; }
    public abstract IReadOnlyList<ParamSegment> Segments { get; }

    public abstract void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output);

    public abstract void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad);

    /// <summary>
    /// Overwrites grad with ∂L/∂θ and returns L. Models override it with a fused kernel where that is faster;
    /// this generic path is the reference the fused ones are tested against.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public virtual T LossAndGradient(ReadOnlySpan<T> theta, Samples<T> data, Span<T> grad)
    {
        int n = data.Count;
        var f = _out.AsSpan(0, n);
        Forward(theta, data, f);
        T loss = T.Zero;
        T scale = T.CreateTruncating(2.0) / T.CreateTruncating(n);
        for (int i = 0; i < n; i++)
        {
            T e = f[i] - data.Y[i];
            loss += e * e;
            _dOut[i] = scale * e;
        }
        grad.Clear();
        Backward(theta, data, _dOut.AsSpan(0, n), grad);
        return loss / T.CreateTruncating(n);
    }

    /// <summary>Mean squared error over the first Count samples (forward only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public T Loss(ReadOnlySpan<T> theta, Samples<T> data)
    {
        int n = data.Count;
        var f = _out.AsSpan(0, n);
        Forward(theta, data, f);
        T loss = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T e = f[i] - data.Y[i];
            loss += e * e;
        }
        return loss / T.CreateTruncating(n);
    }

    /// <summary>
    /// θ ~ N(0, σ²) drawn in parameter order; σ = initScale, or fan_in^(−γ) per segment when γ is given.
    /// </summary>
    public void Initialize(Span<T> theta, ref Rng rng, double initScale, double? gamma)
    {
        foreach (var s in Segments)
        {
            double sigma = gamma is { } g ? Math.Pow(Math.Max(1, s.FanIn), -g) : initScale;
            for (int i = 0; i < s.Length; i++) theta[s.Offset + i] = T.CreateTruncating(sigma * rng.NextGaussian());
        }
    }

    protected void CheckCapacity(Samples<T> data)
    {
        if (data.Count > Capacity)
            throw new InvalidOperationException($"{data.Count} samples exceed the model workspace of {Capacity}");
    }
}
