namespace SweepCluster.Training;

/// <summary>
/// Training and test samples in float64, before conversion to the trial's precision. Vector problems fill
/// the X arrays (count×d row-major); matrix completion fills the Entries arrays (row-major indices i·d+j).
/// </summary>
internal sealed class ProblemData
{
    public required int Dim { get; init; }
    public double[] TrainX { get; init; } = [];
    public int[]? TrainEntries { get; init; }
    public required double[] TrainY { get; init; }
    public double[] TestX { get; init; } = [];
    public int[]? TestEntries { get; init; }
    public required double[] TestY { get; init; }
    /// <summary>Matrix completion: which of the d² entries are in the training set.</summary>
    public bool[]? Observed { get; init; }

    /// <summary>
    /// Draws the data from streams of Hyper.Seed (train inputs, test inputs) and Target.Seed (the target),
    /// never from the init or optimizer streams: trials that differ only in tuned hyperparameters see the
    /// same data, and the first n training points are the same for every sample size n' ≥ n.
    /// </summary>
    public static ProblemData Build(TrialConfig c)
    {
        int d = c.Data.InputDim;
        int n = c.Hyper.SampleSize;
        if (c.Model.Kind == ModelKind.MatrixFactorization) return BuildMatrix(c, d, n);

        var target = Targets.Vector(c.Target, d);
        var trainRng = Rng.For(c.Hyper.Seed, RngPurpose.TrainData);
        var testRng = Rng.For(c.Hyper.Seed, RngPurpose.TestData);
        var trainX = new double[n * d];
        var testX = new double[c.Data.TestSize * d];
        if (c.Data.Inputs == InputDistribution.Grid1d)
        {
            if (d != 1) throw new ArgumentException($"Data.InputDim: {d}, Data.Inputs = Grid1d needs 1");
            double lo = c.Data.UniformLow, hi = c.Data.UniformHigh;
            for (int i = 0; i < n; i++) trainX[i] = n == 1 ? 0.5 * (lo + hi) : lo + (hi - lo) * i / (n - 1);
            for (int i = 0; i < testX.Length; i++) testX[i] = testRng.NextUniform(lo, hi);
        }
        else
        {
            Fill(trainX, ref trainRng, c.Data);
            Fill(testX, ref testRng, c.Data);
        }
        return new ProblemData
        {
            Dim = d,
            TrainX = trainX,
            TrainY = Evaluate(target, trainX, n, d),
            TestX = testX,
            TestY = Evaluate(target, testX, c.Data.TestSize, d),
        };
    }

    private static void Fill(double[] x, ref Rng rng, DataSpec spec)
    {
        for (int i = 0; i < x.Length; i++)
            x[i] = spec.Inputs switch
            {
                InputDistribution.Gaussian => rng.NextGaussian(),
                InputDistribution.Uniform => rng.NextUniform(spec.UniformLow, spec.UniformHigh),
                _ => throw new ArgumentException($"Data.Inputs: unknown value {spec.Inputs}"),
            };
    }

    private static double[] Evaluate(VectorTarget t, double[] x, int count, int d)
    {
        var y = new double[count];
        for (int i = 0; i < count; i++) y[i] = t.Evaluate(x.AsSpan(i * d, d));
        return y;
    }

    private static ProblemData BuildMatrix(TrialConfig c, int d, int n)
    {
        var m = Targets.Matrix(c.Target, d);
        int total = d * d;
        if (n > total) throw new ArgumentException($"Hyper.SampleSize: {n} observed entries, but a {d}×{d} matrix has only {total}");
        int[] order;
        if (c.Data.EntryOrder is { } given)
        {
            if (given.Count < n) throw new ArgumentException($"Data.EntryOrder: has {given.Count} entries, Hyper.SampleSize = {n} needs at least that many");
            order = given.ToArray();
            var seen = new bool[total];
            foreach (int e in order)
            {
                if (e < 0 || e >= total) throw new ArgumentException($"Data.EntryOrder: entry {e} outside 0..{total - 1}");
                if (seen[e]) throw new ArgumentException($"Data.EntryOrder: entry {e} appears twice");
                seen[e] = true;
            }
        }
        else
        {
            order = Enumerable.Range(0, total).ToArray();
            var rng = Rng.For(c.Hyper.Seed, RngPurpose.TrainData);
            rng.Shuffle(order);
        }
        var train = order[..n];
        var observed = new bool[total];
        foreach (int e in train) observed[e] = true;
        return new ProblemData
        {
            Dim = d,
            TrainEntries = train,
            TrainY = train.Select(e => m[e]).ToArray(),
            TestEntries = Enumerable.Range(0, total).ToArray(),
            TestY = m,
            Observed = observed,
        };
    }
}
