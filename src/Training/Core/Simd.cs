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

    /// <summary>y = tanh(x), vectorized; within a few ulp of Math.Tanh (see the tests).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("y shorter than x", nameof(y));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            for (; i <= n - 8 * w; i += 8 * w)
            {
                var v0 = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + w));
                var v2 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 2 * w));
                var v3 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 3 * w));
                var v4 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 4 * w));
                var v5 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 5 * w));
                var v6 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 6 * w));
                var v7 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 7 * w));
                Tanh8(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
                v0.StoreUnsafe(ref yr, (nuint)i);
                v1.StoreUnsafe(ref yr, (nuint)(i + w));
                v2.StoreUnsafe(ref yr, (nuint)(i + 2 * w));
                v3.StoreUnsafe(ref yr, (nuint)(i + 3 * w));
                v4.StoreUnsafe(ref yr, (nuint)(i + 4 * w));
                v5.StoreUnsafe(ref yr, (nuint)(i + 5 * w));
                v6.StoreUnsafe(ref yr, (nuint)(i + 6 * w));
                v7.StoreUnsafe(ref yr, (nuint)(i + 7 * w));
            }
            for (; i <= n - 4 * w; i += 4 * w)
            {
                var v0 = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + w));
                var v2 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 2 * w));
                var v3 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 3 * w));
                Tanh4(ref v0, ref v1, ref v2, ref v3);
                v0.StoreUnsafe(ref yr, (nuint)i);
                v1.StoreUnsafe(ref yr, (nuint)(i + w));
                v2.StoreUnsafe(ref yr, (nuint)(i + 2 * w));
                v3.StoreUnsafe(ref yr, (nuint)(i + 3 * w));
            }
            for (; i <= n - w; i += w)
                TanhVector(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = T.Tanh(Unsafe.Add(ref xr, i));
    }

    public static void TanhReference<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Tanh(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> TanhVector<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(double)) Tanh1(ref Unsafe.As<Vector256<T>, Vector256<double>>(ref x));
        else if (typeof(T) == typeof(float)) Tanh1(ref Unsafe.As<Vector256<T>, Vector256<float>>(ref x));
        else throw new NotSupportedException(typeof(T).Name);
        return x;
    }

    /// <summary>tanh of eight independent vectors in place: as four 512-bit vectors where AVX-512 is available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh8<T>(ref Vector256<T> x0, ref Vector256<T> x1, ref Vector256<T> x2, ref Vector256<T> x3,
        ref Vector256<T> x4, ref Vector256<T> x5, ref Vector256<T> x6, ref Vector256<T> x7)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.Create(x0, x1);
            var b = Vector512.Create(x2, x3);
            var c = Vector512.Create(x4, x5);
            var d = Vector512.Create(x6, x7);
            if (typeof(T) == typeof(double))
                Tanh4(ref Unsafe.As<Vector512<T>, Vector512<double>>(ref a), ref Unsafe.As<Vector512<T>, Vector512<double>>(ref b),
                    ref Unsafe.As<Vector512<T>, Vector512<double>>(ref c), ref Unsafe.As<Vector512<T>, Vector512<double>>(ref d));
            else if (typeof(T) == typeof(float))
                Tanh4(ref Unsafe.As<Vector512<T>, Vector512<float>>(ref a), ref Unsafe.As<Vector512<T>, Vector512<float>>(ref b),
                    ref Unsafe.As<Vector512<T>, Vector512<float>>(ref c), ref Unsafe.As<Vector512<T>, Vector512<float>>(ref d));
            else throw new NotSupportedException(typeof(T).Name);
            (x0, x1, x2, x3, x4, x5, x6, x7) = (a.GetLower(), a.GetUpper(), b.GetLower(), b.GetUpper(), c.GetLower(), c.GetUpper(), d.GetLower(), d.GetUpper());
            return;
        }
        Tanh4(ref x0, ref x1, ref x2, ref x3);
        Tanh4(ref x4, ref x5, ref x6, ref x7);
    }

    /// <summary>tanh of four independent vectors in place, interleaved (see SimdTanh.cs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh4<T>(ref Vector256<T> x0, ref Vector256<T> x1, ref Vector256<T> x2, ref Vector256<T> x3)
    {
        if (typeof(T) == typeof(double))
            Tanh4(ref Unsafe.As<Vector256<T>, Vector256<double>>(ref x0), ref Unsafe.As<Vector256<T>, Vector256<double>>(ref x1),
                ref Unsafe.As<Vector256<T>, Vector256<double>>(ref x2), ref Unsafe.As<Vector256<T>, Vector256<double>>(ref x3));
        else if (typeof(T) == typeof(float))
            Tanh4(ref Unsafe.As<Vector256<T>, Vector256<float>>(ref x0), ref Unsafe.As<Vector256<T>, Vector256<float>>(ref x1),
                ref Unsafe.As<Vector256<T>, Vector256<float>>(ref x2), ref Unsafe.As<Vector256<T>, Vector256<float>>(ref x3));
        else throw new NotSupportedException(typeof(T).Name);
    }
}
