using SweepCluster.Parquet;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Analysis.Tests;

/// <summary>
/// Results of a user's program: its own axes as columns, its metrics as JSON, the GPU that ran it; read back, estimated
/// and reported like the engine's.
/// </summary>
public sealed class ProgramResultsTests : IDisposable
{
    private static readonly ProgramSpec Program = new() { Command = ["python3", "train.py"], ProgramFile = "train.py", ProgramSha256 = new string('a', 64) };
    private static readonly AnalysisSettings Settings = new(Threshold: 1e-3, Tune: ["width", "dropout"],
        ProgramAxes: [new ProgramAxis("width", AxisNumber.Integer), new ProgramAxis("dropout", AxisNumber.Real), new ProgramAxis("depth", AxisNumber.Integer)]);

    private readonly string _run = Directory.CreateTempSubdirectory("program-results-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    [Fact]
    public void Rows_keep_every_program_axis_the_metrics_and_the_gpu()
    {
        var results = Results().ToList();
        var table = ResultTable.ToTable(results, Settings.Axes);

        Assert.Equal(["width", "dropout", "depth", "sample_size", "seed"],
            table.Schema.Select(c => c.Name).SkipWhile(n => n != "width").TakeWhile(n => n != ResultColumns.ParamCount));
        Assert.Equal(ColumnType.Int32, table.Schema[table.IndexOf("depth")].Type);
        Assert.Equal(ColumnType.Double, table.Schema[table.IndexOf("dropout")].Type);
        foreach (var axis in GridAxes.All.Where(a => a != GridAxes.SampleSize && a != GridAxes.Seed && a != GridAxes.Width))
            Assert.Equal(-1, table.IndexOf(axis.Name));

        var path = Path.Combine(RunLayout.Results(_run), "part-00000.parquet");
        Directory.CreateDirectory(RunLayout.Results(_run));
        ParquetFile.WriteAtomic(path, table);
        var back = ParquetFile.Read(path);
        var metrics = (string?[])back.Columns[back.IndexOf(ResultColumns.Metrics)];
        var gpus = (string?[])back.Columns[back.IndexOf(ResultColumns.Gpu)];
        Assert.Equal(results.Select(r => r.Metrics), metrics);
        Assert.Equal(results.Select(r => r.Gpu), gpus);
        var dropouts = (double?[])back.Columns[back.IndexOf("dropout")];
        Assert.Equal(results.Select(r => (double?)r.Spec.Config.Hyper.Extra!["dropout"]), dropouts);

        Settings.Save(_run);
        var rows = ResultsLoader.Load(_run, AnalysisSettings.Load(_run));
        Assert.Equal(results.Count, rows.Count);
        var byId = results.ToDictionary(r => r.Spec.Id.Value);
        Assert.All(rows, row =>
        {
            var h = byId[row.TrialId].Spec.Config.Hyper;
            Assert.Equal([h.Extra!["width"], h.Extra["dropout"], h.Extra["depth"], h.SampleSize, h.Seed], row.Axes.Values);
            // As for the engine, a setting is every tunable axis; an untuned one is the same throughout its group.
            Assert.Equal(["width", "dropout", "depth"], row.Setting.Axes.Select(a => a.Name));
        });
    }

    [Fact]
    public void The_estimate_and_the_report_work_on_program_results()
    {
        Directory.CreateDirectory(RunLayout.Results(_run));
        ParquetFile.WriteAtomic(Path.Combine(RunLayout.Results(_run), "part-00000.parquet"), ResultTable.ToTable(Results().ToList(), Settings.Axes));
        Settings.Save(_run);

        var settings = AnalysisSettings.Load(_run);
        var estimates = Estimator.Estimate(ResultsLoader.Load(_run, settings), settings);

        // depth is not tuned: it splits the trials into groups. Width 8 with dropout 0.1 recovers from n = 32 at depth 2,
        // from n = 48 at depth 1 (Results); the theory has nothing to say about a program.
        Assert.Equal(["prog depth=1", "prog depth=2"], estimates.Select(e => e.Group));
        Assert.Equal([48, 32], estimates.Select(e => e.EmpiricalSize));
        Assert.All(estimates, e => Assert.Null(e.TheoreticalSize));
        Assert.Equal("width 8, dropout 0.1, depth 2", estimates[1].Rows.Single(r => r.SampleSize == 32).BestSetting.ToString());

        var (md, html) = ReportWriter.Write(_run);
        var text = File.ReadAllText(md);
        Assert.Contains("prog depth=2", text, StringComparison.Ordinal);
        Assert.Contains("width 8, dropout 0.1, depth 2", text, StringComparison.Ordinal);
        Assert.True(File.Exists(html));
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(_run, RunLayout.ReportPlots)), f => f.Contains("dropout", StringComparison.Ordinal));
    }

    /// <summary>
    /// Widths 2 and 8, dropouts 0.1 and 0.5, depths 1 and 2, n = 16..64, seeds 0..1. Only width 8 with dropout 0.1
    /// recovers (error 1e-5), from n = 48 at depth 1 and n = 32 at depth 2; every other trial ends at error 0.1.
    /// </summary>
    private static IEnumerable<TrialResult> Results()
    {
        var now = new DateTime(2026, 11, 25, 18, 0, 0, DateTimeKind.Utc);
        var i = 0;
        foreach (var width in new[] { 2, 8 })
            foreach (var dropout in new[] { 0.1, 0.5 })
                foreach (var depth in new[] { 1, 2 })
                    foreach (var n in new[] { 16, 32, 48, 64 })
                        foreach (var seed in new[] { 0, 1 })
                        {
                            var hyper = new Hyperparameters { SampleSize = n, Seed = seed }
                                .WithExtra("width", width).WithExtra("dropout", dropout).WithExtra("depth", depth);
                            var config = new TrialConfig { Model = new(), Target = new(), Data = new(), Training = new(), Hyper = hyper, Program = Program };
                            var recovers = width == 8 && dropout == 0.1 && n >= (depth == 1 ? 48 : 32);
                            var error = recovers ? 1e-5 : 0.1;
                            var spec = new TrialSpec(new SweepId("prog"), TrialId.For(config), "prog", $"prog depth={depth}", config);
                            yield return new TrialResult(spec, TrialStatus.Ok, error / 2, error, null, 100 + i, 0, ModelKinds.Describe(config), 0.5,
                                new NodeId("n1"), 1, now, now.AddSeconds(1), null,
                                Metrics: $$"""{"test_error":{{error}},"train_loss":{{error / 2}},"accuracy":{{(recovers ? 1 : 0.5)}}}""", Gpu: (i++ % 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }
    }
}
