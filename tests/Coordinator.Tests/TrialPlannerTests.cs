using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

public sealed class TrialPlannerTests
{
    [Fact]
    public void ExpandsEveryCombinationOnceInAFixedOrder()
    {
        var sweep = SweepFileParser.Parse("ok.yaml", SweepFileParserTests.Valid);
        var trials = TrialPlanner.Expand(sweep);
        Assert.Equal(sweep.TrialCount, trials.Count);
        Assert.Equal(trials.Count, trials.Select(t => t.Id).Distinct().Count());
        Assert.Equal(trials.Select(t => t.Id), TrialPlanner.Expand(SweepFileParser.Parse("ok.yaml", SweepFileParserTests.Valid)).Select(t => t.Id));
        // Seed varies fastest, then sample size.
        Assert.Equal(0, trials[0].Config.Hyper.Seed);
        Assert.Equal(1, trials[1].Config.Hyper.Seed);
        Assert.Equal(2, trials[2].Config.Hyper.SampleSize);
    }

    [Fact]
    public void IdsDependOnContentNotOnPositionOrSweepName()
    {
        var a = TrialPlanner.Expand(SweepFileParser.Parse("a.yaml", SweepFileParserTests.Valid));
        // Extending an axis and renaming the sweep keeps the ids of the trials both grids share.
        var extended = SweepFileParserTests.Valid.Replace("width: [2, 4]", "width: [1, 2, 4]", StringComparison.Ordinal).Replace("name: t", "name: other", StringComparison.Ordinal);
        var b = TrialPlanner.Expand(SweepFileParser.Parse("b.yaml", extended));
        Assert.Equal(a.Count * 3 / 2, b.Count);
        Assert.Subset(b.Select(t => t.Id).ToHashSet(), a.Select(t => t.Id).ToHashSet());
        // The same trial written as a list value or produced by a range has one id.
        var listed = SweepFileParserTests.Valid.Replace("{ log: [1e-4, 1e-2], count: 3 }", "[0.0001, 0.001, 0.01]", StringComparison.Ordinal);
        Assert.Equal(a.Select(t => t.Id), TrialPlanner.Expand(SweepFileParser.Parse("c.yaml", listed)).Select(t => t.Id));
    }

    [Fact]
    public void AnIdChangesWhenAnythingThatDeterminesTheResultChanges()
    {
        var baseline = TrialPlanner.Expand(SweepFileParser.Parse("a.yaml", SweepFileParserTests.Valid))[0];
        foreach (var (from, to) in new[]
        {
            ("max_steps: 100", "max_steps: 101"),
            ("b: 0.1", "b: 0.2"),
            ("test_size: 100", "test_size: 101"),
            ("hidden_bias: true", "hidden_bias: false"),
        })
        {
            var changed = TrialPlanner.Expand(SweepFileParser.Parse("b.yaml", SweepFileParserTests.Valid.Replace(from, to, StringComparison.Ordinal)))[0];
            Assert.NotEqual(baseline.Id, changed.Id);
        }
    }

    [Fact]
    public void IdIsAStableHashOfTheCanonicalConfig()
    {
        var trial = TrialPlanner.Expand(SweepFileParser.Parse("a.yaml", SweepFileParserTests.Valid))[0];
        Assert.Matches("^[0-9a-f]{32}$", trial.Id.Value);
        Assert.Equal(trial.Id, TrialId.For(trial.Config with { }));
        Assert.Contains("\"hidden_bias\":true", CanonicalJson.Of(trial.Config), StringComparison.Ordinal);
    }

