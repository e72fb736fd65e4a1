using BenchmarkDotNet.Running;
using SweepCluster.Benchmarks;

if (args.Contains("--training-json"))
{
    TrainingBenchJson.Print(quick: args.Contains("--quick"));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(TrainingBenchmarks).Assembly).Run(args);
