using System.CommandLine;
using System.Globalization;
using SweepCluster.Analysis;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;
using SweepCluster.Protocol;
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
        var grid = TrialPlanner.Plan(sweep);
        output.WriteLine($"{path}: sweep '{sweep.Name}' is valid");
        foreach (var e in sweep.Experiments)
        {
            output.WriteLine($"  variant {e.Name}: {e.Grid.TrialCount} trials");
            if (e.Program is { } program)
                output.WriteLine($"    program        {string.Join(' ', program.Command)}" +
                    (program.ProgramFile is null ? " (no program file found to hash: only the command enters the trial ids)" : $" ({program.ProgramFile} sha256 {program.ProgramSha256![..12]}…)"));
            foreach (var axis in e.Grid.Axes)
                PrintAxis(output, axis, e.Grid[axis]);
        }
        output.WriteLine($"  estimate: threshold {sweep.Estimate.Threshold.ToString("G3", CultureInfo.InvariantCulture)}, quorum {sweep.Estimate.Quorum.ToString(CultureInfo.InvariantCulture)}, tuned: {string.Join(", ", sweep.Estimate.Tune)}, search: {(sweep.Estimate.Search == SearchMode.Adaptive ? "adaptive" : "grid")}");
        if (sweep.Estimate.Search == SearchMode.Adaptive)
            PrintAdaptive(output, grid);
        output.WriteLine(sweep.Estimate.Search == SearchMode.Adaptive ? $"trials: {grid.Count} in the full grid" : $"trials: {grid.Count}");
        return Cli.Ok;
    }

    /// <summary>
    /// What an adaptive search costs: per group the sample sizes it probes when recovery is monotone in n (the most
    /// and the mean over where the boundary lies), each probe being every tuned setting × seed at that n.
    /// </summary>
    private static void PrintAdaptive(TextWriter output, TrialGrid grid)
    {
        output.WriteLine("  adaptive search: per group, probes sample sizes (every tuned setting × seed at each) instead of the whole grid;");
        long most = 0;
        double typical = 0;
        // Per group its sample sizes and trial count, from one walk that keeps no spec.
        var perGroup = new Dictionary<string, (HashSet<int> Sizes, int Trials)>(StringComparer.Ordinal);
        foreach (var t in grid.Trials())
        {
            if (!perGroup.TryGetValue(t.Group, out var g)) g = ([], 0);
            g.Sizes.Add(t.Config.Hyper.SampleSize);
            perGroup[t.Group] = (g.Sizes, g.Trials + 1);
        }
        // Groups with the same sample sizes and probe size cost the same: say it once for them.
        var groups = perGroup.Values
            .Select(g => (Sizes: g.Sizes.Order().ToList(), g.Trials))
            .GroupBy(g => (Key: string.Join(",", g.Sizes), g.Trials));
        foreach (var kind in groups)
        {
            var (sizes, count) = kind.First();
            var perProbe = count / sizes.Count;
            var (probes, mean) = GroupSearch.ProbesWhenMonotone(sizes);
            var groupCount = kind.Count();
            most += (long)groupCount * probes * perProbe;
            typical += groupCount * mean * perProbe;
            output.WriteLine(Inv($"    {groupCount} group{(groupCount == 1 ? "" : "s")} of {sizes.Count} sample sizes × {perProbe} trials: at most {probes} sample sizes ({probes * perProbe} trials), {mean:0.#} on average, of {count} trials per group when recovery is monotone in n"));
        }
        output.WriteLine(Inv($"    whole sweep: at most {most} trials, about {typical:0} on average, of {grid.Count}; more (up to all) where recovery falls again as n grows"));
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static void PrintAxis(TextWriter output, GridAxis axis, IReadOnlyList<double> values)
    {
        var shown = values.Count <= 8
            ? string.Join(", ", values.Select(axis.Format))
            : $"{string.Join(", ", values.Take(3).Select(axis.Format))}, …, {axis.Format(values[^1])}";
        output.WriteLine($"    {axis.Name,-14} {values.Count,5} value{(values.Count == 1 ? " " : "s")}  [{shown}]");
    }
}
