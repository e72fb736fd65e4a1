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
internal static class Simd
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
        if (typeof(T) == typeof(double)) return TanhVector(x.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float)) return TanhVector(x.AsSingle()).As<float, T>();
        throw new NotSupportedException(typeof(T).Name);
    }

    // tanh for |x| < 0.625 by an odd rational approximation x + x·z·P(z)/Q(z), z = x² (classic Cephes-style
    // coefficients); above it 1 − 2/(e^{2|x|}+1), where tanh ≥ 0.55 so the subtraction loses at most one bit.
    // exp overflows to +Inf for large |x|, giving exactly ±1; NaN propagates through both branches.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> TanhVector(Vector256<double> x)
    {
        var one = Vector256.Create(1.0);
        var ax = Vector256.Abs(x);
        var z = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(-9.64399179425052238628E-1), z,
            Vector256.Create(-9.92877231001918586564E1)), z, Vector256.Create(-1.61468768441708447952E3));
        var q = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(z + Vector256.Create(1.12811678491632931402E2), z,
            Vector256.Create(2.23548839060100448583E3)), z, Vector256.Create(4.84406305325125486048E3));
        var small = Vector256.FusedMultiplyAdd(x * z, p / q, x);
        var e = Vector256.Exp(ax + ax);
        var big = one - Vector256.Create(2.0) / (e + one);
        big |= x & Vector256.Create(-0.0); // copy the sign of x (big ≥ 0)
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.625)), small, big);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TanhVector(Vector256<float> x)
    {
        var one = Vector256.Create(1f);
        var ax = Vector256.Abs(x);
        var z = x * x;
        var p = Vector256.Create(-5.70498872745E-3f);
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(2.06390887954E-2f));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(-5.37397155531E-2f));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(1.33314422036E-1f));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(-3.33332819422E-1f));
        var small = Vector256.FusedMultiplyAdd(p * z, x, x);
        var e = Vector256.Exp(ax + ax);
        var big = one - Vector256.Create(2f) / (e + one);
        big |= x & Vector256.Create(-0f);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.625f)), small, big);
    }
}
