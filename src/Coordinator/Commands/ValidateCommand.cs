using System.CommandLine;
using System.Globalization;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep validate FILE`: checks a sweep file and prints its axes and trial count without running anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the sweep file (YAML)" };
        var command = new Command("validate", "check a sweep file and print its axes and trial count") { file };
        command.SetAction(p => Validate(p.GetValue(file)!, p.InvocationConfiguration.Output));
        return command;
    }

    private static int Validate(string path, TextWriter output)
    {
        var sweep = SweepFileParser.Load(path);
        var trials = TrialPlanner.Expand(sweep);
        output.WriteLine($"{path}: sweep '{sweep.Name}' is valid");
        foreach (var v in sweep.Variants)
        {
            output.WriteLine($"  variant {v.Name}: {v.Grid.TrialCount} trials");
            var g = v.Grid;
            PrintAxis(output, Axis.InitScale, g.InitScale);
            PrintAxis(output, Axis.Width, g.Width);
            PrintAxis(output, Axis.WeightDecay, g.WeightDecay);
            PrintAxis(output, Axis.LearningRate, g.LearningRate);
            PrintAxis(output, Axis.SampleSize, g.SampleSize);
            PrintAxis(output, Axis.Seed, g.Seed);
        }
        output.WriteLine($"  estimate: threshold {sweep.Estimate.Threshold.ToString("G3", CultureInfo.InvariantCulture)}, quorum {sweep.Estimate.Quorum.ToString(CultureInfo.InvariantCulture)}, tuned: {string.Join(", ", sweep.Estimate.Tune)}");
        output.WriteLine($"trials: {trials.Count}");
        return Cli.Ok;
    }

    private static void PrintAxis<T>(TextWriter output, string name, IReadOnlyList<T> values) where T : IFormattable
    {
        var shown = values.Count <= 8
            ? string.Join(", ", values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)))
            : $"{string.Join(", ", values.Take(3).Select(v => v.ToString(null, CultureInfo.InvariantCulture)))}, …, {values[^1].ToString(null, CultureInfo.InvariantCulture)}";
        output.WriteLine($"    {name,-14} {values.Count,5} value{(values.Count == 1 ? " " : "s")}  [{shown}]");
    }
}
