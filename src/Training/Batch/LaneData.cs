using System.Numerics;
using System.Runtime.InteropServices;

namespace SweepCluster.Training;

/// <summary>
/// The training sets of a batch, one trial per lane. Shapes: X is n×d (vector inputs), Y is n. Matrix
/// completion stores the d×d problem densely instead: Target and Observed are d² (row-major entries), Observed
/// all-bits in the lanes that observe the entry and zero elsewhere; X and Y are then empty.
/// </summary>
internal sealed class LaneData<TL> where TL : unmanaged
{
    public LaneData(int count, int dim, bool matrix)
    {
        Count = count;
        Dim = dim;
        X = matrix ? [] : new TL[count * dim];
        Y = matrix ? [] : new TL[count];
        Target = matrix ? new TL[dim * dim] : [];
        Observed = matrix ? new TL[dim * dim] : [];
    }

    public int Count { get; }
    public int Dim { get; }
    public TL[] X { get; }
    public TL[] Y { get; }
    public TL[] Target { get; }
    public TL[] Observed { get; }

    /// <summary>Writes one trial's training set into lane <paramref name="lane"/> of <paramref name="lanes"/>.</summary>
    public void Load<T>(int lane, int lanes, ProblemData data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.TrainEntries is { } entries)
        {
            var target = MemoryMarshal.Cast<TL, T>(Target.AsSpan());
            var observed = MemoryMarshal.Cast<TL, T>(Observed.AsSpan());
            var all = AllBitsSet<T>();
            for (int e = 0; e < Dim * Dim; e++)
            {
                target[e * lanes + lane] = T.Zero;
                observed[e * lanes + lane] = T.Zero;
            }
            for (int s = 0; s < entries.Length; s++)
            {
                target[entries[s] * lanes + lane] = T.CreateTruncating(data.TrainY[s]);
                observed[entries[s] * lanes + lane] = all;
            }
            return;
        }
        var x = MemoryMarshal.Cast<TL, T>(X.AsSpan());
        var y = MemoryMarshal.Cast<TL, T>(Y.AsSpan());
        for (int i = 0; i < data.TrainX.Length; i++) x[i * lanes + lane] = T.CreateTruncating(data.TrainX[i]);
        for (int i = 0; i < data.TrainY.Length; i++) y[i * lanes + lane] = T.CreateTruncating(data.TrainY[i]);
    }

    /// <summary>The mask value "observed": every bit set (a NaN pattern, never used as a number).</summary>
    private static T AllBitsSet<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        System.Runtime.Intrinsics.Vector128.GetElement(System.Runtime.Intrinsics.Vector128<T>.AllBitsSet, 0);
}
