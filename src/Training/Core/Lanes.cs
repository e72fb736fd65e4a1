using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// One value per trial of a batch: lane l holds trial l's number. The batched kernels (Batch/) are written once
/// against this interface and run as Lanes512 (8 doubles or 16 floats), Lanes256 (4 or 8) or Lane1 (one trial,
/// plain scalar code: the reference the vector forms are tested against). Every operation acts lane by lane
/// with exactly the rounding of the single-trial engine's operation of the same name, so a lane computes the
/// very bits that trial computes alone (the activations go through the engine's own 256-bit kernels).
/// </summary>
internal interface ILanes<TSelf, T>
    where TSelf : unmanaged, ILanes<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract int Count { get; }
    static abstract TSelf Zero { get; }
    static abstract TSelf Create(T value);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Sqrt(TSelf a);
    /// <summary>Lanes where keep is true take a, the others b.</summary>
    static abstract TSelf Select(TSelf keep, TSelf a, TSelf b);
    /// <summary>A mask for Select from per-lane booleans (bit l of bits).</summary>
    static abstract TSelf Mask(ulong bits);
    /// <summary>σ as the engine's vector kernels compute it (<see cref="VectorActivations.Apply{T}"/>, <see cref="Simd.Tanh{T}"/>).</summary>
    static abstract TSelf ActivateVector(Activation a, TSelf z);
    /// <summary>σ as the scalar <see cref="Activations.Apply{T}(Activation, T)"/> computes it (Math.Tanh, Math.Exp).</summary>
    static abstract TSelf ActivateScalar(Activation a, TSelf z);
    /// <summary>σ'(z) from h = σ(z), as <see cref="VectorActivations.DerivativeFromOutput{T}"/>.</summary>
    static abstract TSelf Derivative(Activation a, TSelf h);
    /// <summary>Whether some lane selected by active has x outside the open interval (low, high), NaN included.</summary>
    static abstract bool AnyOutside(TSelf x, TSelf low, TSelf high, TSelf active);
    T this[int lane] { get; }
    static abstract TSelf WithLane(TSelf v, int lane, T value);
}

/// <summary>One trial per value: the scalar reference of the batched kernels.</summary>
internal readonly struct Lane1<T>(T value) : ILanes<Lane1<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v = value;
    public static int Count => 1;
    public static Lane1<T> Zero => default;
    public static Lane1<T> Create(T value) => new(value);
    public static Lane1<T> operator +(Lane1<T> a, Lane1<T> b) => new(a._v + b._v);
    public static Lane1<T> operator -(Lane1<T> a, Lane1<T> b) => new(a._v - b._v);
    public static Lane1<T> operator *(Lane1<T> a, Lane1<T> b) => new(a._v * b._v);
    public static Lane1<T> operator /(Lane1<T> a, Lane1<T> b) => new(a._v / b._v);
    public static Lane1<T> Fma(Lane1<T> a, Lane1<T> b, Lane1<T> c) => new(T.FusedMultiplyAdd(a._v, b._v, c._v));
    public static Lane1<T> Sqrt(Lane1<T> a) => new(T.Sqrt(a._v));
    public static Lane1<T> Select(Lane1<T> keep, Lane1<T> a, Lane1<T> b) => T.IsNaN(keep._v) ? a : b;
    public static Lane1<T> Mask(ulong bits) => new((bits & 1) != 0 ? T.NaN : T.Zero);
    public static Lane1<T> ActivateVector(Activation a, Lane1<T> z) =>
        new(VectorActivations.ApplyExact(a, Vector256.Create(z._v)).GetElement(0));
    public static Lane1<T> ActivateScalar(Activation a, Lane1<T> z) => new(Activations.Apply(a, z._v));
    public static Lane1<T> Derivative(Activation a, Lane1<T> h) =>
        new(VectorActivations.DerivativeFromOutput(a, Vector256.Create(h._v)).GetElement(0));
    public static bool AnyOutside(Lane1<T> x, Lane1<T> low, Lane1<T> high, Lane1<T> active) =>
        T.IsNaN(active._v) && !(low._v < x._v && x._v < high._v);
    public T this[int lane] => _v;
    public static Lane1<T> WithLane(Lane1<T> v, int lane, T value) => new(value);
}

