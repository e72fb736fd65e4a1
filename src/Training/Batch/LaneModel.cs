using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// The training step of one model kind for a batch of trials, one per lane: θ, the gradient and the data are
/// arrays of lane values in the single-trial model's layout (θ[p] holds parameter p of every trial). Each kernel
/// performs, lane by lane, the operations of the single-trial engine's LossAndGradient for that model in the
/// same order (the same fused multiply-adds, the same summation trees, the same activation kernels), so each
/// lane's loss and gradient are the bits its trial computes alone. Workspaces are sized at construction.
/// </summary>
internal abstract class LaneModel<T, TL>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TL : unmanaged, ILanes<TL, T>
{
    /// <summary>Overwrites grad with ∂L/∂θ and returns L = (1/n) Σ (f − y)², per lane.</summary>
    public abstract TL LossAndGradient(TL[] theta, LaneData<TL> data, TL[] grad);

    /// <summary>
    /// Σ x_i y_i over nTotal entries, of which those at i ≥ n are zero, in the exact order of
    /// <see cref="Simd.Dot{T}"/> on one trial: four accumulators of Vector256&lt;T&gt;.Count partial sums,
    /// combined ((s0 + s1) + (s2 + s3)) and then pairwise across the vector as Vector256.Sum does, then the tail.
    /// KernelTests pin this order against Simd.Dot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TL Dot(ReadOnlySpan<TL> x, ReadOnlySpan<TL> y, int n, int nTotal)
    {
        int w = Vector256<T>.Count;
        if (nTotal < w)
        {
            // Simd.Dot's scalar loop alone.
            TL sum = TL.Zero;
            for (int i = 0; i < nTotal; i++) sum = TL.Fma(At(x, n, i), At(y, n, i), sum);
            return sum;
        }
        // One real entry padded to whole vectors (a filter or neuron at N = 1): s0 = x0·y0 + 0 is never −0, the
        // padding adds +0 to it, and the tree below reduces to (s0 + 0) + (0 + 0).
        if (n == 1 && nTotal < 4 * w && nTotal % w == 0) return (TL.Fma(x[0], y[0], TL.Zero) + TL.Zero) + (TL.Zero + TL.Zero);
        if (nTotal == 4 && w == 4)
        {
            // One float64 vector (a 4×4 factorization's row, a layer of width 2–4), written out; the terms past n
            // are +0 and skipped as in DotOneAccumulator.
            TL zz = TL.Zero + TL.Zero;
            TL l = (TL.Fma(x[0], y[0], TL.Zero) + TL.Zero) + zz;
            if (n > 1) l = l + ((TL.Fma(x[1], y[1], TL.Zero) + TL.Zero) + zz);
            if (n <= 2) return l;
            TL r = (TL.Fma(x[2], y[2], TL.Zero) + TL.Zero) + zz;
            if (n > 3) r = r + ((TL.Fma(x[3], y[3], TL.Zero) + TL.Zero) + zz);
            return l + r;
        }
        if (nTotal < 4 * w) return DotOneAccumulator(x, y, n, nTotal, w);
        return DotGeneral(x, y, n, nTotal, w);
    }

