using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SweepCluster.GpuNode;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep bench [--json]`: microseconds per training step on the standard cases (docs/benchmarks.md).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print a JSON array of {case, precision, us_per_step, …}" };
        var quick = new Option<bool>("--quick") { Description = "time each case briefly (a smoke run, not a measurement)" };
        var command = new Command("bench", "time one training step of the standard cases") { json, quick };
        command.SetAction(p => Bench(p.GetValue(json), p.GetValue(quick)));
        return command;
    }

    private static int Bench(bool json, bool quick)
    {
        var cases = TrainingBench.Run(quick);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(cases.Select(c => new Dictionary<string, object>
            {
                ["case"] = c.Case, ["precision"] = c.Precision, ["us_per_step"] = c.UsPerStep,
                ["cpu_us_per_step"] = c.CpuUsPerStep, ["steps"] = c.Steps, ["param_count"] = c.ParamCount,
            }), new JsonSerializerOptions { WriteIndented = true }));
            return Cli.Ok;
        }
        Console.WriteLine($"{"case",-18} {"precision",-9} {"µs/step",12} {"params",9}");
        foreach (var c in cases)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Case,-18} {c.Precision,-9} {c.UsPerStep,12:F3} {c.ParamCount,9}"));
        return Cli.Ok;
    }
}
