using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

// tanh for the batched kernels (Core/Lanes.cs), where a vector holds one pre-activation of each of several
// trials. Each form returns, lane by lane, the bits Simd.Tanh returns for that value: the rational branch when
// every lane is in its range (the same operations as TanhSmall1), the general 256-bit form otherwise.
internal static partial class Simd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> TanhLanes256<T>(Vector256<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var threshold = Vector256.Create(T.CreateTruncating(0.625));
        return Vector256.LessThanAll(Vector256.Abs(x), threshold) ? TanhSmall1(x) : TanhVector(x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> TanhLanes512<T>(Vector512<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            var x0 = x.AsDouble();
            var ax0 = Vector512.Abs(x0);
            if (!Vector512.LessThanAll(ax0, Vector512.Create(0.625)))
                return Tanh1x512(x0).As<double, T>();
            var z0 = x0 * x0;
            var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(-9.64399179425052238628E-1), z0, Vector512.Create(-9.92877231001918586564E1)), z0, Vector512.Create(-1.61468768441708447952E3));
            var q0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(z0 + Vector512.Create(1.12811678491632931402E2), z0, Vector512.Create(2.23548839060100448583E3)), z0, Vector512.Create(4.84406305325125486048E3));
            return (Vector512.FusedMultiplyAdd(ax0 * z0, p0 / q0, ax0) | (x0 & Vector512.Create(-0.0))).As<double, T>();
        }
        if (typeof(T) == typeof(float))
        {
            var x0 = x.AsSingle();
            var ax0 = Vector512.Abs(x0);
            if (!Vector512.LessThanAll(ax0, Vector512.Create(0.625f)))
                return Tanh1x512(x0).As<float, T>();
            var z0 = x0 * x0;
            var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
                Vector512.Create(-5.70498872745E-3f), z0, Vector512.Create(2.06390887954E-2f)), z0, Vector512.Create(-5.37397155531E-2f)), z0,
                Vector512.Create(1.33314422036E-1f)), z0, Vector512.Create(-3.33332819422E-1f));
            return (Vector512.FusedMultiplyAdd(p0 * z0, ax0, ax0) | (x0 & Vector512.Create(-0f))).As<float, T>();
        }
        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>Tanh1's general form on 512-bit vectors: the same operations, so the same bits lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Tanh1x512(Vector512<double> x0)
    {
        var one = Vector512.Create(1.0);
        var two = Vector512.Create(2.0);
        var cP0 = Vector512.Create(-9.64399179425052238628E-1);
        var cP1 = Vector512.Create(-9.92877231001918586564E1);
        var cP2 = Vector512.Create(-1.61468768441708447952E3);
        var cQ0 = Vector512.Create(1.12811678491632931402E2);
        var cQ1 = Vector512.Create(2.23548839060100448583E3);
        var cQ2 = Vector512.Create(4.84406305325125486048E3);
        var clamp = Vector512.Create(40.0);
        var shifter = Vector512.Create(6755399441055744.0);
        var log2e = Vector512.Create(1.4426950408889634);
        var ln2Hi = Vector512.Create(-6.93147180369123816490e-01);
        var ln2Lo = Vector512.Create(-1.90821492927058770002e-10);
        var threshold = Vector512.Create(0.625);
        var signBit = Vector512.Create(-0.0);
        var e2 = Vector512.Create(0.5);
        var e3 = Vector512.Create(1.0 / 6);
        var e4 = Vector512.Create(1.0 / 24);
        var e5 = Vector512.Create(1.0 / 120);
        var e6 = Vector512.Create(1.0 / 720);
        var e7 = Vector512.Create(1.0 / 5040);
        var e8 = Vector512.Create(1.0 / 40320);
        var e9 = Vector512.Create(1.0 / 362880);
        var e10 = Vector512.Create(1.0 / 3628800);
        var e11 = Vector512.Create(1.0 / 39916800);
        var e12 = Vector512.Create(1.0 / 479001600);
        var e13 = Vector512.Create(1.0 / 6227020800);
        var ax0 = Vector512.Abs(x0);
        var z0 = x0 * x0;
        var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z0, cP1), z0, cP2);
        var q0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(z0 + cQ0, z0, cQ1), z0, cQ2);
        var t0 = ax0 + ax0;
        t0 = Vector512.ConditionalSelect(Vector512.LessThan(t0, clamp), t0, clamp);
        var ks0 = Vector512.FusedMultiplyAdd(t0, log2e, shifter);
        var k0 = ks0 - shifter;
        var r0 = Vector512.FusedMultiplyAdd(k0, ln2Hi, t0);
        r0 = Vector512.FusedMultiplyAdd(k0, ln2Lo, r0);
        var r20 = r0 * r0;
        var r40 = r20 * r20;
        var s00 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(r0, e3, e2), r20, Vector512.FusedMultiplyAdd(r0, one, one));
        var s10 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(r0, e7, e6), r20, Vector512.FusedMultiplyAdd(r0, e5, e4));
        var s20 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(r0, e11, e10), r20, Vector512.FusedMultiplyAdd(r0, e9, e8));
        var t10 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(r0, e13, e12), r40, s20);
        var poly0 = Vector512.FusedMultiplyAdd(t10, r40 * r40, Vector512.FusedMultiplyAdd(s10, r40, s00));
        var ex0 = poly0 * ((ks0.AsInt64() << 52) + one.AsInt64()).AsDouble();
        var small0 = Vector512.LessThan(ax0, threshold);
        var ratio0 = Vector512.ConditionalSelect(small0, p0, two) / Vector512.ConditionalSelect(small0, q0, ex0 + one);
        var y0 = Vector512.ConditionalSelect(small0, Vector512.FusedMultiplyAdd(ax0 * z0, ratio0, ax0), one - ratio0) | (x0 & signBit);
        y0 = Vector512.ConditionalSelect(Vector512.Equals(x0, x0), y0, x0);
        return y0;
    }

    /// <summary>Tanh1's general form on 512-bit vectors: the same operations, so the same bits lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh1x512(Vector512<float> x0)
    {
        var one = Vector512.Create(1f);
        var two = Vector512.Create(2f);
        var cP0 = Vector512.Create(-5.70498872745E-3f);
        var cP1 = Vector512.Create(2.06390887954E-2f);
        var cP2 = Vector512.Create(-5.37397155531E-2f);
        var cP3 = Vector512.Create(1.33314422036E-1f);
        var cP4 = Vector512.Create(-3.33332819422E-1f);
        var clamp = Vector512.Create(20f);
        var shifter = Vector512.Create(12582912f);
        var log2e = Vector512.Create(1.44269504f);
        var ln2Hi = Vector512.Create(-0.693145752f);
        var ln2Lo = Vector512.Create(-1.42860677e-6f);
        var threshold = Vector512.Create(0.625f);
        var signBit = Vector512.Create(-0f);
        var e2 = Vector512.Create(0.5f);
        var e3 = Vector512.Create(1f / 6);
        var e4 = Vector512.Create(1f / 24);
        var e5 = Vector512.Create(1f / 120);
        var e6 = Vector512.Create(1f / 720);
        var e7 = Vector512.Create(1f / 5040);
        var e8 = Vector512.Create(1f / 40320);
        var ax0 = Vector512.Abs(x0);
        var z0 = x0 * x0;
        var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z0, cP1), z0, cP2), z0, cP3), z0, cP4);
        var t0 = ax0 + ax0;
        t0 = Vector512.ConditionalSelect(Vector512.LessThan(t0, clamp), t0, clamp);
        var ks0 = Vector512.FusedMultiplyAdd(t0, log2e, shifter);
        var k0 = ks0 - shifter;
        var r0 = Vector512.FusedMultiplyAdd(k0, ln2Hi, t0);
        r0 = Vector512.FusedMultiplyAdd(k0, ln2Lo, r0);
        var r20 = r0 * r0;
        var r40 = r20 * r20;
        var s00 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(r0, e3, e2), r20, Vector512.FusedMultiplyAdd(r0, one, one));
        var s10 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(r0, e7, e6), r20, Vector512.FusedMultiplyAdd(r0, e5, e4));
        var poly0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(e8, r40, s10), r40, s00);
        var ex0 = poly0 * ((ks0.AsInt32() << 23) + one.AsInt32()).AsSingle();
        var small0 = Vector512.LessThan(ax0, threshold);
        var ratio0 = two / (ex0 + one);
        var y0 = Vector512.ConditionalSelect(small0, Vector512.FusedMultiplyAdd(p0 * z0, ax0, ax0), one - ratio0) | (x0 & signBit);
        y0 = Vector512.ConditionalSelect(Vector512.Equals(x0, x0), y0, x0);
        return y0;
    }
}
