using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SweepCluster.Training;

/// <summary>
/// One timed case: microseconds per full training step (gradient + update) of one trial. UsPerStep is the fastest
/// group of steps by the wall clock; CpuUsPerStep is the process's mean CPU time per step over the whole run. A
/// batched case (name "batch-…") trains Trials trials per pass of the step loop and reports per trial-step: the
/// time of one pass divided by Trials, so its rate compares directly with the single-trial case of the same name.
/// </summary>
public sealed record BenchCase(string Case, string Precision, double UsPerStep, double CpuUsPerStep, long Steps, int ParamCount, int Trials = 1);

/// <summary>
/// The standard speed cases of issue 3, for <c>sweep bench</c>: two-layer tanh without biases on a 3-neuron
/// teacher, x ~ N(0, I_10), full-batch GD, (m, n) ∈ {(50, 50), (100, 200), (1000, 2000)}; matrix completion
/// d = 4, n = 8 and d = 32, n = 400; each in float32 and float64. Runs on the calling thread.
/// </summary>
public static class TrainingBench
{
    public static IReadOnlyList<string> CaseNames { get; } = ["tanh-m50-n50", "tanh-m100-n200", "tanh-m1000-n2000", "mc-d4-n8", "mc-d32-n400"];

    /// <summary>
    /// The tiny models of the papers, each timed alone and batched ("batch-" + name, one trial per SIMD lane):
    /// E1's f_NL on n = 3; the quickstart (two-layer tanh, width 4, d = 1, biases, n = 6); E5's CNN at N = 1
    /// (kernel 3, d = 5, bias, n = 20) and FC at N = 1 (width 3, d = 5, bias, n = 20); E2's 4×4 matrix
    /// factorization on 8 entries.
    /// </summary>
    public static IReadOnlyList<string> TinyCaseNames { get; } = ["e1-fnl-n3", "quickstart-m4-n6", "cnn-n1-n20", "fc-n1-n20", "mc-d4-n8"];

    private static readonly TargetSpec E5Teacher = new()
    {
        Kind = TargetKind.Teacher, Activation = Activation.Tanh,
        Neurons = [new TeacherNeuron(1, [0.6, 0.8, 1.0, 0, 0], 0), new TeacherNeuron(1, [0, 0.6, 0.8, 1.0, 0], 0), new TeacherNeuron(1, [0, 0, 0.6, 0.8, 1.0], 0)],
    };

