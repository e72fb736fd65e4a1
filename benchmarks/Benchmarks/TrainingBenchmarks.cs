using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SweepCluster.Training;

namespace SweepCluster.Benchmarks;

/// <summary>One training step of each standard case (issue 3) under BenchmarkDotNet.</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private Action _step = () => { };

    public static IEnumerable<string> Cases => TrainingBench.CaseNames;

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [Params(Precision.Float32, Precision.Float64)]
    public Precision Precision { get; set; }

    [GlobalSetup]
    public void Setup() => _step = TrainingBench.CreateStep(Case, Precision);

    [Benchmark]
    public void Step() => _step();
}

/// <summary>
/// One pass of the batched step loop of each tiny case (TrainingBench.TinyCaseNames): Trainer.LaneCount trials
/// advance one step each, so divide the time by that count (16 float64, 32 float32 with AVX-512) per trial-step.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class BatchedTrainingBenchmarks
{
    private Action _step = () => { };

    public static IEnumerable<string> Cases => TrainingBench.TinyCaseNames;

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [Params(Precision.Float32, Precision.Float64)]
    public Precision Precision { get; set; }

    [GlobalSetup]
    public void Setup() => _step = TrainingBench.CreateBatchedStep(Case, Precision);

    [Benchmark]
    public void BatchStep() => _step();
}

/// <summary>`--training-json [--quick]`: TrainingBench's own timing as JSON, the format of `sweep bench --json`.</summary>
internal static class TrainingBenchJson
{
    public static void Print(bool quick)
    {
        var rows = TrainingBench.Run(quick).Select(r => new
        {
            @case = r.Case, precision = r.Precision, us_per_step = r.UsPerStep, cpu_us_per_step = r.CpuUsPerStep, steps = r.Steps, trials = r.Trials,
        });
        Console.WriteLine(JsonSerializer.Serialize(new { fma_peak_gflops = TrainingBench.MeasureFmaPeakGflops(), results = rows },
            new JsonSerializerOptions { WriteIndented = true }));
    }
}
