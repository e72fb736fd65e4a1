using BenchmarkDotNet.Running;
using SweepCluster.Benchmarks;

if (args.Contains("--training-json"))
{
    TrainingBenchJson.Print(quick: args.Contains("--quick"));
    return;
}
if (args.Contains("--parquet-compare"))
{
    ParquetCompare.Print(rounds: 5);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(TrainingBenchmarks).Assembly).Run(args);
