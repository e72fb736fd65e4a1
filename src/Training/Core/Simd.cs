using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// Vector kernels on spans of float or double. Each fast kernel has a plain scalar reference beside it
/// (<c>...Reference</c>); tests check that the two agree. The fast ones use FMA, so they differ from the
/// references only by rounding.
/// </summary>
internal static partial class Simd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return a * b + c;
    }

    /// <summary>y += alpha·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("y shorter than x", nameof(y));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            int w = Vector256<T>.Count;
            for (; i <= n - w; i += w)
            {
                var vy = Fma(va, Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i));
                vy.StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = T.FusedMultiplyAdd(alpha, Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }

    public static void AxpyReference<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>Σ x_i y_i with four independent vector accumulators (hides FMA latency).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("y shorter than x", nameof(y));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        T sum = T.Zero;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            int w = Vector256<T>.Count;
            Vector256<T> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 4 * w; i += 4 * w)
            {
                s0 = Fma(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), s0);
                s1 = Fma(Vector256.LoadUnsafe(ref xr, (nuint)(i + w)), Vector256.LoadUnsafe(ref yr, (nuint)(i + w)), s1);
                s2 = Fma(Vector256.LoadUnsafe(ref xr, (nuint)(i + 2 * w)), Vector256.LoadUnsafe(ref yr, (nuint)(i + 2 * w)), s2);
                s3 = Fma(Vector256.LoadUnsafe(ref xr, (nuint)(i + 3 * w)), Vector256.LoadUnsafe(ref yr, (nuint)(i + 3 * w)), s3);
            }
            for (; i <= n - w; i += w)
                s0 = Fma(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), s0);
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum = T.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), sum);
        return sum;
    }

    public static T DotReference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>y = tanh(x), vectorized; within 2 ulp of Math.Tanh (see the tests). x and y may be the same span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("y shorter than x", nameof(y));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && (typeof(T) == typeof(double) || typeof(T) == typeof(float)))
        {
            if (Vector512.IsHardwareAccelerated)
                for (int step = 4 * Vector512<T>.Count; i <= n - step; i += step)
                    Tanh4(ref Unsafe.Add(ref xr, i), ref Unsafe.Add(ref yr, i), wide: true);
            for (int step = 4 * Vector256<T>.Count; i <= n - step; i += step)
                Tanh4(ref Unsafe.Add(ref xr, i), ref Unsafe.Add(ref yr, i), wide: false);
            // The last one to three vectors: a lone general tanh is one long dependency chain, so the in-range
            // test pays even more here than in the four-vector forms.
            var threshold = Vector256.Create(T.CreateTruncating(0.625));
            for (int w = Vector256<T>.Count; i <= n - w; i += w)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                (Vector256.LessThanAll(Vector256.Abs(v), threshold) ? TanhSmall1(v) : TanhVector(v)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = T.Tanh(Unsafe.Add(ref xr, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tanh4<T>(ref T src, ref T dst, bool wide)
    {
        if (typeof(T) == typeof(double))
        {
            ref double s = ref Unsafe.As<T, double>(ref src);
            ref double t = ref Unsafe.As<T, double>(ref dst);
            if (wide) { if (!TryTanhSmall4x512(ref s, ref t)) Tanh4x512(ref s, ref t); }
            else if (!TryTanhSmall4x256(ref s, ref t)) Tanh4x256(ref s, ref t);
        }
        else if (typeof(T) == typeof(float))
        {
            ref float s = ref Unsafe.As<T, float>(ref src);
            ref float t = ref Unsafe.As<T, float>(ref dst);
            if (wide) { if (!TryTanhSmall4x512(ref s, ref t)) Tanh4x512(ref s, ref t); }
            else if (!TryTanhSmall4x256(ref s, ref t)) Tanh4x256(ref s, ref t);
        }
    }

    public static void TanhReference<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Tanh(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> TanhVector<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(double)) return Tanh1(x.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float)) return Tanh1(x.AsSingle()).As<float, T>();
        throw new NotSupportedException(typeof(T).Name);
    }
}
