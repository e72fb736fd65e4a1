using System.Numerics;

namespace SweepCluster.Training;

/// <summary>
/// A set of training or test samples in the trial's precision. Shapes: X is Capacity×Dim row-major (vector
/// inputs), Entries is Capacity row-major matrix indices i·d+j (matrix completion; X is then empty), Y is
/// Capacity targets. Count ≤ Capacity is how many are in use, so a mini-batch buffer is reused without allocation.
/// </summary>
internal sealed class Samples<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Samples(int capacity, int dim, bool entries)
    {
        Capacity = capacity;
        Dim = dim;
        X = entries ? [] : new T[capacity * dim];
        Entries = entries ? new int[capacity] : [];
        Y = new T[capacity];
        Count = capacity;
    }

    public int Capacity { get; }
    public int Dim { get; }
    public int Count { get; set; }
    public T[] X { get; }
    public int[] Entries { get; }
    public T[] Y { get; }

    public ReadOnlySpan<T> Row(int i) => X.AsSpan(i * Dim, Dim);

    public static Samples<T> FromDouble(double[] x, int[]? entries, double[] y, int dim)
    {
        var s = new Samples<T>(y.Length, dim, entries is not null);
        for (int i = 0; i < x.Length; i++) s.X[i] = T.CreateTruncating(x[i]);
        entries?.CopyTo(s.Entries, 0);
        for (int i = 0; i < y.Length; i++) s.Y[i] = T.CreateTruncating(y[i]);
        return s;
    }

    /// <summary>Copies the samples at <paramref name="indices"/> of <paramref name="source"/> into this buffer.</summary>
    public void Gather(Samples<T> source, ReadOnlySpan<int> indices)
    {
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if (Entries.Length > 0) Entries[k] = source.Entries[i];
            else source.X.AsSpan(i * Dim, Dim).CopyTo(X.AsSpan(k * Dim, Dim));
            Y[k] = source.Y[i];
        }
        Count = indices.Length;
    }
}
