using System.CommandLine;
using System.Globalization;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;
using SweepCluster.Training;

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
        foreach (var e in sweep.Experiments)
        {
            output.WriteLine($"  variant {e.Name}: {e.Grid.TrialCount} trials");
            foreach (var axis in GridAxes.All)
                PrintAxis(output, axis, e.Grid[axis]);
        }
        output.WriteLine($"  estimate: threshold {sweep.Estimate.Threshold.ToString("G3", CultureInfo.InvariantCulture)}, quorum {sweep.Estimate.Quorum.ToString(CultureInfo.InvariantCulture)}, tuned: {string.Join(", ", sweep.Estimate.Tune)}");
        output.WriteLine($"trials: {trials.Count}");
        return Cli.Ok;
    }

    private static void PrintAxis(TextWriter output, GridAxis axis, IReadOnlyList<double> values)
    {
        var shown = values.Count <= 8
            ? string.Join(", ", values.Select(axis.Format))
            : $"{string.Join(", ", values.Take(3).Select(axis.Format))}, …, {axis.Format(values[^1])}";
        output.WriteLine($"    {axis.Name,-14} {values.Count,5} value{(values.Count == 1 ? " " : "s")}  [{shown}]");
    }
}
