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
                return Vector512.Create(TanhVector(x.GetLower()), TanhVector(x.GetUpper()));
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
                return Vector512.Create(TanhVector(x.GetLower()), TanhVector(x.GetUpper()));
            var z0 = x0 * x0;
            var p0 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
                Vector512.Create(-5.70498872745E-3f), z0, Vector512.Create(2.06390887954E-2f)), z0, Vector512.Create(-5.37397155531E-2f)), z0,
                Vector512.Create(1.33314422036E-1f)), z0, Vector512.Create(-3.33332819422E-1f));
            return (Vector512.FusedMultiplyAdd(p0 * z0, ax0, ax0) | (x0 & Vector512.Create(-0f))).As<float, T>();
        }
        throw new NotSupportedException(typeof(T).Name);
    }
}
