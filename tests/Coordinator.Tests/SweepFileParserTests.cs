using SweepCluster.Analysis;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

public sealed class SweepFileParserTests
{
    internal const string Valid = """
        name: t
        experiment:
          model: { kind: two-layer, hidden_bias: true }
          target:
            kind: teacher
            neurons:
              - { a: 1.0, w: [0.5, -1.0], b: 0.1 }
          data: { input_dim: 2, test_size: 100 }
        training: { max_steps: 100, loss_tolerance: 1e-9 }
        grid:
          init_scale: { log: [1e-4, 1e-2], count: 3 }
          width: [2, 4]
          learning_rate: 0.1
          sample_size: { range: [1, 5] }
          seed: { range: [0, 1] }
        """;

    private static SweepFileException Error(string yaml) =>
        Assert.Throws<SweepFileException>(() => SweepFileParser.Parse("bad.yaml", yaml));

    private static string Replace(string from, string to)
    {
        Assert.Contains(from, Valid, StringComparison.Ordinal);
        return Valid.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsesAxesInAllForms()
    {
        var sweep = SweepFileParser.Parse("ok.yaml", Valid);
        var g = Assert.Single(sweep.Experiments).Grid;
        Assert.Equal([1e-4, 1e-3, 1e-2], g[GridAxes.InitScale]);
        Assert.Equal([2.0, 4], g[GridAxes.Width]);
        Assert.Equal([0.0], g[GridAxes.WeightDecay]);
        Assert.Equal([0.1], g[GridAxes.LearningRate]);
        Assert.Equal([1.0, 2, 3, 4, 5], g[GridAxes.SampleSize]);
        Assert.Equal([0.0, 1], g[GridAxes.Seed]);
        Assert.Equal(3 * 2 * 5 * 2, sweep.TrialCount);
        Assert.True(sweep.Experiments[0].Model.HiddenBias);
        Assert.Equal(1e-9, sweep.Training.LossTolerance);
    }

    [Theory]
    [InlineData("  data: { input_dim: 2, test_size: 100 }", "  data: { input_dim: 2, test_size: 100, colour: red }", 8, "unknown key 'colour' in data")]
    [InlineData("  width: [2, 4]", "  width: [2, -4]", 12, "width has the value -4")]
    [InlineData("  sample_size: { range: [1, 5] }", "  sample_size: [0, 1]", 14, "sample_size has the value 0")]
    [InlineData("  width: [2, 4]", "  width: []", 12, "width is empty")]
    [InlineData("  learning_rate: 0.1", "  learning_rate: fast", 13, "learning_rate must be a finite number, got 'fast'")]
    [InlineData("training: { max_steps: 100, loss_tolerance: 1e-9 }", "training: { max_steps: lots }", 9, "max_steps must be an integer, got 'lots'")]
    [InlineData("  model: { kind: two-layer, hidden_bias: true }", "  model: { kind: three-layer }", 3, "model.kind must be one of")]
    [InlineData("  model: { kind: two-layer, hidden_bias: true }", "  model: { kind: two-layer, hidden_bias: maybe }", 3, "hidden_bias must be true or false, got 'maybe'")]
    [InlineData("      - { a: 1.0, w: [0.5, -1.0], b: 0.1 }", "      - { a: 1.0, w: [0.5], b: 0.1 }", 7, "w has 1 entries but data.input_dim is 2")]
    [InlineData("  seed: { range: [0, 1] }", "  seed: { range: [0, 1], count: 3 }", 15, "count belongs to linspace or log")]
    [InlineData("  init_scale: { log: [1e-4, 1e-2], count: 3 }", "  init_scale: { log: [0, 1e-2], count: 3 }", 11, "must have positive ends")]
    [InlineData("  width: [2, 4]", "  width: [2, 2]", 12, "lists 2 more than once")]
    [InlineData("  width: [2, 4]", "  width: [2.5]", 12, "must hold integers")]
    [InlineData("name: t", "name: 'a/b'", 1, "name 'a/b' must be")]
    public void RejectsMistakesWithFileLineAndExpectation(string from, string to, int line, string message)
    {
        var e = Error(Replace(from, to));
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"bad.yaml:{line}:", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredAxisIsNamed()
    {
        var e = Error(Replace("  learning_rate: 0.1\n", ""));
        Assert.Contains("missing the required axis 'learning_rate'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSectionIsNamed()
    {
        var e = Error("name: t\ngrid: { init_scale: 1, learning_rate: 1, sample_size: 1 }\n");
        Assert.Contains("missing the required key 'experiment'", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void BrokenYamlNamesThePlace()
    {
        var e = Error("name: t\nexperiment: [unclosed\n");
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 2);
    }

    [Fact]
    public void UnreadableFileIsBadInput()
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFileParser.Load("/nonexistent/sweep.yaml"));
        Assert.StartsWith("/nonexistent/sweep.yaml:", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VariantsMergeOverTheExperimentAndOverrideAxes()
    {
        var yaml = Valid + """

            variants:
              - name: narrow
              - name: relu
                model: { activation: relu }
                grid: { width: [8] }
            """;
        var sweep = SweepFileParser.Parse("v.yaml", yaml);
        Assert.Equal(["narrow", "relu"], sweep.Experiments.Select(v => v.Name));
        Assert.Equal(Activation.Tanh, sweep.Experiments[0].Model.Activation);
        Assert.Equal(Activation.Relu, sweep.Experiments[1].Model.Activation);
        Assert.True(sweep.Experiments[1].Model.HiddenBias);
        Assert.Equal([8.0], sweep.Experiments[1].Grid[GridAxes.Width]);
        Assert.Equal([2.0, 4], sweep.Experiments[0].Grid[GridAxes.Width]);
    }

    [Fact]
    public void AMistakeInAMergedVariantSectionPointsAtTheVariant()
    {
        var yaml = Valid + "\nvariants:\n  - name: a\n    model: { activation: purple }\n";
        var e = Error(yaml);
        Assert.Contains("model.activation must be one of", e.Message, StringComparison.Ordinal);
        Assert.Equal(Valid.Split('\n').Length + 3, e.Line);
        var missing = Error(yaml.Replace("kind: two-layer, ", "", StringComparison.Ordinal).Replace("activation: purple", "activation: relu", StringComparison.Ordinal));
        Assert.Contains("model is missing the required key 'kind'", missing.Message, StringComparison.Ordinal);
        Assert.Equal(Valid.Split('\n').Length + 3, missing.Line);
    }

    [Fact]
    public void DuplicateVariantNamesAreRejected()
    {
        var e = Error(Valid + "\nvariants:\n  - name: a\n  - name: a\n");
        Assert.Contains("variant name 'a' is used twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVariantOfAnotherKindReplacesTheSectionInsteadOfInheritingIt()
    {
        // A teacher's neurons have 2 inputs; the random teacher asks for its own neuron count and must not see them.
        var yaml = Valid + """

            variants:
              - name: same-kind
                target: { activation: relu }
              - name: other-kind
                target: { kind: random-teacher, neuron_count: 3 }
            """;
        var sweep = SweepFileParser.Parse("v.yaml", yaml);
        var same = sweep.Experiments[0].Target;
        Assert.Equal((TargetKind.Teacher, Activation.Relu, 1), (same.Kind, same.Activation, same.Neurons!.Count));
        var other = sweep.Experiments[1].Target;
        Assert.Equal((TargetKind.RandomTeacher, 3), (other.Kind, other.NeuronCount));
        Assert.Null(other.Neurons);
    }

    [Theory]
    [InlineData("  data: { input_dim: 2, test_size: 100 }", "  data: { input_dim: {")]
    [InlineData("  seed: { range: [0, 1] }", "  seed: {")]
    [InlineData("  width: [2, 4]", "  width: [2, 4")]
    public void AnUnclosedBracketIsBadYamlWithAPlace(string from, string to)
    {
        var e = Error(Replace(from, to));
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 1, e.Message);
    }
}

public sealed class EstimateSearchTests
{
    private static string WithEstimate(string estimate) => SweepFileParserTests.Valid + "\n" + estimate + "\n";

    [Fact]
    public void SearchIsGridUnlessTheFileAsksForAdaptive()
    {
        Assert.Equal(SearchMode.Grid, SweepFileParser.Parse("ok.yaml", SweepFileParserTests.Valid).Estimate.Search);
        Assert.Equal(SearchMode.Grid, SweepFileParser.Parse("ok.yaml", WithEstimate("estimate: { search: grid }")).Estimate.Search);
        var adaptive = SweepFileParser.Parse("ok.yaml", WithEstimate("estimate: { quorum: 0.6, search: adaptive }")).Estimate;
        Assert.Equal(SearchMode.Adaptive, adaptive.Search);
        Assert.Equal(0.6, adaptive.Quorum);
    }

    [Theory]
    [InlineData("estimate: { search: bisect }", "bisect", "estimate.search must be 'grid' or 'adaptive', got 'bisect'")]
    [InlineData("estimate: { search: Adaptive }", "Adaptive", "got 'Adaptive'")]
    [InlineData("estimate:\n  quorum: 0.5\n  search: [adaptive]", "[adaptive]", "estimate.search")]
    public void AnUnknownSearchIsRejectedWithItsPlace(string estimate, string value, string message)
    {
        var text = WithEstimate(estimate);
        var e = Assert.Throws<SweepFileException>(() => SweepFileParser.Parse("bad.yaml", text));
        var lines = text.Split('\n').ToList();
        var line = lines.FindIndex(l => l.Contains("search:", StringComparison.Ordinal));
        var column = lines[line].IndexOf(value, StringComparison.Ordinal) + 1;
        Assert.StartsWith($"bad.yaml:{line + 1}:{column}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}

public sealed class ValidateAdaptiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("validate-adaptive-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> Validate(string text)
    {
        var path = Path.Combine(_dir, "s.yaml");
        await File.WriteAllTextAsync(path, text);
        var root = new System.CommandLine.RootCommand("sweep") { SweepCluster.Coordinator.Commands.ValidateCommand.Create() };
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(SweepCluster.Hosting.Cli.Ok, await SweepCluster.Hosting.Cli.InvokeAsync(root, ["validate", path], output, error));
        Assert.Equal("", error.ToString());
        return output.ToString();
    }

    [Fact]
    public async Task AnAdaptiveSweepStatesTheFullGridAndWhatItsSearchProbes()
    {
        // 3 inits × 2 widths tuned by default, n = 1..5, 2 seeds: one group, 12 trials per probe, 60 in all.
        var grid = await Validate(SweepFileParserTests.Valid);
        Assert.Contains("search: grid", grid, StringComparison.Ordinal);
        Assert.DoesNotContain("adaptive search", grid, StringComparison.Ordinal);
        Assert.EndsWith("trials: 60\n", grid.ReplaceLineEndings("\n"), StringComparison.Ordinal);

        var adaptive = (await Validate(SweepFileParserTests.Valid + "\nestimate: { search: adaptive }\n")).ReplaceLineEndings("\n");
        Assert.Contains("search: adaptive", adaptive, StringComparison.Ordinal);
        // Over five sizes: the top, a bisection of at most 3 and the check above; never more than the five there are.
        var (most, mean) = SweepCluster.Analysis.GroupSearch.ProbesWhenMonotone([1, 2, 3, 4, 5]);
        Assert.Equal(5, most);
        Assert.Contains($"1 group of 5 sample sizes × 12 trials: at most 5 sample sizes (60 trials), {mean.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} on average, of 60 trials per group", adaptive, StringComparison.Ordinal);
        Assert.EndsWith("trials: 60 in the full grid\n", adaptive, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheShippedE5SweepWithAdaptiveSearchProbesAboutATenthOfItsGrid()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(SweepFileMutationTests.SweepsFolder(), "e5-fc-cnn.yaml"));
        Assert.Contains("  quorum: 0.5\n", text, StringComparison.Ordinal);
        var output = (await Validate(text.Replace("  quorum: 0.5\n", "  quorum: 0.5\n  search: adaptive\n", StringComparison.Ordinal))).ReplaceLineEndings("\n");
        // 15 groups (3 models × 5 widths), 63 sample sizes, 4 learning rates × 5 seeds per probe: at most 1 + 6 + 2 probes.
        Assert.Contains("15 groups of 63 sample sizes × 20 trials: at most 9 sample sizes (180 trials)", output, StringComparison.Ordinal);
        Assert.Contains("whole sweep: at most 2700 trials", output, StringComparison.Ordinal);
        Assert.EndsWith("trials: 18900 in the full grid\n", output, StringComparison.Ordinal);
    }
}