    /// <summary>Fewer than four vectors: only s0 is used, and s1 = s2 = s3 = +0 still take part in the sums.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TL DotOneAccumulator(ReadOnlySpan<TL> x, ReadOnlySpan<TL> y, int n, int nTotal, int w)
    {
        int full = nTotal / w * w;
        TL zz = TL.Zero + TL.Zero;
        Span<TL> v = stackalloc TL[8];
        // Partial sum j only ever sees entries j, j + w, …: when j ≥ n they are all padding and v[j] is exactly +0.
        // No v[j] is −0 (it ends in "+ (+0)"), and x + (+0) = x for any x but −0, so the pairwise tree may skip
        // the +0 terms without changing a bit; at N = 1 that is one term instead of four or eight.
        int live = Math.Min(n, w);
        for (int j = 0; j < live; j++)
        {
            TL s0 = TL.Zero;
            for (int i = j; i < full; i += w) s0 = TL.Fma(At(x, n, i), At(y, n, i), s0);
            v[j] = (s0 + TL.Zero) + zz;
        }
        TL sum = w == 4
            ? Add(Add(v, 0, 1, live), Add(v, 2, 3, live), live > 2)
            : Add(Add(Add(v, 0, 1, live), Add(v, 2, 3, live), live > 2), Add(Add(v, 4, 5, live), Add(v, 6, 7, live), live > 6), live > 4);
        for (int i = full; i < nTotal; i++) sum = TL.Fma(At(x, n, i), At(y, n, i), sum);
        return sum;
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TL DotGeneral(ReadOnlySpan<TL> x, ReadOnlySpan<TL> y, int n, int nTotal, int w)
    {
        int i = 0;
        Span<TL> acc = stackalloc TL[32];
        acc = acc[..(4 * w)];
        acc.Clear();
        for (; i <= nTotal - 4 * w; i += 4 * w)
            for (int j = 0; j < 4 * w; j++)
                acc[j] = TL.Fma(At(x, n, i + j), At(y, n, i + j), acc[j]);
        for (; i <= nTotal - w; i += w)
            for (int j = 0; j < w; j++)
                acc[j] = TL.Fma(At(x, n, i + j), At(y, n, i + j), acc[j]);
        for (int j = 0; j < w; j++) acc[j] = (acc[j] + acc[w + j]) + (acc[2 * w + j] + acc[3 * w + j]);
        TL sum = w switch
        {
            4 => (acc[0] + acc[1]) + (acc[2] + acc[3]),
            8 => ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])),
            _ => throw new NotSupportedException($"Vector256 of {w} lanes"),
        };
        for (; i < nTotal; i++) sum = TL.Fma(At(x, n, i), At(y, n, i), sum);
        return sum;
    }

    /// <summary>v[a] + v[b] where the entries at or beyond live are +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TL Add(Span<TL> v, int a, int b, int live) => b < live ? v[a] + v[b] : a < live ? v[a] : TL.Zero;

    /// <summary>l + r where r is +0 unless rLive (l is never −0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TL Add(TL l, TL r, bool rLive) => rLive ? l + r : l;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TL At(ReadOnlySpan<TL> x, int n, int i) => i < n ? x[i] : TL.Zero;

    /// <summary>
    /// z = σ(z) element by element with the vector kernels' bits. One call per row rather than per value: the
    /// general tanh is too large to inline, and a call in the middle of a kernel makes the caller spill every live
    /// vector register around it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    protected static void Activate(Activation act, Span<TL> z)
    {
        if (act == Activation.Identity) return;
        if (TL.Count % Vector256<T>.Count == 0)
        {
            // Whole vectors of lanes: the engine's own span kernel (Simd.Tanh's four interleaved vectors, the
            // vector sigmoid and relu) never reaches its scalar tail here, so every value gets the vector bits.
            var flat = System.Runtime.InteropServices.MemoryMarshal.Cast<TL, T>(z);
            Activations.Apply(act, flat, flat);
            return;
        }
        for (int i = 0; i < z.Length; i++) z[i] = TL.ActivateVector(act, z[i]);
    }

    /// <summary>The vector width the single-trial models pad their hidden layers to.</summary>
    protected static int Padded(int m)
    {
        int w = Vector256<T>.Count;
        return (m + w - 1) / w * w;
    }
}

internal static class LaneModels
{
    /// <summary>The batched kernel for a model spec; the shapes are validated by building the single-trial model first.</summary>
    public static LaneModel<T, TL> Create<T, TL>(ModelSpec spec, int width, int inputDim, int capacity)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : unmanaged, ILanes<TL, T> => spec.Kind switch
    {
        ModelKind.LinearL or ModelKind.LinearNL or ModelKind.DiagonalSquares or ModelKind.DiagonalProduct =>
            new LaneLinearInInput<T, TL>(spec.Kind, inputDim, spec.Depth, capacity),
        ModelKind.MatrixFactorization => new LaneMatrixFactorization<T, TL>(inputDim),
        ModelKind.TwoLayer => new LaneTwoLayer<T, TL>(inputDim, width, spec.Activation, spec.HiddenBias, spec.OutputBias),
        ModelKind.Cnn1d or ModelKind.LocallyConnected1d => new LaneConv1d<T, TL>(inputDim, width, spec.KernelSize,
            spec.Kind == ModelKind.Cnn1d, spec.Activation, spec.HiddenBias, spec.OutputBias, capacity),
        ModelKind.DeepFc => new LaneDeepFc<T, TL>(inputDim, width, spec.Depth, spec.Activation, spec.HiddenBias, spec.OutputBias, capacity),
        _ => throw new ArgumentException($"Model.Kind: unknown value {spec.Kind}"),
    };
}
