using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

// The small-argument fast path of the vector tanh. Pre-activations of a network started at a small
// initialization scale sit almost entirely in the rational range |x| < 0.625 of the accurate tanh
// (SimdTanh.cs), where its e^t and the second half of its work are thrown away. These forms check four vectors
// at once and, when every lane is in range, evaluate only the rational branch: the same coefficients and
// operations in the same order, so they return the very bits the general form would. Otherwise they return
// false and the caller runs the general form, whose code these methods leave untouched (on mixed inputs the
// extra test costs one max and one compare per four vectors). NaN fails the range test.
internal static partial class Simd
{
    /// <summary>tanh of the 4 vectors at src into dst when all |x| &lt; 0.625; false (nothing written) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTanhSmall4x256(ref double src, ref double dst)
    {
        var x0 = Vector256.LoadUnsafe(ref src, (nuint)(0 * Vector256<double>.Count));
        var x1 = Vector256.LoadUnsafe(ref src, (nuint)(1 * Vector256<double>.Count));
        var x2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * Vector256<double>.Count));
        var x3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * Vector256<double>.Count));
        var ax0 = Vector256.Abs(x0);
        var ax1 = Vector256.Abs(x1);
        var ax2 = Vector256.Abs(x2);
        var ax3 = Vector256.Abs(x3);
        if (!Vector256.LessThanAll(Vector256.Max(Vector256.Max(ax0, ax1), Vector256.Max(ax2, ax3)), Vector256.Create(0.625)))
            return false;
        var cP0 = Vector256.Create(-9.64399179425052238628E-1);
        var cP1 = Vector256.Create(-9.92877231001918586564E1);
        var cP2 = Vector256.Create(-1.61468768441708447952E3);
        var cQ0 = Vector256.Create(1.12811678491632931402E2);
        var cQ1 = Vector256.Create(2.23548839060100448583E3);
        var cQ2 = Vector256.Create(4.84406305325125486048E3);
        var signBit = Vector256.Create(-0.0);
        var z0 = x0 * x0;
        var z1 = x1 * x1;
        var z2 = x2 * x2;
        var z3 = x3 * x3;
        var p0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z0, cP1), z0, cP2);
        var p1 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z1, cP1), z1, cP2);
        var p2 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z2, cP1), z2, cP2);
        var p3 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z3, cP1), z3, cP2);
        var q0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(z0 + cQ0, z0, cQ1), z0, cQ2);
        var q1 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(z1 + cQ0, z1, cQ1), z1, cQ2);
        var q2 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(z2 + cQ0, z2, cQ1), z2, cQ2);
        var q3 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(z3 + cQ0, z3, cQ1), z3, cQ2);
        (Vector256.FusedMultiplyAdd(ax0 * z0, p0 / q0, ax0) | (x0 & signBit)).StoreUnsafe(ref dst, (nuint)(0 * Vector256<double>.Count));
        (Vector256.FusedMultiplyAdd(ax1 * z1, p1 / q1, ax1) | (x1 & signBit)).StoreUnsafe(ref dst, (nuint)(1 * Vector256<double>.Count));
        (Vector256.FusedMultiplyAdd(ax2 * z2, p2 / q2, ax2) | (x2 & signBit)).StoreUnsafe(ref dst, (nuint)(2 * Vector256<double>.Count));
        (Vector256.FusedMultiplyAdd(ax3 * z3, p3 / q3, ax3) | (x3 & signBit)).StoreUnsafe(ref dst, (nuint)(3 * Vector256<double>.Count));
        return true;
    }

    /// <summary>tanh of the 4 vectors at src into dst when all |x| &lt; 0.625; false (nothing written) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTanhSmall4x512(ref double src, ref double dst)
    {
        var x0 = Vector512.LoadUnsafe(ref src, (nuint)(0 * Vector512<double>.Count));
        var x1 = Vector512.LoadUnsafe(ref src, (nuint)(1 * Vector512<double>.Count));
        var x2 = Vector512.LoadUnsafe(ref src, (nuint)(2 * Vector512<double>.Count));
        var x3 = Vector512.LoadUnsafe(ref src, (nuint)(3 * Vector512<double>.Count));
        var ax0 = Vector512.Abs(x0);
        var ax1 = Vector512.Abs(x1);
        var ax2 = Vector512.Abs(x2);
        var ax3 = Vector512.Abs(x3);
        if (!Vector512.LessThanAll(Vector512.Max(Vector512.Max(ax0, ax1), Vector512.Max(ax2, ax3)), Vector512.Create(0.625)))
            return false;
        var cP0 = Vector512.Create(-9.64399179425052238628E-1);
        var cP1 = Vector512.Create(-9.92877231001918586564E1);
        var cP2 = Vector512.Create(-1.61468768441708447952E3);
        var cQ0 = Vector512.Create(1.12811678491632931402E2);
        var cQ1 = Vector512.Create(2.23548839060100448583E3);
        var cQ2 = Vector512.Create(4.84406305325125486048E3);
        var signBit = Vector512.Create(-0.0);
        var z0 = x0 * x0;
        var z1 = x1 * x1;
        var z2 = x2 * x2;
        var z3 = x3 * x3;
        var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z0, cP1), z0, cP2);
        var p1 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z1, cP1), z1, cP2);
        var p2 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z2, cP1), z2, cP2);
        var p3 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z3, cP1), z3, cP2);
        var q0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(z0 + cQ0, z0, cQ1), z0, cQ2);
        var q1 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(z1 + cQ0, z1, cQ1), z1, cQ2);
        var q2 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(z2 + cQ0, z2, cQ1), z2, cQ2);
        var q3 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(z3 + cQ0, z3, cQ1), z3, cQ2);
        (Vector512.FusedMultiplyAdd(ax0 * z0, p0 / q0, ax0) | (x0 & signBit)).StoreUnsafe(ref dst, (nuint)(0 * Vector512<double>.Count));
        (Vector512.FusedMultiplyAdd(ax1 * z1, p1 / q1, ax1) | (x1 & signBit)).StoreUnsafe(ref dst, (nuint)(1 * Vector512<double>.Count));
        (Vector512.FusedMultiplyAdd(ax2 * z2, p2 / q2, ax2) | (x2 & signBit)).StoreUnsafe(ref dst, (nuint)(2 * Vector512<double>.Count));
        (Vector512.FusedMultiplyAdd(ax3 * z3, p3 / q3, ax3) | (x3 & signBit)).StoreUnsafe(ref dst, (nuint)(3 * Vector512<double>.Count));
        return true;
    }

    /// <summary>tanh of the 4 vectors at src into dst when all |x| &lt; 0.625; false (nothing written) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTanhSmall4x256(ref float src, ref float dst)
    {
        var x0 = Vector256.LoadUnsafe(ref src, (nuint)(0 * Vector256<float>.Count));
        var x1 = Vector256.LoadUnsafe(ref src, (nuint)(1 * Vector256<float>.Count));
        var x2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * Vector256<float>.Count));
        var x3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * Vector256<float>.Count));
        var ax0 = Vector256.Abs(x0);
        var ax1 = Vector256.Abs(x1);
        var ax2 = Vector256.Abs(x2);
        var ax3 = Vector256.Abs(x3);
        if (!Vector256.LessThanAll(Vector256.Max(Vector256.Max(ax0, ax1), Vector256.Max(ax2, ax3)), Vector256.Create(0.625f)))
            return false;
        var cP0 = Vector256.Create(-5.70498872745E-3f);
        var cP1 = Vector256.Create(2.06390887954E-2f);
        var cP2 = Vector256.Create(-5.37397155531E-2f);
        var cP3 = Vector256.Create(1.33314422036E-1f);
        var cP4 = Vector256.Create(-3.33332819422E-1f);
        var signBit = Vector256.Create(-0f);
        var z0 = x0 * x0;
        var z1 = x1 * x1;
        var z2 = x2 * x2;
        var z3 = x3 * x3;
        var p0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z0, cP1), z0, cP2), z0, cP3), z0, cP4);
        var p1 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z1, cP1), z1, cP2), z1, cP3), z1, cP4);
        var p2 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z2, cP1), z2, cP2), z2, cP3), z2, cP4);
        var p3 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(cP0, z3, cP1), z3, cP2), z3, cP3), z3, cP4);
        (Vector256.FusedMultiplyAdd(p0 * z0, ax0, ax0) | (x0 & signBit)).StoreUnsafe(ref dst, (nuint)(0 * Vector256<float>.Count));
        (Vector256.FusedMultiplyAdd(p1 * z1, ax1, ax1) | (x1 & signBit)).StoreUnsafe(ref dst, (nuint)(1 * Vector256<float>.Count));
        (Vector256.FusedMultiplyAdd(p2 * z2, ax2, ax2) | (x2 & signBit)).StoreUnsafe(ref dst, (nuint)(2 * Vector256<float>.Count));
        (Vector256.FusedMultiplyAdd(p3 * z3, ax3, ax3) | (x3 & signBit)).StoreUnsafe(ref dst, (nuint)(3 * Vector256<float>.Count));
        return true;
    }

    /// <summary>tanh of the 4 vectors at src into dst when all |x| &lt; 0.625; false (nothing written) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTanhSmall4x512(ref float src, ref float dst)
    {
        var x0 = Vector512.LoadUnsafe(ref src, (nuint)(0 * Vector512<float>.Count));
        var x1 = Vector512.LoadUnsafe(ref src, (nuint)(1 * Vector512<float>.Count));
        var x2 = Vector512.LoadUnsafe(ref src, (nuint)(2 * Vector512<float>.Count));
        var x3 = Vector512.LoadUnsafe(ref src, (nuint)(3 * Vector512<float>.Count));
        var ax0 = Vector512.Abs(x0);
        var ax1 = Vector512.Abs(x1);
        var ax2 = Vector512.Abs(x2);
        var ax3 = Vector512.Abs(x3);
        if (!Vector512.LessThanAll(Vector512.Max(Vector512.Max(ax0, ax1), Vector512.Max(ax2, ax3)), Vector512.Create(0.625f)))
            return false;
        var cP0 = Vector512.Create(-5.70498872745E-3f);
        var cP1 = Vector512.Create(2.06390887954E-2f);
        var cP2 = Vector512.Create(-5.37397155531E-2f);
        var cP3 = Vector512.Create(1.33314422036E-1f);
        var cP4 = Vector512.Create(-3.33332819422E-1f);
        var signBit = Vector512.Create(-0f);
        var z0 = x0 * x0;
        var z1 = x1 * x1;
        var z2 = x2 * x2;
        var z3 = x3 * x3;
        var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z0, cP1), z0, cP2), z0, cP3), z0, cP4);
        var p1 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z1, cP1), z1, cP2), z1, cP3), z1, cP4);
        var p2 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z2, cP1), z2, cP2), z2, cP3), z2, cP4);
        var p3 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(cP0, z3, cP1), z3, cP2), z3, cP3), z3, cP4);
        (Vector512.FusedMultiplyAdd(p0 * z0, ax0, ax0) | (x0 & signBit)).StoreUnsafe(ref dst, (nuint)(0 * Vector512<float>.Count));
        (Vector512.FusedMultiplyAdd(p1 * z1, ax1, ax1) | (x1 & signBit)).StoreUnsafe(ref dst, (nuint)(1 * Vector512<float>.Count));
        (Vector512.FusedMultiplyAdd(p2 * z2, ax2, ax2) | (x2 & signBit)).StoreUnsafe(ref dst, (nuint)(2 * Vector512<float>.Count));
        (Vector512.FusedMultiplyAdd(p3 * z3, ax3, ax3) | (x3 & signBit)).StoreUnsafe(ref dst, (nuint)(3 * Vector512<float>.Count));
        return true;
    }

    /// <summary>tanh of one vector whose lanes all satisfy |x| &lt; 0.625 (the caller checks): the rational branch alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> TanhSmall1<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(double))
        {
            var x0 = x.AsDouble();
            var ax0 = Vector256.Abs(x0);
            var z0 = x0 * x0;
            var p0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(-9.64399179425052238628E-1), z0, Vector256.Create(-9.92877231001918586564E1)), z0, Vector256.Create(-1.61468768441708447952E3));
            var q0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(z0 + Vector256.Create(1.12811678491632931402E2), z0, Vector256.Create(2.23548839060100448583E3)), z0, Vector256.Create(4.84406305325125486048E3));
            return (Vector256.FusedMultiplyAdd(ax0 * z0, p0 / q0, ax0) | (x0 & Vector256.Create(-0.0))).As<double, T>();
        }
        if (typeof(T) == typeof(float))
        {
            var x0 = x.AsSingle();
            var ax0 = Vector256.Abs(x0);
            var z0 = x0 * x0;
            var p0 = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(
                Vector256.Create(-5.70498872745E-3f), z0, Vector256.Create(2.06390887954E-2f)), z0, Vector256.Create(-5.37397155531E-2f)), z0,
                Vector256.Create(1.33314422036E-1f)), z0, Vector256.Create(-3.33332819422E-1f));
            return (Vector256.FusedMultiplyAdd(p0 * z0, ax0, ax0) | (x0 & Vector256.Create(-0f))).As<float, T>();
        }
        throw new NotSupportedException(typeof(T).Name);
    }
}