/// <summary>Vector256 lanes: 4 doubles or 8 floats.</summary>
internal readonly struct Lanes256<T>(Vector256<T> value) : ILanes<Lanes256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = value;
    public static int Count => Vector256<T>.Count;
    public static Lanes256<T> Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Create(T value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator +(Lanes256<T> a, Lanes256<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator -(Lanes256<T> a, Lanes256<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator *(Lanes256<T> a, Lanes256<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator /(Lanes256<T> a, Lanes256<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Fma(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => new(Simd.Fma(a._v, b._v, c._v));
    public static Lanes256<T> Sqrt(Lanes256<T> a) => new(Vector256.Sqrt(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Select(Lanes256<T> keep, Lanes256<T> a, Lanes256<T> b) => new(Vector256.ConditionalSelect(keep._v, a._v, b._v));
    public static Lanes256<T> Mask(ulong bits)
    {
        var v = Vector256<T>.Zero;
        var all = Vector256<T>.AllBitsSet.GetElement(0);
        for (int l = 0; l < Count; l++) if ((bits >> l & 1) != 0) v = v.WithElement(l, all);
        return new(v);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> ActivateVector(Activation a, Lanes256<T> z) => new(VectorActivations.ApplyExact(a, z._v));
    public static Lanes256<T> ActivateScalar(Activation a, Lanes256<T> z)
    {
        var v = z._v;
        for (int l = 0; l < Count; l++) v = v.WithElement(l, Activations.Apply(a, v.GetElement(l)));
        return new(v);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Derivative(Activation a, Lanes256<T> h) => new(VectorActivations.DerivativeFromOutput(a, h._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyOutside(Lanes256<T> x, Lanes256<T> low, Lanes256<T> high, Lanes256<T> active) =>
        !Vector256.EqualsAll(Vector256.AndNot(active._v, Vector256.GreaterThan(x._v, low._v) & Vector256.LessThan(x._v, high._v)), Vector256<T>.Zero);
    public T this[int lane] => _v.GetElement(lane);
    public static Lanes256<T> WithLane(Lanes256<T> v, int lane, T value) => new(v._v.WithElement(lane, value));
}

/// <summary>Vector512 lanes: 8 doubles or 16 floats. The activations run on the two 256-bit halves, with the engine's kernels.</summary>
internal readonly struct Lanes512<T>(Vector512<T> value) : ILanes<Lanes512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = value;
    public static int Count => Vector512<T>.Count;
    public static Lanes512<T> Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Create(T value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator +(Lanes512<T> a, Lanes512<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator -(Lanes512<T> a, Lanes512<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator *(Lanes512<T> a, Lanes512<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator /(Lanes512<T> a, Lanes512<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Fma(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c)
    {
        if (typeof(T) == typeof(double))
            return new(Vector512.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>());
        if (typeof(T) == typeof(float))
            return new(Vector512.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
        throw new NotSupportedException(typeof(T).Name);
    }
    public static Lanes512<T> Sqrt(Lanes512<T> a) => new(Vector512.Sqrt(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Select(Lanes512<T> keep, Lanes512<T> a, Lanes512<T> b) => new(Vector512.ConditionalSelect(keep._v, a._v, b._v));
    public static Lanes512<T> Mask(ulong bits)
    {
        var v = Vector512<T>.Zero;
        var all = Vector512<T>.AllBitsSet.GetElement(0);
        for (int l = 0; l < Count; l++) if ((bits >> l & 1) != 0) v = v.WithElement(l, all);
        return new(v);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> ActivateVector(Activation a, Lanes512<T> z)
    {
        if (a == Activation.Identity) return z;
        if (a == Activation.Tanh) return new(Simd.TanhLanes512(z._v));
        return new(Vector512.Create(VectorActivations.ApplyExact(a, z._v.GetLower()), VectorActivations.ApplyExact(a, z._v.GetUpper())));
    }
    public static Lanes512<T> ActivateScalar(Activation a, Lanes512<T> z)
    {
        var v = z._v;
        for (int l = 0; l < Count; l++) v = v.WithElement(l, Activations.Apply(a, v.GetElement(l)));
        return new(v);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Derivative(Activation a, Lanes512<T> h) => a switch
    {
        Activation.Tanh => new(Vector512<T>.One - h._v * h._v),
        Activation.Relu => new(Vector512.ConditionalSelect(Vector512.GreaterThan(h._v, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero)),
        Activation.Sigmoid => new(h._v * (Vector512<T>.One - h._v)),
        _ => new(Vector512<T>.One),
    };
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyOutside(Lanes512<T> x, Lanes512<T> low, Lanes512<T> high, Lanes512<T> active) =>
        !Vector512.EqualsAll(Vector512.AndNot(active._v, Vector512.GreaterThan(x._v, low._v) & Vector512.LessThan(x._v, high._v)), Vector512<T>.Zero);
    public T this[int lane] => _v.GetElement(lane);
    public static Lanes512<T> WithLane(Lanes512<T> v, int lane, T value) => new(v._v.WithElement(lane, value));
}

/// <summary>
/// Two Vector512 per value: 16 doubles or 32 floats. Each operation issues two independent instructions, so the
/// dependency chains of a tiny model (a loss summed over samples, an FMA chain over inputs) keep twice as many
/// units busy, and the per-step bookkeeping is shared by twice as many trials.
/// </summary>
internal readonly struct Lanes512x2<T>(Vector512<T> lo, Vector512<T> hi) : ILanes<Lanes512x2<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _lo = lo, _hi = hi;
    public static int Count => 2 * Vector512<T>.Count;
    public static Lanes512x2<T> Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> Create(T value) => new(Vector512.Create(value), Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> operator +(Lanes512x2<T> a, Lanes512x2<T> b) => new(a._lo + b._lo, a._hi + b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> operator -(Lanes512x2<T> a, Lanes512x2<T> b) => new(a._lo - b._lo, a._hi - b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> operator *(Lanes512x2<T> a, Lanes512x2<T> b) => new(a._lo * b._lo, a._hi * b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> operator /(Lanes512x2<T> a, Lanes512x2<T> b) => new(a._lo / b._lo, a._hi / b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> Fma(Lanes512x2<T> a, Lanes512x2<T> b, Lanes512x2<T> c)
    {
        if (typeof(T) == typeof(double))
            return new(Vector512.FusedMultiplyAdd(a._lo.AsDouble(), b._lo.AsDouble(), c._lo.AsDouble()).As<double, T>(),
                Vector512.FusedMultiplyAdd(a._hi.AsDouble(), b._hi.AsDouble(), c._hi.AsDouble()).As<double, T>());
        if (typeof(T) == typeof(float))
            return new(Vector512.FusedMultiplyAdd(a._lo.AsSingle(), b._lo.AsSingle(), c._lo.AsSingle()).As<float, T>(),
                Vector512.FusedMultiplyAdd(a._hi.AsSingle(), b._hi.AsSingle(), c._hi.AsSingle()).As<float, T>());
        throw new NotSupportedException(typeof(T).Name);
    }
    public static Lanes512x2<T> Sqrt(Lanes512x2<T> a) => new(Vector512.Sqrt(a._lo), Vector512.Sqrt(a._hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> Select(Lanes512x2<T> keep, Lanes512x2<T> a, Lanes512x2<T> b) =>
        new(Vector512.ConditionalSelect(keep._lo, a._lo, b._lo), Vector512.ConditionalSelect(keep._hi, a._hi, b._hi));
    public static Lanes512x2<T> Mask(ulong bits)
    {
        int w = Vector512<T>.Count;
        return new(Unwrap(Lanes512<T>.Mask(bits)), Unwrap(Lanes512<T>.Mask(bits >> w)));
    }
    private static Vector512<T> Unwrap(Lanes512<T> v) => System.Runtime.CompilerServices.Unsafe.As<Lanes512<T>, Vector512<T>>(ref v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> ActivateVector(Activation a, Lanes512x2<T> z)
    {
        if (a == Activation.Identity) return z;
        if (a == Activation.Tanh) return new(Simd.TanhLanes512(z._lo), Simd.TanhLanes512(z._hi));
        return new(Vector512.Create(VectorActivations.ApplyExact(a, z._lo.GetLower()), VectorActivations.ApplyExact(a, z._lo.GetUpper())),
            Vector512.Create(VectorActivations.ApplyExact(a, z._hi.GetLower()), VectorActivations.ApplyExact(a, z._hi.GetUpper())));
    }
    public static Lanes512x2<T> ActivateScalar(Activation a, Lanes512x2<T> z)
    {
        var lo = z._lo;
        var hi = z._hi;
        for (int l = 0; l < Vector512<T>.Count; l++)
        {
            lo = lo.WithElement(l, Activations.Apply(a, lo.GetElement(l)));
            hi = hi.WithElement(l, Activations.Apply(a, hi.GetElement(l)));
        }
        return new(lo, hi);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2<T> Derivative(Activation a, Lanes512x2<T> h) => a switch
    {
        Activation.Tanh => new(Vector512<T>.One - h._lo * h._lo, Vector512<T>.One - h._hi * h._hi),
        Activation.Relu => new(
            Vector512.ConditionalSelect(Vector512.GreaterThan(h._lo, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero),
            Vector512.ConditionalSelect(Vector512.GreaterThan(h._hi, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero)),
        Activation.Sigmoid => new(h._lo * (Vector512<T>.One - h._lo), h._hi * (Vector512<T>.One - h._hi)),
        _ => new(Vector512<T>.One, Vector512<T>.One),
    };
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyOutside(Lanes512x2<T> x, Lanes512x2<T> low, Lanes512x2<T> high, Lanes512x2<T> active) =>
        !Vector512.EqualsAll(
            Vector512.AndNot(active._lo, Vector512.GreaterThan(x._lo, low._lo) & Vector512.LessThan(x._lo, high._lo)) |
            Vector512.AndNot(active._hi, Vector512.GreaterThan(x._hi, low._hi) & Vector512.LessThan(x._hi, high._hi)), Vector512<T>.Zero);
    public T this[int lane] => lane < Vector512<T>.Count ? _lo.GetElement(lane) : _hi.GetElement(lane - Vector512<T>.Count);
    public static Lanes512x2<T> WithLane(Lanes512x2<T> v, int lane, T value) => lane < Vector512<T>.Count
        ? new(v._lo.WithElement(lane, value), v._hi)
        : new(v._lo, v._hi.WithElement(lane - Vector512<T>.Count, value));
}

/// <summary>
/// Two Lanes512x2 per value: 32 doubles or 64 floats, for the models whose step is mostly fixed per-step cost
/// (E1's four parameters, a 4×4 factorization), where sharing it among more trials is what pays.
/// </summary>
internal readonly struct Lanes512x4<T>(Lanes512x2<T> lo, Lanes512x2<T> hi) : ILanes<Lanes512x4<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Lanes512x2<T> _lo = lo, _hi = hi;
    private static int Half => Lanes512x2<T>.Count;
    public static int Count => 2 * Lanes512x2<T>.Count;
    public static Lanes512x4<T> Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> Create(T value) => new(Lanes512x2<T>.Create(value), Lanes512x2<T>.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> operator +(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._lo + b._lo, a._hi + b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> operator -(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._lo - b._lo, a._hi - b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> operator *(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._lo * b._lo, a._hi * b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> operator /(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._lo / b._lo, a._hi / b._hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> Fma(Lanes512x4<T> a, Lanes512x4<T> b, Lanes512x4<T> c) =>
        new(Lanes512x2<T>.Fma(a._lo, b._lo, c._lo), Lanes512x2<T>.Fma(a._hi, b._hi, c._hi));
    public static Lanes512x4<T> Sqrt(Lanes512x4<T> a) => new(Lanes512x2<T>.Sqrt(a._lo), Lanes512x2<T>.Sqrt(a._hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> Select(Lanes512x4<T> keep, Lanes512x4<T> a, Lanes512x4<T> b) =>
        new(Lanes512x2<T>.Select(keep._lo, a._lo, b._lo), Lanes512x2<T>.Select(keep._hi, a._hi, b._hi));
    public static Lanes512x4<T> Mask(ulong bits) => new(Lanes512x2<T>.Mask(bits), Lanes512x2<T>.Mask(Half >= 64 ? 0 : bits >> Half));
    public static Lanes512x4<T> ActivateVector(Activation a, Lanes512x4<T> z) =>
        new(Lanes512x2<T>.ActivateVector(a, z._lo), Lanes512x2<T>.ActivateVector(a, z._hi));
    public static Lanes512x4<T> ActivateScalar(Activation a, Lanes512x4<T> z) =>
        new(Lanes512x2<T>.ActivateScalar(a, z._lo), Lanes512x2<T>.ActivateScalar(a, z._hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x4<T> Derivative(Activation a, Lanes512x4<T> h) =>
        new(Lanes512x2<T>.Derivative(a, h._lo), Lanes512x2<T>.Derivative(a, h._hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyOutside(Lanes512x4<T> x, Lanes512x4<T> low, Lanes512x4<T> high, Lanes512x4<T> active) =>
        Lanes512x2<T>.AnyOutside(x._lo, low._lo, high._lo, active._lo) || Lanes512x2<T>.AnyOutside(x._hi, low._hi, high._hi, active._hi);
    public T this[int lane] => lane < Half ? _lo[lane] : _hi[lane - Half];
    public static Lanes512x4<T> WithLane(Lanes512x4<T> v, int lane, T value) => lane < Half
        ? new(Lanes512x2<T>.WithLane(v._lo, lane, value), v._hi)
        : new(v._lo, Lanes512x2<T>.WithLane(v._hi, lane - Half, value));
}
