using System.Numerics;
using SweepCluster.Training;

namespace SweepCluster.Training.Tests;

/// <summary>
/// The batched engine against the single-trial engine: every model kind, both precisions, trials that stop at
/// different steps (converged, plateau, diverged, step budget) in one batch, each outcome equal bit for bit.
/// </summary>
public sealed class BatchTests
{
    private static TrialConfig Vector(ModelSpec model, int d, int n, int width = 0, Precision precision = Precision.Float64) => new()
    {
        Model = model,
        Target = new TargetSpec { Kind = TargetKind.RandomTeacher, Activation = Activation.Tanh, NeuronCount = 2, Seed = 5 },
        Data = new DataSpec { InputDim = d, Inputs = InputDistribution.Gaussian, TestSize = 50 },
        Training = new TrainingSpec { MaxSteps = 80, Precision = precision },
        Hyper = new Hyperparameters { InitScale = 0.3, Width = width, LearningRate = 0.05, SampleSize = n, Seed = 1 },
    };

    private static TrialConfig Linear(ModelKind kind, int d, int n, int depth = 0) => Vector(new ModelSpec { Kind = kind, Depth = depth }, d, n) with
    {
        Target = new TargetSpec { Kind = TargetKind.Linear, Intercept = 0.5, Coefficients = Enumerable.Range(0, d).Select(j => 0.3 * (j + 1)).ToArray() },
    };

    private static TrialConfig Matrix(int d, int n) => new()
    {
        Model = new ModelSpec { Kind = ModelKind.MatrixFactorization },
        Target = new TargetSpec { Kind = TargetKind.RandomLowRank, Rank = 1, Seed = 2 },
        Data = new DataSpec { InputDim = d },
        Training = new TrainingSpec { MaxSteps = 80 },
        Hyper = new Hyperparameters { InitScale = 0.3, LearningRate = 0.05, SampleSize = n, Seed = 1 },
    };

    public static TheoryData<string> Kinds() => new(
        "quickstart", "two-layer-blocks", "two-layer-sigmoid", "two-layer-relu", "e5-fc", "cnn-n1", "cnn-n3-relu", "cnn-n9-sigmoid",
        "locally-connected", "mf-d4", "mf-d5", "linear-l", "linear-nl", "diagonal-squares", "diagonal-product", "deep-fc");

