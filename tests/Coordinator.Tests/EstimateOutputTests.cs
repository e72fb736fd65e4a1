using SweepCluster.Analysis;
using SweepCluster.Coordinator.Commands;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

/// <summary>`sweep report` on an adaptive run folder replays each group's search from the folder's copy of the sweep file.</summary>
public sealed class EstimateOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("estimate-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Two groups (width 2 and 4, width not tuned), n = 1..5, 3 inits × 2 seeds per probe.
    private static readonly string Adaptive = SweepFileParserTests.Valid + "\nestimate: { tune: [init_scale], search: adaptive }\n";

    private static ResultRecord Recorded(TrialSpec t, double error)
    {
        var h = t.Config.Hyper;
        var axes = new AxisValues(GridAxes.All, GridAxes.All.Select(a => a.Get(h)).ToList());
        return new ResultRecord(t.Id.Value, TrialStatus.Ok, t.Experiment, t.Group, "two-layer", "teacher", axes, 9, error, null, CanonicalJson.Of(t.Config));
    }

    [Fact]
    public void EachGroupsSearchIsReplayedFromTheSweepCopyAndTheRecordedRows()
    {
        var settings = SweepFileParser.Parse("s.yaml", Adaptive).Estimate;
        Assert.Null(EstimateOutput.Searches(_dir, [], settings)); // no copy of the sweep file: nothing to replay

        File.WriteAllText(Path.Combine(_dir, RunLayout.SweepCopy), Adaptive);
        var trials = TrialPlanner.Expand(SweepFileParser.Load(Path.Combine(_dir, RunLayout.SweepCopy)));
        var groups = trials.Select(t => t.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["t width=2", "t width=4"], groups);
        // Width 2's top probe is recorded and recovers; width 4's top is missing one trial.
        var rows = trials.Where(t => t.Config.Hyper.SampleSize == 5).Select(t => Recorded(t, 1e-9)).ToList();
        rows.RemoveAt(rows.FindLastIndex(r => r.Group == "t width=4"));

        var searches = EstimateOutput.Searches(_dir, rows, settings)!;
        Assert.Equal([5], searches["t width=2"].Probed);
        Assert.Equal([2], searches["t width=2"].Next); // bisection over 1..5 below a recovered 5
        Assert.Empty(searches["t width=4"].Probed);
        Assert.Equal([5], searches["t width=4"].Next);
    }

    [Fact]
    public void ABrokenSweepCopyIsBadInputNamingIt()
    {
        var copy = Path.Combine(_dir, RunLayout.SweepCopy);
        File.WriteAllText(copy, Adaptive.Replace("search: adaptive", "search: sometimes", StringComparison.Ordinal));
        var e = Assert.Throws<SweepFileException>(() => EstimateOutput.Searches(_dir, [], new AnalysisSettings(Search: SearchMode.Adaptive)));
        Assert.StartsWith(copy + ":", e.Message, StringComparison.Ordinal);
    }
}