    [Fact]
    public void GroupsLeaveOutTunedAxesSampleSizeAndSeed()
    {
        var trials = TrialPlanner.Expand(SweepFileParser.Parse("a.yaml", SweepFileParserTests.Valid));
        Assert.Equal(["t"], trials.Select(t => t.Group).Distinct());
        var perWidth = TrialPlanner.Expand(SweepFileParser.Parse("b.yaml", SweepFileParserTests.Valid + "\nestimate: { tune: [init_scale, learning_rate] }\n"));
        Assert.Equal(["t width=2", "t width=4"], perWidth.Select(t => t.Group).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheProductOverTheAxisTableBuildsTheSameConfigsAsNestedLoops()
    {
        // The six axes written out by hand: the table must set each value on its own field, or every id changes.
        var sweep = SweepFileParser.Parse("a.yaml", SweepFileParserTests.Valid + "\n  weight_decay: [0, 1e-4]\n");
        var e = Assert.Single(sweep.Experiments);
        var expected = new List<TrialId>();
        foreach (var init in new[] { 1e-4, 1e-3, 1e-2 })
        foreach (var width in new[] { 2, 4 })
        foreach (var wd in new[] { 0, 1e-4 })
        foreach (var n in new[] { 1, 2, 3, 4, 5 })
        foreach (var seed in new[] { 0, 1 })
            expected.Add(TrialId.For(new TrialConfig
            {
                Model = e.Model, Target = e.Target, Data = e.Data, Training = sweep.Training,
                Hyper = new Hyperparameters { InitScale = init, Width = width, WeightDecay = wd, LearningRate = 0.1, SampleSize = n, Seed = seed },
            }));
        Assert.Equal(expected, TrialPlanner.Expand(sweep).Select(t => t.Id));
    }

    [Fact]
    public void GroupKeysNameEachUntunedAxisWithItsValue()
    {
        var sweep = SweepFileParser.Parse("a.yaml", SweepFileParserTests.Valid.Replace("learning_rate: 0.1", "learning_rate: [1e-3, 0.1]", StringComparison.Ordinal)
            + "\nestimate: { tune: [init_scale] }\n");
        Assert.Equal(["t width=2 learning_rate=0.001", "t width=2 learning_rate=0.1", "t width=4 learning_rate=0.001", "t width=4 learning_rate=0.1"],
            TrialPlanner.Expand(sweep).Select(t => t.Group).Distinct().Order(StringComparer.Ordinal));
    }
}

public sealed class TrialGridTests
{
    // Two variants whose grids share width 4: those trials are the same trials (the name is not in the id).
    private static readonly string Overlapping = SweepFileParserTests.Valid + """

        variants:
          - name: a
          - name: b
            grid: { width: [4, 8] }
        """;

    [Fact]
    public void Each_position_builds_the_spec_whose_id_was_planned()
    {
        var grid = TrialPlanner.Plan(SweepFileParser.Parse("v.yaml", Overlapping));
        Assert.Equal(120, grid.Positions);
        for (var p = 0; p < grid.Positions; p++)
        {
            var spec = grid.At(p);
            Assert.Equal(TrialId.For(spec.Config), spec.Id);
            Assert.Equal(grid.KeyAt(p), TrialKey.Of(spec.Id));
            Assert.True(grid.Contains(spec.Id));
        }
        // Built again, a spec is the same record: nothing depends on when it is built.
        Assert.Equal(grid.At(7), grid.At(7));
        Assert.Equal(grid.Trials().Select(t => t.Id), TrialPlanner.Expand(SweepFileParser.Parse("v.yaml", Overlapping)).Select(t => t.Id));
    }

    [Fact]
    public void Two_experiments_that_describe_the_same_trial_run_it_once_under_the_first()
    {
        var grid = TrialPlanner.Plan(SweepFileParser.Parse("v.yaml", Overlapping));
        var trials = grid.Trials().ToList();
        // a: widths 2, 4; b: 4 (a repeat of a's) and 8. 30 trials per width.
        Assert.Equal(90, grid.Count);
        Assert.Equal(90, trials.Count);
        Assert.Equal(90, trials.Select(t => t.Id).Distinct().Count());
        Assert.True(grid.Keys.ToHashSet().SetEquals(trials.Select(t => TrialKey.Of(t.Id))));
        Assert.All(trials.Where(t => t.Config.Hyper.Width == 4), t => Assert.Equal("a", t.Experiment));
        Assert.Equal(30, Enumerable.Range(0, grid.Positions).Count(grid.IsRepeat));
        Assert.All(Enumerable.Range(0, grid.Positions).Where(grid.IsRepeat), p => Assert.Equal(("b", 4), (grid.At(p).Experiment, grid.At(p).Config.Hyper.Width)));
    }

    [Fact]
    public void A_result_id_is_the_grids_only_when_spelled_as_the_grid_spells_it()
    {
        var grid = TrialPlanner.Plan(SweepFileParser.Parse("ok.yaml", SweepFileParserTests.Valid));
        var id = grid.At(0).Id;
        Assert.True(grid.Contains(id));
        Assert.False(grid.Contains(new TrialId(id.Value.ToUpperInvariant())));
        Assert.False(grid.Contains(new TrialId(id.Value[..31])));
        Assert.False(grid.Contains(new TrialId("t1")));
        // A trial of another grid (one more seed) is not this one's.
        var more = TrialPlanner.Plan(SweepFileParser.Parse("ok.yaml", SweepFileParserTests.Valid.Replace("range: [0, 1]", "range: [0, 2]", StringComparison.Ordinal)));
        Assert.Equal(30, more.Keys.Count(k => !grid.Contains(k)));
    }

    [Fact]
    public void A_trial_key_is_the_ids_text_as_a_number_and_back()
    {
        var config = TrialPlanner.Expand(SweepFileParser.Parse("ok.yaml", SweepFileParserTests.Valid))[5].Config;
        // The id's text is what it always was: the first 16 bytes of SHA-256 over the canonical JSON, lower-case hex.
        var text = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CanonicalJson.Of(config))).AsSpan(0, 16));
        Assert.Equal(text, TrialId.For(config).Value);
        Assert.Equal(text, TrialKey.For(config).Id.Value);
        Assert.Equal(TrialKey.For(config), TrialKey.Of(new TrialId(text)));
        Assert.Equal(new TrialKey(0x0123456789abcdefUL, 0xfedcba9876543210UL), TrialKey.Of(new TrialId("0123456789abcdeffedcba9876543210")));
        Assert.Equal("00000000000000010000000000000002", new TrialKey(1, 2).Id.Value);
        foreach (var bad in new[] { text.ToUpperInvariant(), text[..31], text + "0", "g" + text[1..], "", "t1" })
            Assert.False(TrialKey.TryParse(new TrialId(bad), out _), bad);
        Assert.Throws<FormatException>(() => TrialKey.Of(new TrialId("t1")));
    }
}