    public static TrialConfig Config(string name, Precision precision)
    {
        var gd = new TrainingSpec { Optimizer = OptimizerKind.Gd, Precision = precision, MaxSteps = long.MaxValue };
        switch (name)
        {
            case "e1-fnl-n3":
                return new TrialConfig
                {
                    Model = new ModelSpec { Kind = ModelKind.LinearNL },
                    Target = new TargetSpec { Kind = TargetKind.Linear, Intercept = 1, Coefficients = [1, 0] },
                    Data = new DataSpec { InputDim = 2, Inputs = InputDistribution.Uniform, TestSize = 1000 },
                    Training = gd,
                    Hyper = new Hyperparameters { InitScale = 1e-4, LearningRate = 0.01, SampleSize = 3, Seed = 1 },
                };
            case "quickstart-m4-n6":
                return new TrialConfig
                {
                    Model = new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh, HiddenBias = true },
                    Target = new TargetSpec { Kind = TargetKind.Teacher, Activation = Activation.Tanh, Neurons = [new TeacherNeuron(1.2, [1.5], 0.5)] },
                    Data = new DataSpec { InputDim = 1, Inputs = InputDistribution.Gaussian, TestSize = 500 },
                    Training = gd,
                    Hyper = new Hyperparameters { InitScale = 1e-3, Width = 4, LearningRate = 0.1, SampleSize = 6, Seed = 1 },
                };
            case "cnn-n1-n20":
            case "fc-n1-n20":
                bool cnn = name.StartsWith("cnn", StringComparison.Ordinal);
                return new TrialConfig
                {
                    Model = new ModelSpec { Kind = cnn ? ModelKind.Cnn1d : ModelKind.TwoLayer, Activation = Activation.Tanh, HiddenBias = true, KernelSize = cnn ? 3 : 0 },
                    Target = E5Teacher,
                    Data = new DataSpec { InputDim = 5, Inputs = InputDistribution.Gaussian, TestSize = 1000 },
                    Training = gd,
                    Hyper = new Hyperparameters { InitScale = 1e-10, Width = cnn ? 1 : 3, LearningRate = 0.05, SampleSize = 20, Seed = 1 },
                };
        }
        var training = new TrainingSpec { Optimizer = OptimizerKind.Gd, Precision = precision, MaxSteps = long.MaxValue };
        if (name.StartsWith("tanh-m", StringComparison.Ordinal))
        {
            var parts = name["tanh-m".Length..].Split("-n");
            return new TrialConfig
            {
                Model = new ModelSpec { Kind = ModelKind.TwoLayer, Activation = Activation.Tanh },
                Target = new TargetSpec { Kind = TargetKind.RandomTeacher, Activation = Activation.Tanh, NeuronCount = 3, Seed = 1 },
                Data = new DataSpec { InputDim = 10, Inputs = InputDistribution.Gaussian, TestSize = 1000 },
                Training = training,
                Hyper = new Hyperparameters { InitScale = 0.01, Width = int.Parse(parts[0]), LearningRate = 0.01, SampleSize = int.Parse(parts[1]), Seed = 1 },
            };
        }
        if (name.StartsWith("mc-d", StringComparison.Ordinal))
        {
            var parts = name["mc-d".Length..].Split("-n");
            int d = int.Parse(parts[0]);
            return new TrialConfig
            {
                Model = new ModelSpec { Kind = ModelKind.MatrixFactorization },
                Target = new TargetSpec { Kind = TargetKind.RandomLowRank, Rank = Math.Max(1, d / 8), Seed = 1 },
                Data = new DataSpec { InputDim = d },
                Training = training,
                Hyper = new Hyperparameters { InitScale = 1e-4, LearningRate = 0.01, SampleSize = int.Parse(parts[1]), Seed = 1 },
            };
        }
        throw new ArgumentException($"unknown bench case '{name}'; known: {string.Join(", ", CaseNames.Concat(TinyCaseNames).Distinct())}");
    }

    /// <summary>
    /// Times every case in both precisions, the tiny ones alone and batched, each batched case right after its
    /// single-trial baseline; quick uses about 0.1 s per case instead of about 1 s. only restricts the case names
    /// (a batched case runs with its base name).
    /// </summary>
    public static IReadOnlyList<BenchCase> Run(bool quick, IReadOnlyCollection<string>? only = null)
    {
        var results = new List<BenchCase>();
        double seconds = quick ? 0.1 : 1.0;
        foreach (var name in CaseNames.Concat(TinyCaseNames).Distinct())
        {
            if (only is not null && !only.Contains(name)) continue;
            foreach (var precision in new[] { Precision.Float32, Precision.Float64 })
            {
                results.Add(Time(name, precision, seconds));
                if (TinyCaseNames.Contains(name)) results.Add(TimeBatched(name, precision, seconds));
            }
        }
        return results;
    }

    /// <summary>
    /// One batch of the case's trial in every lane (seeds 1, 2, …; Trainer.LaneCount trials), never stopping:
    /// the time per pass of the batched step loop (gradient, stopping checks, update) divided by the lanes.
    /// </summary>
    public static BenchCase TimeBatched(string name, Precision precision, double seconds)
    {
        var config = Config(name, precision);
        var trials = Enumerable.Range(1, Trainer.LaneCount(config))
            .Select(s => config with { Hyper = config.Hyper with { Seed = s } }).ToList();
        return TimeBatched(name, precision == Precision.Float32 ? "float32" : "float64", trials, seconds);
    }

    private static BenchCase TimeBatched(string name, string precision, List<TrialConfig> trials, double seconds)
    {
        var engine = BatchEngines.Create(trials);
        engine.Fill();
        var (best, cpu, total) = TimeSteps(() => { if (engine.Step(out _)) throw new InvalidOperationException($"bench case {name}: a trial stopped"); }, seconds);
        return new BenchCase("batch-" + name, precision, best / engine.Lanes, cpu / engine.Lanes, total * engine.Lanes, engine.ParamCount, engine.Lanes);
    }

    /// <summary>A delegate that runs one pass of the batched step loop of a tiny case (Trainer.LaneCount trials), for BenchmarkDotNet.</summary>
    public static Action CreateBatchedStep(string name, Precision precision)
    {
        var config = Config(name, precision);
        var engine = BatchEngines.Create(Enumerable.Range(1, Trainer.LaneCount(config))
            .Select(s => config with { Hyper = config.Hyper with { Seed = s } }).ToList());
        engine.Fill();
        return () => engine.Step(out _);
    }

    /// <summary>
    /// Warm up (JIT tiers of the runtime's own vector math, caches). Then time groups of steps lasting about
    /// 200 µs each and report the fastest group: on a shared, oversubscribed machine a long interval is mostly
    /// time spent descheduled, while a short one usually runs undisturbed. CPU time is kept as well.
    /// </summary>
    private static (double BestUs, double CpuUs, long Steps) TimeSteps(Action step, double seconds)
    {
        var sw = Stopwatch.StartNew();
        long steps = 0;
        while (sw.Elapsed.TotalSeconds < Math.Min(0.3, seconds) || steps < 3) { step(); steps++; }
        double estimate = sw.Elapsed.TotalMicroseconds / steps;
        long group = Math.Max(1, (long)(200 / estimate));
        double best = double.PositiveInfinity;
        long total = 0;
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        sw.Restart();
        while (sw.Elapsed.TotalSeconds < seconds || total < 5 * group)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (long i = 0; i < group; i++) step();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds / group);
            total += group;
        }
        process.Refresh();
        return (best, (process.TotalProcessorTime - cpu0).TotalMicroseconds / total, total);
    }

    /// <summary>A delegate that runs one training step of a case, for external harnesses (BenchmarkDotNet).</summary>
    public static Action CreateStep(string name, Precision precision)
    {
        var config = Config(name, precision);
        if (precision == Precision.Float32)
        {
            var e32 = new Engine<float>(config);
            return () => { e32.ComputeGradient(out _); e32.ApplyUpdate(); };
        }
        var e64 = new Engine<double>(config);
        return () => { e64.ComputeGradient(out _); e64.ApplyUpdate(); };
    }

    public static BenchCase Time(string name, Precision precision, double seconds)
    {
        var config = Config(name, precision);
        return precision == Precision.Float32
            ? Time(name, "float32", new Engine<float>(config), seconds)
            : Time(name, "float64", new Engine<double>(config), seconds);
    }

    private static BenchCase Time<T>(string name, string precision, Engine<T> engine, double seconds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (best, cpu, total) = TimeSteps(() => { engine.ComputeGradient(out _); engine.ApplyUpdate(); }, seconds);
        return new BenchCase(name, precision, best, cpu, total, engine.Model.ParamCount);
    }

    /// <summary>
    /// The single-thread float64 FMA rate this machine actually sustains, in GFLOP/s (an FMA counts as 2
    /// flops): twelve independent vector accumulators, enough to cover FMA latency on both FMA pipes, no
    /// memory traffic. The fastest of many short intervals, as for the cases.
    /// </summary>
    public static double MeasureFmaPeakGflops()
    {
        const int iterations = 20_000;
        double best = double.PositiveInfinity;
        var sw = Stopwatch.StartNew();
        double sink = 0;
        while (sw.Elapsed.TotalSeconds < 0.5)
        {
            long t0 = Stopwatch.GetTimestamp();
            sink += FmaLoop(iterations);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        GC.KeepAlive(sink);
        return 12.0 * Vector256<double>.Count * 2 * iterations / best / 1e9;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static double FmaLoop(int iterations)
    {
        var m = Vector256.Create(0.999999);
        var c = Vector256.Create(1e-7);
        Vector256<double> a0 = Vector256.Create(1.0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }
}
