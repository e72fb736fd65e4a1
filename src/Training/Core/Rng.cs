namespace SweepCluster.Training;

/// <summary>What a random stream is used for; each purpose gets an independent stream from the same trial seed.</summary>
internal enum RngPurpose : ulong
{
    TrainData = 1,
    TestData = 2,
    Init = 3,
    Batches = 4,
    Target = 5,
}

/// <summary>
/// SplitMix64 with Box–Muller normals. Our own generator rather than System.Random so the numbers a seed
/// produces are part of this project's contract and cannot change with a runtime upgrade.
/// </summary>
internal struct Rng
{
    private ulong _state;
    private double _spare;
    private bool _hasSpare;

    public Rng(ulong state)
    {
        _state = state;
        _spare = 0;
        _hasSpare = false;
    }

    /// <summary>
    /// A stream for (seed, purpose). Mixing twice decorrelates neighbouring seeds and purposes, so trials that
    /// differ only in tuned hyperparameters share the data stream while init and data stay independent.
    /// </summary>
    public static Rng For(long seed, RngPurpose purpose) =>
        new(Mix(Mix((ulong)seed) ^ ((ulong)purpose * 0xD1B54A32D192ED03UL)));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextUniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, n) without modulo bias (rejection on the top bits).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do { r = NextUInt64(); } while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Standard normal by Box–Muller; the second value of each pair is kept for the next call.</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: keeps Log finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double t = 2.0 * Math.PI * u2;
        _spare = r * Math.Sin(t);
        _hasSpare = true;
        return r * Math.Cos(t);
    }

    /// <summary>Fisher–Yates shuffle of the whole span.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
