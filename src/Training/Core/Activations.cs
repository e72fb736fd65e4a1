using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>Element-wise activations. Derivatives are taken from the output h = σ(z), which is all the cache keeps.</summary>
internal static class Activations
{
    public static string Name(Activation a) => a switch
    {
        Activation.Tanh => "tanh",
        Activation.Relu => "relu",
        Activation.Sigmoid => "sigmoid",
        Activation.Identity => "identity",
        _ => throw new ArgumentException($"Model.Activation: unknown value {a}"),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply<T>(Activation a, T z) where T : unmanaged, IFloatingPointIeee754<T> => a switch
    {
        Activation.Tanh => T.Tanh(z),
        Activation.Relu => T.Max(z, T.Zero),
        Activation.Sigmoid => T.One / (T.One + T.Exp(-z)),
        _ => z,
    };

    /// <summary>σ'(z) written through h = σ(z): tanh 1−h², sigmoid h(1−h), relu [h &gt; 0] (0 at z = 0, as PyTorch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T DerivativeFromOutput<T>(Activation a, T h) where T : unmanaged, IFloatingPointIeee754<T> => a switch
    {
        Activation.Tanh => T.One - h * h,
        Activation.Relu => h > T.Zero ? T.One : T.Zero,
        Activation.Sigmoid => h * (T.One - h),
        _ => T.One,
    };

    /// <summary>h = σ(z) in place or into another span; tanh uses the vectorized kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<T>(Activation a, ReadOnlySpan<T> z, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (a)
        {
            case Activation.Tanh:
                Simd.Tanh(z, h);
                break;
            case Activation.Identity:
                if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(h))) z.CopyTo(h);
                break;
            default:
            {
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    ref T zr = ref MemoryMarshal.GetReference(z);
                    ref T hr = ref MemoryMarshal.GetReference(h);
                    for (int w = Vector256<T>.Count; i <= z.Length - w; i += w)
                        VectorActivations.Apply(a, Vector256.LoadUnsafe(ref zr, (nuint)i)).StoreUnsafe(ref hr, (nuint)i);
                }
                for (; i < z.Length; i++) h[i] = Apply(a, z[i]);
                break;
            }
        }
    }

    /// <summary>dz_j = r·a_j·σ'(z_j), given h = σ(z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaledDerivative<T>(Activation act, T r, ReadOnlySpan<T> a, ReadOnlySpan<T> h, Span<T> dz)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = h.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref T ar = ref MemoryMarshal.GetReference(a);
            ref T hr = ref MemoryMarshal.GetReference(h);
            ref T dr = ref MemoryMarshal.GetReference(dz);
            var vr = Vector256.Create(r);
            int w = Vector256<T>.Count;
            for (; i <= n - w; i += w)
            {
                var vh = Vector256.LoadUnsafe(ref hr, (nuint)i);
                var va = Vector256.LoadUnsafe(ref ar, (nuint)i);
                ((vr * va) * VectorActivations.DerivativeFromOutput(act, vh)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++) dz[i] = r * a[i] * DerivativeFromOutput(act, h[i]);
    }
}

/// <summary>Activations on one vector, for the register-blocked kernels.</summary>
internal static class VectorActivations
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<T>(Activation a, Vector256<T> z) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (a)
        {
            case Activation.Tanh: return Simd.TanhVector(z);
            case Activation.Relu: return Vector256.Max(z, Vector256<T>.Zero);
            case Activation.Sigmoid: return Vector256<T>.One / (Vector256<T>.One + Exp(-z));
            default: return z;
        }
    }

    /// <summary>As Apply, with tanh through its in-range fast path (the same bits, see Core/SimdLanes.cs).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ApplyExact<T>(Activation a, Vector256<T> z) where T : unmanaged, IFloatingPointIeee754<T> =>
        a == Activation.Tanh ? Simd.TanhLanes256(z) : Apply(a, z);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> DerivativeFromOutput<T>(Activation a, Vector256<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (a)
        {
            case Activation.Tanh: return Vector256<T>.One - h * h;
            case Activation.Relu: return Vector256.ConditionalSelect(Vector256.GreaterThan(h, Vector256<T>.Zero), Vector256<T>.One, Vector256<T>.Zero);
            case Activation.Sigmoid: return h * (Vector256<T>.One - h);
            default: return Vector256<T>.One;
        }
    }

    private static Vector256<T> Exp<T>(Vector256<T> x)
    {
        if (typeof(T) == typeof(double)) return Vector256.Exp(x.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float)) return Vector256.Exp(x.AsSingle()).As<float, T>();
        throw new NotSupportedException(typeof(T).Name);
    }
}
