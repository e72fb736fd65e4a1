using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

/// <summary>Each fast kernel against its plain reference.</summary>
public sealed class KernelTests
{
    private static double[] Inputs()
    {
        var rng = new Rng(42);
        var x = new List<double> { 0, -0.0, 1e-300, -1e-300, 1e-9, 0.625, -0.625, 0.6249999999, 20, 22, -40, 710, double.MaxValue, -double.MaxValue };
        for (int i = 0; i < 20_000; i++) x.Add(rng.NextUniform(-1, 1));
        for (int i = 0; i < 20_000; i++) x.Add(rng.NextUniform(-25, 25));
        for (int i = 0; i < 2_000; i++) x.Add(Math.Pow(10, rng.NextUniform(-12, 0)) * (i % 2 == 0 ? 1 : -1));
        return x.ToArray();
    }

    private static double Ulps(double expected, double actual) =>
        expected == actual ? 0 : Math.Abs(expected - actual) / Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon);

    [Fact]
    public void TanhFloat64IsWithinTwoUlpsOfMathTanh()
    {
        var x = Inputs();
        var fast = new double[x.Length];
        var reference = new double[x.Length];
        Simd.Tanh<double>(x, fast);
        Simd.TanhReference<double>(x, reference);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Ulps(reference[i], fast[i]) <= 2, $"tanh({x[i]:R}): Math.Tanh {reference[i]:R}, fast {fast[i]:R}");
            worst = Math.Max(worst, Ulps(reference[i], fast[i]));
        }
        Assert.True(double.IsNaN(Tanh1(double.NaN)));
        Assert.Equal(1.0, Tanh1(double.PositiveInfinity));
        Assert.Equal(-1.0, Tanh1(double.NegativeInfinity));
        Assert.True(double.IsNegative(Tanh1(-0.0)), "tanh(−0) keeps its sign");
    }

    // Through the one-, four- and eight-vector paths (8, 16, 64 elements); all must agree.
    private static double Tanh1(double v)
    {
        double result = 0;
        foreach (int n in new[] { 8, 16, 64 })
        {
            var x = new double[n];
            Array.Fill(x, v);
            var y = new double[n];
            Simd.Tanh<double>(x, y);
            Assert.Equal(BitConverter.DoubleToInt64Bits(y[0]), BitConverter.DoubleToInt64Bits(y[n - 1]));
            result = y[3];
        }
        return result;
    }

    // The all-in-range fast path (SimdTanhSmall.cs) must give the general form's bits, not merely 2 ulp: groups
    // of 64 inputs all inside |x| < 0.625 take it; one NaN or one large value in a group must send the group
    // down the general path.
    [Fact]
    public void TanhSmallArgumentFastPathMatchesTheGeneralFormBitForBit()
    {
        var rng = new Rng(7);
        var x = new double[64 * 200];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 3 == 0 ? rng.NextUniform(-0.625, 0.625) : Math.Pow(10, rng.NextUniform(-310, -0.2042)) * (i % 2 == 0 ? 1 : -1);
        x[5] = -0.0;
        x[6] = 0.6249999999999999;
        x[7] = -0.6249999999999999;
        x[64 + 9] = double.NaN;
        x[128 + 17] = 3.0;
        x[192 + 40] = -0.625;
        var fast = new double[x.Length];
        Simd.Tanh<double>(x, fast);
        for (int i = 0; i < x.Length; i += 4)
        {
            var general = Simd.TanhVector(System.Runtime.Intrinsics.Vector256.Create(x[i], x[i + 1], x[i + 2], x[i + 3]));
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(general[j]), BitConverter.DoubleToInt64Bits(fast[i + j]));
                if (!double.IsNaN(x[i + j])) Assert.True(Ulps(Math.Tanh(x[i + j]), fast[i + j]) <= 2, $"tanh({x[i + j]:R})");
            }
        }
        Assert.True(double.IsNegative(fast[5]), "tanh(−0) keeps its sign");

        // Lengths that leave one to three vectors for the single-vector tail (and its own in-range test).
        foreach (int n in new[] { 4, 8, 12, 20, 28, 100 })
            for (int start = 0; start + n <= 256; start += 64)
            {
                var part = new double[n];
                Simd.Tanh<double>(x.AsSpan(start, n), part);
                for (int j = 0; j < n; j++)
                    Assert.Equal(BitConverter.DoubleToInt64Bits(fast[start + j]), BitConverter.DoubleToInt64Bits(part[j]));
            }

        var xf = x.Select(v => (float)v).ToArray();
        var fastf = new float[xf.Length];
        Simd.Tanh<float>(xf, fastf);
        for (int i = 0; i < xf.Length; i += 8)
        {
            var general = Simd.TanhVector(System.Runtime.Intrinsics.Vector256.Create(xf.AsSpan(i, 8)));
            for (int j = 0; j < 8; j++)
                Assert.Equal(BitConverter.SingleToInt32Bits(general[j]), BitConverter.SingleToInt32Bits(fastf[i + j]));
        }
        foreach (int n in new[] { 8, 16, 24, 40, 104 }) // whole vectors: a shorter remainder goes to MathF.Tanh
            for (int start = 0; start + n <= 256; start += 64)
            {
                var part = new float[n];
                Simd.Tanh<float>(xf.AsSpan(start, n), part);
                for (int j = 0; j < n; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(fastf[start + j]) == BitConverter.SingleToInt32Bits(part[j]), $"n={n} start={start} j={j} x={xf[start + j]:R} {fastf[start + j]:R} {part[j]:R}");
            }
    }

    [Fact]
    public void TanhFloat32IsWithinTwoUlpsOfMathFTanh()
    {
        var x = Inputs().Select(v => (float)v).ToArray();
        var fast = new float[x.Length];
        Simd.Tanh<float>(x, fast);
        for (int i = 0; i < x.Length; i++)
        {
            float r = MathF.Tanh(x[i]);
            float ulp = MathF.BitIncrement(MathF.Abs(r)) - MathF.Abs(r);
            Assert.True(Math.Abs(r - fast[i]) <= 2 * Math.Max(ulp, float.Epsilon), $"tanhf({x[i]:R}): MathF.Tanh {r:R}, fast {fast[i]:R}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1001)]
    public void AxpyAndDotAgreeWithReferences(int n)
    {
        var rng = new Rng((ulong)n);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
        var y1 = (double[])y.Clone();
        var y2 = (double[])y.Clone();
        Simd.Axpy<double>(0.37, x, y1);
        Simd.AxpyReference<double>(0.37, x, y2);
        for (int i = 0; i < n; i++) Assert.Equal(y2[i], y1[i], 1e-15);
        double scale = x.Zip(y).Sum(p => Math.Abs(p.First * p.Second));
        Assert.Equal(Simd.DotReference<double>(x, y), Simd.Dot<double>(x, y), 1e-15 * scale);
        var xf = x.Select(v => (float)v).ToArray();
        var yf = y.Select(v => (float)v).ToArray();
        Assert.Equal(Simd.DotReference<float>(xf, yf), Simd.Dot<float>(xf, yf), 1e-5 * scale);
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    public void VectorActivationPathsAgreeWithScalarDefinitions(Activation act)
    {
        var rng = new Rng(3);
        var z = Enumerable.Range(0, 37).Select(_ => 3 * rng.NextGaussian()).ToArray();
        var h = new double[z.Length];
        Activations.Apply<double>(act, z, h);
        var a = Enumerable.Range(0, 37).Select(_ => rng.NextGaussian()).ToArray();
        var dz = new double[z.Length];
        Activations.ScaledDerivative<double>(act, 0.7, a, h, dz);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.Equal(Activations.Apply(act, z[i]), h[i], 2e-16 * 4);
            Assert.Equal(0.7 * a[i] * Activations.DerivativeFromOutput(act, h[i]), dz[i], 1e-15);
        }
    }
}
