using SweepCluster.Analysis;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

/// <summary>A sweep of the user's own program: the `program` key, free axis names, the ids, and what is refused.</summary>
public sealed class ProgramSweepTests : IDisposable
{
    private const string Valid = """
        name: my-mlp
        experiment:
          program:
            command: [python3, train.py, --epochs, "50"]
            env: { OMP_NUM_THREADS: "1" }
        grid:
          width: [64, 256]
          depth: [1, 2, 3]
          learning_rate: { log: [1.0e-4, 1.0e-1], count: 4 }
          sample_size: { range: [16, 64], step: 16 }
          seed: { range: [0, 1] }
        estimate: { threshold: 1.0e-3, tune: [width, depth, learning_rate] }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("program-sweep-").FullName;

    public ProgramSweepTests() => File.WriteAllText(Path.Combine(_folder, "train.py"), "print('train')\n");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SweepFile Parse(string yaml) => SweepFileParser.Parse(Path.Combine(_folder, "sweep.yaml"), yaml);

    private SweepFileException Error(string yaml) => Assert.Throws<SweepFileException>(() => Parse(yaml));

    private static string Replace(string from, string to)
    {
        Assert.Contains(from, Valid, StringComparison.Ordinal);
        return Valid.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void The_issue_example_parses_with_its_own_axes_then_sample_size_and_seed()
    {
        var sweep = Parse(Valid);

        Assert.True(sweep.IsProgram);
        Assert.Equal(["width", "depth", "learning_rate", "sample_size", "seed"], sweep.Estimate.Axes.Select(a => a.Name));
        Assert.Equal([AxisNumber.Integer, AxisNumber.Integer, AxisNumber.Real], sweep.Estimate.ProgramAxes!.Select(a => a.Number));
        Assert.Equal(["width", "depth", "learning_rate"], sweep.Estimate.Tune);
        var program = Assert.Single(sweep.Experiments).Program!;
        Assert.Equal(["python3", "train.py", "--epochs", "50"], program.Command);
        Assert.Equal(["OMP_NUM_THREADS=1"], program.Env!);
        Assert.Equal("train.py", program.ProgramFile);
        Assert.Equal(2 * 3 * 4 * 4 * 2, sweep.TrialCount);
    }

    [Fact]
    public void Trials_carry_their_axes_by_name_their_program_and_where_they_run()
    {
        var sweep = Parse(Valid);
        var run = Path.Combine(_folder, "runs", "my-mlp");
        var trials = TrialPlanner.Expand(sweep, run);

        Assert.Equal(sweep.TrialCount, trials.Count);
        Assert.Equal(trials.Count, trials.Select(t => t.Id).Distinct().Count());
        var first = trials[0];
        Assert.Equal(new Dictionary<string, double> { ["depth"] = 1, ["learning_rate"] = 1e-4, ["width"] = 64 }, first.Config.Hyper.Extra!);
        Assert.Equal((16, 0), (first.Config.Hyper.SampleSize, first.Config.Hyper.Seed));
        Assert.Equal(_folder, first.ProgramDirectory);
        Assert.Equal(run, first.RunDirectory);
        Assert.Same(sweep.Experiments[0].Program, first.Config.Program);
        // The group of a program sweep is what the estimate does not tune: here nothing but the experiment.
        Assert.Equal("my-mlp", first.Group);
        Assert.All(trials, t => Assert.Throws<ArgumentException>(() => Trainer.Run(t.Config, CancellationToken.None)));
    }

    [Fact]
    public void Ids_do_not_depend_on_the_order_axes_are_listed_in_but_on_the_command_env_and_values()
    {
        var ids = TrialPlanner.Expand(Parse(Valid)).Select(t => t.Id).ToHashSet();
        var reordered = Replace("  width: [64, 256]\n  depth: [1, 2, 3]\n", "  depth: [1, 2, 3]\n  width: [64, 256]\n");
        Assert.True(ids.SetEquals(TrialPlanner.Expand(Parse(reordered)).Select(t => t.Id)));

        Assert.False(ids.Overlaps(TrialPlanner.Expand(Parse(Replace("\"50\"", "\"60\""))).Select(t => t.Id)));
        Assert.False(ids.Overlaps(TrialPlanner.Expand(Parse(Replace("OMP_NUM_THREADS: \"1\"", "OMP_NUM_THREADS: \"2\""))).Select(t => t.Id)));
        var moreDepth = TrialPlanner.Expand(Parse(Replace("depth: [1, 2, 3]", "depth: [1, 2, 3, 4]"))).Select(t => t.Id).ToHashSet();
        Assert.True(ids.IsSubsetOf(moreDepth));
    }

    [Fact]
    public void An_axis_with_a_fraction_anywhere_is_real_and_untuned_axes_split_groups()
    {
        var sweep = Parse(Replace("depth: [1, 2, 3]", "depth: [1, 2.5]").Replace("tune: [width, depth, learning_rate]", "tune: [width, learning_rate]"));
        Assert.Equal(AxisNumber.Real, sweep.Estimate.ProgramAxes!.Single(a => a.Name == "depth").Number);
        Assert.Equal(["my-mlp depth=1", "my-mlp depth=2.5"], TrialPlanner.Expand(sweep).Select(t => t.Group).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Variants_change_the_program_and_the_values_of_the_sweeps_axes()
    {
        var sweep = Parse(Valid.Replace("estimate:", """
            variants:
              - name: one-thread
              - name: four-threads
                program: { env: { OMP_NUM_THREADS: "4" } }
                grid: { depth: [4] }
            estimate:
            """));
        Assert.Equal(["OMP_NUM_THREADS=1"], sweep.Experiments[0].Program!.Env!);
        Assert.Equal(["OMP_NUM_THREADS=4"], sweep.Experiments[1].Program!.Env!);
        Assert.Equal(["python3", "train.py", "--epochs", "50"], sweep.Experiments[1].Program!.Command);
        Assert.Equal([4.0], sweep.Experiments[1].Grid[sweep.Estimate.Axes.Single(a => a.Name == "depth")]);
    }

    [Theory]
    [InlineData("  depth: [1, 2, 3]\n", "  status: [1, 2, 3]\n", "grid.status: a program's axis needs a name", 8)]
    [InlineData("  depth: [1, 2, 3]\n", "  2depth: [1, 2, 3]\n", "grid.2depth", 8)]
    [InlineData("  depth: [1, 2, 3]\n", "  depth: [1, x, 3]\n", "grid.depth[1] must be a finite number, got 'x'", 8)]
    [InlineData("    env: { OMP_NUM_THREADS: \"1\" }\n", "    env: { SWEEP_RESULT: /tmp/x }\n", "sets SWEEP_RESULT, which the node sets", 5)]
    [InlineData("    command: [python3, train.py, --epochs, \"50\"]\n", "    command: []\n", "experiment.program.command is empty", 4)]
    [InlineData("    command: [python3, train.py, --epochs, \"50\"]\n", "    command: python3 train.py\n", "experiment.program.command must be a list", 4)]
    [InlineData("    command: [python3, train.py, --epochs, \"50\"]\n", "    cmd: [python3]\n", "unknown key 'cmd' in experiment.program", 4)]
    [InlineData("tune: [width, depth, learning_rate]", "tune: [width, init_scale]", "estimate.tune[1] is 'init_scale'; only these axes can be tuned: width, depth, learning_rate", 12)]
    public void Bad_program_sweeps_name_the_line_the_value_and_what_was_expected(string from, string to, string message, int line)
    {
        var e = Error(Replace(from, to));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void A_program_beside_a_model_or_a_training_section_is_refused()
    {
        var withModel = Error(Replace("  program:\n", "  model: { kind: two-layer }\n  program:\n"));
        Assert.Contains("has both program and model", withModel.Message, StringComparison.Ordinal);

        var withTraining = Error(Valid.Replace("grid:", "training: { max_steps: 10 }\ngrid:"));
        Assert.Contains("training configures the built-in engine", withTraining.Message, StringComparison.Ordinal);

        var variantAxis = Error(Valid.Replace("estimate:", "variants:\n  - name: v\n    grid: { dropout: [0.1] }\nestimate:"));
        Assert.Contains("unknown key 'dropout' in variants[0].grid", variantAxis.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analysis_settings_keep_the_program_axes_through_the_run_folder()
    {
        var sweep = Parse(Valid);
        var run = Path.Combine(_folder, "run");
        sweep.Estimate.Save(run);

        var loaded = AnalysisSettings.Load(run);

        Assert.Equal(sweep.Estimate, loaded);
        Assert.Equal(sweep.Estimate.Axes, loaded.Axes);
        Assert.Contains("\"program_axes\"", File.ReadAllText(Path.Combine(run, AnalysisSettings.FileName)), StringComparison.Ordinal);
    }
}
