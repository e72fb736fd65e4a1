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

    // tanh(|x|) for |x| < 0.625 by an odd rational approximation |x| + |x|·z·P(z)/Q(z), z = x² (classic
    // Cephes-style coefficients); above it 1 − 2/(e^{2|x|}+1), where tanh ≥ 0.55 so the subtraction loses at
    // most one bit. exp overflows to +Inf for large |x|, giving exactly 1; NaN propagates through both branches.
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
        var e = ExpSmallRange(ax + ax);
        // One division serves both branches (divisions are the slowest instructions here).
        var isSmall = Vector256.LessThan(ax, Vector256.Create(0.625));
        var ratio = Vector256.ConditionalSelect(isSmall, p, Vector256.Create(2.0)) / Vector256.ConditionalSelect(isSmall, q, e + one);
        var small = Vector256.FusedMultiplyAdd(ax * z, ratio, ax);
        var big = one - ratio;
        // Both branches work on |x| and the sign is put back last, so tanh(−0) = −0; NaN is passed through.
        var result = Vector256.ConditionalSelect(isSmall, small, big) | (x & Vector256.Create(-0.0));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    // e^t for t ≥ 0, clamped to t ≤ 40 (beyond it tanh rounds to 1 anyway): t = k·ln2 + r with |r| ≤ ln2/2
    // (ln2 split in two so k·ln2_hi is exact), e^r by its Taylor series to r¹³/13! (truncation < 1e-17
    // relative, evaluated by Estrin's scheme), and 2^k written straight into the exponent bits. Cheaper than the general Vector256.Exp
    // because it needs no handling of overflow, underflow or negative inputs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpSmallRange(Vector256<double> t)
    {
        t = Vector256.ConditionalSelect(Vector256.LessThan(t, Vector256.Create(40.0)), t, Vector256.Create(40.0));
        var shifter = Vector256.Create(6755399441055744.0); // 1.5·2^52: adding it rounds to an integer
        var kShifted = Vector256.FusedMultiplyAdd(t, Vector256.Create(1.4426950408889634), shifter);
        var k = kShifted - shifter;
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-6.93147180369123816490e-01), t);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-1.90821492927058770002e-10), r);
        // Estrin's scheme: the same polynomial in four dependent FMA levels instead of thirteen.
        var r2 = r * r;
        var r4 = r2 * r2;
        var q0 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0), Vector256.Create(1.0));
        var q1 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 6), Vector256.Create(0.5));
        var q2 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 120), Vector256.Create(1.0 / 24));
        var q3 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 5040), Vector256.Create(1.0 / 720));
        var q4 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 362880), Vector256.Create(1.0 / 40320));
        var q5 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 39916800), Vector256.Create(1.0 / 3628800));
        var q6 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 6227020800), Vector256.Create(1.0 / 479001600));
        var s0 = Vector256.FusedMultiplyAdd(q1, r2, q0);
        var s1 = Vector256.FusedMultiplyAdd(q3, r2, q2);
        var s2 = Vector256.FusedMultiplyAdd(q5, r2, q4);
        var t0 = Vector256.FusedMultiplyAdd(s1, r4, s0);
        var t1 = Vector256.FusedMultiplyAdd(q6, r4, s2);
        var p = Vector256.FusedMultiplyAdd(t1, r4 * r4, t0);
        // The low mantissa bits of kShifted hold k; shifting them into the exponent field gives 2^k.
        var twoK = ((kShifted.AsInt64() << 52) + Vector256.Create(1.0).AsInt64()).AsDouble();
        return p * twoK;
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
        var small = Vector256.FusedMultiplyAdd(p * z, ax, ax);
        var e = ExpSmallRange(ax + ax);
        var big = one - Vector256.Create(2f) / (e + one);
        var result = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.625f)), small, big) | (x & Vector256.Create(-0f));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    // As the double version, for t ≤ 20 and to r⁸/8! (truncation below float rounding).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpSmallRange(Vector256<float> t)
    {
        t = Vector256.ConditionalSelect(Vector256.LessThan(t, Vector256.Create(20f)), t, Vector256.Create(20f));
        var shifter = Vector256.Create(12582912f); // 1.5·2^23
        var kShifted = Vector256.FusedMultiplyAdd(t, Vector256.Create(1.44269504f), shifter);
        var k = kShifted - shifter;
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-0.693145752f), t);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-1.42860677e-6f), r);
        var r2 = r * r;
        var r4 = r2 * r2;
        var s0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(r, Vector256.Create(1f / 6), Vector256.Create(0.5f)), r2,
            Vector256.FusedMultiplyAdd(r, Vector256.Create(1f), Vector256.Create(1f)));
        var s1 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(r, Vector256.Create(1f / 5040), Vector256.Create(1f / 720)), r2,
            Vector256.FusedMultiplyAdd(r, Vector256.Create(1f / 120), Vector256.Create(1f / 24)));
        var p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(1f / 40320), r4, s1), r4, s0);
        var twoK = ((kShifted.AsInt32() << 23) + Vector256.Create(1f).AsInt32()).AsSingle();
        return p * twoK;
    }
}