    internal static TrialConfig Named(string name) => name switch
    {
        "quickstart" => Vector(new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh, HiddenBias = true }, 1, 6, 4),
        "two-layer-blocks" => Vector(new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh, OutputBias = true }, 3, 21, 5),
        "two-layer-sigmoid" => Vector(new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Sigmoid, HiddenBias = true }, 2, 11, 6),
        "two-layer-relu" => Vector(new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Relu, HiddenBias = true }, 2, 9, 3),
        "e5-fc" => Vector(new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh, HiddenBias = true }, 5, 20, 3),
        "cnn-n1" => Vector(new ModelSpec { Kind = ModelKind.Cnn1d, Activation = Activation.Tanh, HiddenBias = true, KernelSize = 3 }, 5, 20, 1),
        "cnn-n3-relu" => Vector(new ModelSpec { Kind = ModelKind.Cnn1d, Activation = Activation.Relu, OutputBias = true, KernelSize = 2 }, 5, 12, 3),
        "cnn-n9-sigmoid" => Vector(new ModelSpec { Kind = ModelKind.Cnn1d, Activation = Activation.Sigmoid, HiddenBias = true, OutputBias = true, KernelSize = 2 }, 4, 7, 9),
        "locally-connected" => Vector(new ModelSpec { Kind = ModelKind.LocallyConnected1d, Activation = Activation.Tanh, HiddenBias = true, KernelSize = 3 }, 5, 10, 2),
        "mf-d4" => Matrix(4, 8),
        "mf-d5" => Matrix(5, 13),
        "linear-l" => Linear(ModelKind.LinearL, 2, 3),
        "linear-nl" => Linear(ModelKind.LinearNL, 2, 3),
        "diagonal-squares" => Linear(ModelKind.DiagonalSquares, 6, 5),
        "diagonal-product" => Linear(ModelKind.DiagonalProduct, 3, 4, depth: 3),
        "deep-fc" => Vector(new ModelSpec { Kind = ModelKind.DeepFc, Activation = Activation.Tanh, HiddenBias = true, Depth = 3 }, 3, 10, 4),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// 2·lanes + 3 trials of one key with their own seeds, learning rates, init scales and stopping rules: some
    /// converge, some plateau, one diverges, the rest run out of steps, so lanes stop at different steps and refill.
    /// </summary>
    internal static List<TrialConfig> Mixed(TrialConfig baseConfig, int count)
    {
        var trials = new List<TrialConfig>();
        double[] lrs = [0.05, 0.2, 0.01, 0.1];
        for (int i = 0; i < count; i++)
        {
            var t = baseConfig.Training;
            double lr = lrs[i % lrs.Length];
            if (i % 5 == 1) t = t with { LossTolerance = 5e-2 };
            if (i % 5 == 2) t = t with { PlateauSteps = 7, PlateauTolerance = 0.05 };
            if (i % 5 == 3) t = t with { CurveEvery = 9 };
            if (i == 4) (lr, t) = (1e3, t with { DivergenceLoss = 1 });
            trials.Add(baseConfig with
            {
                Training = t,
                Hyper = baseConfig.Hyper with { Seed = 10 + i, LearningRate = lr, InitScale = 0.2 + 0.1 * (i % 3), WeightDecay = i % 4 == 0 ? 1e-3 : 0 },
            });
        }
        return trials;
    }

    private static TrialOutcome?[] RunBatch(IReadOnlyList<TrialConfig> trials)
    {
        var outcomes = new TrialOutcome?[trials.Count];
        Trainer.RunBatch(trials, (i, o) =>
        {
            Assert.Null(outcomes[i]);
            outcomes[i] = o;
        }, CancellationToken.None);
        return outcomes;
    }

    internal static void AssertSame(TrialOutcome expected, TrialOutcome? actual, string what)
    {
        Assert.NotNull(actual);
        Assert.True(expected.Status == actual!.Status, $"{what}: status {expected.Status} vs {actual.Status}");
        Assert.True(expected.Steps == actual.Steps, $"{what}: steps {expected.Steps} vs {actual.Steps}");
        // Bit for bit: double.Equals also equates two NaNs, which a diverged trial may report.
        Assert.True(expected.TrainLoss.Equals(actual.TrainLoss), $"{what}: train loss {expected.TrainLoss:R} vs {actual.TrainLoss:R}");
        Assert.True(expected.TestError.Equals(actual.TestError), $"{what}: test error {expected.TestError:R} vs {actual.TestError:R}");
        Assert.Equal(expected.TestErrorUnobserved, actual.TestErrorUnobserved);
        Assert.Equal(expected.ParamCount, actual.ParamCount);
        Assert.Equal(expected.ModelDescription, actual.ModelDescription);
        Assert.Equal(expected.Curve?.ToArray(), actual.Curve?.ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BatchedOutcomesEqualSingleTrialOutcomesBitForBit_Float64(string name) => AssertBatchMatches(Named(name));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BatchedOutcomesEqualSingleTrialOutcomesBitForBit_Float32(string name)
    {
        var c = Named(name);
        AssertBatchMatches(c with { Training = c.Training with { Precision = Precision.Float32 } });
    }

    private static void AssertBatchMatches(TrialConfig baseConfig)
    {
        int lanes = Trainer.LaneCount(baseConfig);
        var trials = Mixed(baseConfig, 2 * lanes + 3);
        var batched = RunBatch(trials);
        var single = trials.Select(t => Trainer.Run(t, CancellationToken.None)).ToArray();
        for (int i = 0; i < trials.Count; i++) AssertSame(single[i], batched[i], $"trial {i}");
        Assert.True(single.Select(o => o.Steps).Distinct().Count() >= 3, "the trials should stop at different steps");
        Assert.Contains(single, o => o.Status == OutcomeStatus.Diverged);
    }

    [Theory]
    [InlineData("quickstart")]
    [InlineData("two-layer-blocks")]
    [InlineData("cnn-n1")]
    [InlineData("mf-d4")]
    [InlineData("linear-nl")]
    [InlineData("deep-fc")]
    public void EveryLaneWidthGivesTheSameOutcomes(string name)
    {
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
        {
            var c = Named(name);
            var trials = Mixed(c with { Training = c.Training with { Precision = precision } }, 11);
            var widest4 = precision == Precision.Float64 ? Collect<double, Lanes512x4<double>>(trials) : Collect<float, Lanes512x4<float>>(trials);
            var widest = precision == Precision.Float64 ? Collect<double, Lanes512x2<double>>(trials) : Collect<float, Lanes512x2<float>>(trials);
            var wide = precision == Precision.Float64 ? Collect<double, Lanes512<double>>(trials) : Collect<float, Lanes512<float>>(trials);
            var narrow = precision == Precision.Float64 ? Collect<double, Lanes256<double>>(trials) : Collect<float, Lanes256<float>>(trials);
            var scalar = precision == Precision.Float64 ? Collect<double, Lane1<double>>(trials) : Collect<float, Lane1<float>>(trials);
            for (int i = 0; i < trials.Count; i++)
            {
                AssertSame(scalar[i]!, widest4[i], $"{precision} trial {i}, 4×512 vs scalar");
                AssertSame(scalar[i]!, widest[i], $"{precision} trial {i}, 2×512 vs scalar");
                AssertSame(scalar[i]!, wide[i], $"{precision} trial {i}, 512 vs scalar");
                AssertSame(scalar[i]!, narrow[i], $"{precision} trial {i}, 256 vs scalar");
            }
        }
    }

    private static TrialOutcome?[] Collect<T, TL>(IReadOnlyList<TrialConfig> trials)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : unmanaged, ILanes<TL, T>
    {
        var outcomes = new TrialOutcome?[trials.Count];
        new BatchEngine<T, TL>(trials).Run((i, o) => outcomes[i] = o, CancellationToken.None);
        return outcomes;
    }

    [Theory]
    [InlineData("quickstart")]
    [InlineData("cnn-n1")]
    [InlineData("mf-d4")]
    [InlineData("linear-nl")]
    [InlineData("deep-fc")]
    public void BatchStepsDoNotAllocate(string name)
    {
        var c = Named(name);
        var trials = Enumerable.Range(0, 2 * Trainer.LaneCount(c) + 1).Select(i => c with
        {
            Training = c.Training with { MaxSteps = 1000, Optimizer = i % 2 == 0 ? OptimizerKind.Gd : OptimizerKind.Gd },
            Hyper = c.Hyper with { Seed = i, LearningRate = 1e-3 },
        }).ToList();
        var engine = BatchEngines.Create(trials);
        engine.Fill();
        for (int i = 0; i < 20; i++) Assert.False(engine.Step(out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) engine.Step(out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void OptimizersMatchTheSingleTrialEngine(OptimizerKind kind)
    {
        foreach (var name in new[] { "quickstart", "mf-d4" })
        {
            var c = Named(name);
            c = c with { Training = c.Training with { Optimizer = kind, Momentum = kind == OptimizerKind.Sgd ? 0.9 : 0 } };
            var trials = Mixed(c, 13);
            var batched = RunBatch(trials);
            for (int i = 0; i < trials.Count; i++) AssertSame(Trainer.Run(trials[i], CancellationToken.None), batched[i], $"{kind} {name} trial {i}");
        }
    }

    [Fact]
    public void MiniBatchTrialsRunOneAfterAnother()
    {
        var c = Matrix(5, 13);
        c = c with { Training = c.Training with { Optimizer = OptimizerKind.Sgd, BatchSize = 4 } };
        Assert.False(BatchKey.For(c).Batchable);
        var trials = Mixed(c, 3);
        var batched = RunBatch(trials);
        for (int i = 0; i < trials.Count; i++) AssertSame(Trainer.Run(trials[i], CancellationToken.None), batched[i], $"trial {i}");
    }

    [Fact]
    public void TrialsOfDifferentKeysOrInvalidTrialsAreRejectedBeforeTraining()
    {
        var c = Named("quickstart");
        var reported = 0;
        var other = c with { Hyper = c.Hyper with { Width = 5 } };
        var e = Assert.Throws<ArgumentException>(() => Trainer.RunBatch([c, other], (_, _) => reported++, CancellationToken.None));
        Assert.Contains("trials[1]", e.Message);
        var bad = c with { Hyper = c.Hyper with { LearningRate = -1 } };
        e = Assert.Throws<ArgumentException>(() => Trainer.RunBatch([c, bad], (_, _) => reported++, CancellationToken.None));
        Assert.Contains("trials[1]: Hyper.LearningRate", e.Message);
        Assert.Equal(0, reported);
    }

    [Fact]
    public void CancellationKeepsTheTrialsAlreadyReported()
    {
        var c = Named("quickstart");
        var trials = Mixed(c with { Training = c.Training with { MaxSteps = 100_000 } }, 12);
        using var cts = new CancellationTokenSource();
        var reported = new List<(int Index, TrialOutcome Outcome)>();
        Assert.Throws<OperationCanceledException>(() => Trainer.RunBatch(trials, (i, o) =>
        {
            reported.Add((i, o));
            cts.Cancel();
        }, cts.Token));
        // The trials that stopped at the first stopping step are reported, whole; the cancellation takes effect
        // before the next step, so the long ones are lost.
        Assert.NotEmpty(reported);
        Assert.True(reported.Count < trials.Count);
        Assert.Single(reported.Select(r => r.Outcome.Steps).Distinct());
        foreach (var (i, o) in reported) AssertSame(Trainer.Run(trials[i], CancellationToken.None), o, $"trial {i}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LaneDotFollowsSimdDotBitForBit(bool single)
    {
        if (single) AssertDot<float>(); else AssertDot<double>();
    }

    private static void AssertDot<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(42);
        for (int n = 1; n <= 70; n++)
            foreach (int pad in new[] { 0, 1, 2, 3, 6, 7, 9, 15, 23 })
            {
                var x = new T[n + pad];
                var y = new T[n + pad];
                for (int i = 0; i < n; i++) { x[i] = T.CreateTruncating(rng.NextGaussian() * 1e3); y[i] = T.CreateTruncating(rng.NextGaussian()); }
                T expected = Simd.Dot<T>(x, y);
                var lx = x.Select(v => new Lane1<T>(v)).ToArray();
                var ly = y.Select(v => new Lane1<T>(v)).ToArray();
                T actual = LaneModel<T, Lane1<T>>.Dot(lx, ly, n, n + pad)[0];
                Assert.True(expected.Equals(actual), $"{typeof(T).Name} n={n} pad={pad}: {expected} vs {actual}");
            }
    }
}
