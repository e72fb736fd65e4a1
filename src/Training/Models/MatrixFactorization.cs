using System.Numerics;
using System.Runtime.CompilerServices;

namespace SweepCluster.Training;

/// <summary>
/// Matrix completion with f(i, j) = (AB)_ij. Shapes: θ = [A: d×d row-major | B: d×d row-major]; a sample is
/// an entry index e = i·d + j. Only observed entries are evaluated (d FMAs each) rather than the whole
/// product (d³), which is cheaper whenever fewer than d² entries are in a batch; Bᵀ is kept so column j is
/// contiguous.
/// </summary>
internal sealed class MatrixFactorization<T> : Model<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _d;
    private readonly T[] _bt;   // d×d, Bᵀ
    private readonly T[] _gbt;  // d×d, gradient of Bᵀ

    public MatrixFactorization(int d, int capacity) : base(capacity)
    {
        _d = d;
        ParamCount = 2 * d * d;
        Segments = [new("A", 0, d * d, d), new("B", d * d, d * d, d)];
        _bt = new T[d * d];
        _gbt = new T[d * d];
        Description = $"matrix factorization AB d={d}";
    }

    public override int ParamCount { get; }
    public override string Description { get; }
    public override IReadOnlyList<ParamSegment> Segments { get; }

    private void TransposeB(ReadOnlySpan<T> theta)
    {
        var b = theta.Slice(_d * _d, _d * _d);
        for (int k = 0; k < _d; k++)
            for (int j = 0; j < _d; j++)
                _bt[j * _d + k] = b[k * _d + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<T> theta, Samples<T> data, Span<T> output)
    {
        CheckCapacity(data);
        TransposeB(theta);
        for (int s = 0; s < data.Count; s++)
        {
            int e = data.Entries[s];
            int i = e / _d, j = e % _d;
            output[s] = Simd.Dot<T>(theta.Slice(i * _d, _d), _bt.AsSpan(j * _d, _d));
        }
    }

    /// <summary>∂f(i,j)/∂A[i,k] = B[k,j], ∂f(i,j)/∂B[k,j] = A[i,k]; uses the Bᵀ of the latest Forward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<T> theta, Samples<T> data, ReadOnlySpan<T> dOut, Span<T> grad)
    {
        Array.Clear(_gbt);
        for (int s = 0; s < data.Count; s++)
        {
            int e = data.Entries[s];
            int i = e / _d, j = e % _d;
            Simd.Axpy(dOut[s], _bt.AsSpan(j * _d, _d), grad.Slice(i * _d, _d));
            Simd.Axpy(dOut[s], theta.Slice(i * _d, _d), _gbt.AsSpan(j * _d, _d));
        }
        var gb = grad.Slice(_d * _d, _d * _d);
        for (int j = 0; j < _d; j++)
            for (int k = 0; k < _d; k++)
                gb[k * _d + j] += _gbt[j * _d + k];
    }
}
