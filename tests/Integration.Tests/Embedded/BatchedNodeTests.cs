using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>
/// The node's batches through the real `sweep`: a slot trains a batch of trials that share a BatchKey, and what is
/// recorded is what each trial gives alone (`--no-batch`), row for row; a batch's limits are each trial's own.
/// </summary>
public sealed class BatchedNodeTests
{
    /// <summary>Row fields the comparison needs, by trial id.</summary>
    private sealed record Row(string Status, double TrainLoss, double TestError, long Steps, DateTime StartedAt, double WallSeconds, string? Error);

    private static Dictionary<string, Row> Read(string runDir)
    {
        var rows = new Dictionary<string, Row>();
        foreach (var file in RunLayout.PartFiles(RunLayout.Results(runDir)))
        {
            var t = ParquetFile.Read(file);
            var ids = ResultTable.Get<string?>(t, ResultColumns.TrialId, file)!;
            var status = ResultTable.Get<string?>(t, ResultColumns.Status, file)!;
            var loss = ResultTable.Get<double?>(t, ResultColumns.TrainLoss, file)!;
            var error = ResultTable.Get<double?>(t, ResultColumns.TestError, file)!;
            var steps = ResultTable.Get<long?>(t, ResultColumns.Steps, file)!;
            var started = ResultTable.Get<DateTime?>(t, ResultColumns.StartedAt, file)!;
            var wall = ResultTable.Get<double?>(t, ResultColumns.WallSeconds, file)!;
            var message = ResultTable.Get<string?>(t, ResultColumns.Error, file)!;
            for (var i = 0; i < t.RowCount; i++)
                rows.Add(ids[i]!, new Row(status[i]!, loss[i] ?? double.NaN, error[i] ?? double.NaN, steps[i] ?? -1, started[i]!.Value, wall[i] ?? double.NaN, message[i]));
        }
        return rows;
    }

    /// <summary>
    /// 96 trials in 8 BatchKeys (sample sizes), each batch mixing trials that converge, plateau at the step budget
    /// and diverge (learning rate 3 from init scale 1) at different steps.
    /// </summary>
    private const string Mixed = """
        name: mixed
        experiment:
          model: { kind: two-layer, hidden_bias: true }
          target: { kind: teacher, neurons: [ { a: 1.0, w: [1.0], b: 0.3 } ] }
          data: { input_dim: 1, test_size: 50 }
        training: { max_steps: 4000, loss_tolerance: 1.0e-6 }
        grid:
          init_scale: [1.0e-3, 1.0]
          width: [2]
          learning_rate: [0.1, 0.5, 3.0]
          sample_size: { range: [1, 8] }
          seed: { range: [0, 1] }
        """;

    [Fact]
    public void ABatchedSweepRecordsTheSameResultsAsTheSameSweepTrialByTrial()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("mixed.yaml", Mixed);
        var batchedRuns = Path.Combine(tmp.Path, "batched");
        var aloneRuns = Path.Combine(tmp.Path, "alone");
        var (code, output) = SweepCli.Run("run", file, "--runs", batchedRuns, "--slots", "2");
        Assert.True(code == 0, output);
        (code, output) = SweepCli.Run("run", file, "--runs", aloneRuns, "--slots", "2", "--no-batch");
        Assert.True(code == 0, output);

        var batched = Read(Path.Combine(batchedRuns, "mixed"));
        var alone = Read(Path.Combine(aloneRuns, "mixed"));
        Assert.Equal(96, batched.Count);
        Assert.Equal(alone.Keys.Order(StringComparer.Ordinal), batched.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, a) in alone)
        {
            var b = batched[id];
            Assert.Equal(a.Status, b.Status);
            Assert.Equal(a.Steps, b.Steps);
            // Bit for bit, NaN included (a diverged trial's loss).
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.TrainLoss), BitConverter.DoubleToInt64Bits(b.TrainLoss));
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.TestError), BitConverter.DoubleToInt64Bits(b.TestError));
        }
        // The comparison is worth something only if trials stopped at different steps and batches really formed:
        // a batch's trials share their start time; alone, no two trials of a slot start at the same instant.
        Assert.Contains(alone.Values, r => r.Status == "diverged");
        Assert.True(alone.Values.Select(r => r.Steps).Distinct().Count() > 3, "every trial stopped at the same step");
        Assert.Contains(batched.Values.GroupBy(r => r.StartedAt), g => g.Count() >= 4);
        Assert.DoesNotContain(alone.Values.GroupBy(r => r.StartedAt), g => g.Count() > 2);
    }

    [Fact]
    public void WhenABatchsDeadlinePassesItsUnfinishedTrialsRunAgainAloneUnderTheirOwnLimit()
    {
        // One BatchKey: the trials with learning rate 1000 diverge at once inside the batch; those with 0.1 never
        // finish their 2,000,000 steps. The batch's deadline must not turn them into timeouts: each runs again
        // alone and times out after its own 0.5 s.
        using var tmp = new TempDir();
        var file = tmp.Write("deadline.yaml", """
            name: deadline
            experiment:
              model: { kind: two-layer, hidden_bias: true }
              target: { kind: teacher, neurons: [ { a: 1.0, w: [1.0], b: 0.3 } ] }
              data: { input_dim: 1, test_size: 50 }
            training: { max_steps: 2000000, loss_tolerance: 0 }
            grid:
              init_scale: [1.0]
              width: [2]
              learning_rate: [0.1, 1000]
              sample_size: [4]
              seed: { range: [0, 2] }
            run: { trial_timeout_seconds: 0.5 }
            """);
        var runs = Path.Combine(tmp.Path, "runs");
        var (code, output) = SweepCli.Run("run", file, "--runs", runs, "--slots", "1");
        Assert.True(code == 0, output);

        var rows = Read(Path.Combine(runs, "deadline"));
        Assert.Equal(6, rows.Count);
        var diverged = rows.Values.Where(r => r.Status == "diverged").ToList();
        var timedOut = rows.Values.Where(r => r.Status == "timeout").ToList();
        Assert.Equal(3, diverged.Count);
        Assert.Equal(3, timedOut.Count);
        // The first pull is one trial; the rest (five) trained as one batch, whose diverged trials share its start.
        var batchStart = diverged.GroupBy(r => r.StartedAt).MaxBy(g => g.Count())!.Key;
        Assert.True(diverged.Count(r => r.StartedAt == batchStart) >= 2, "no batch formed");
        var rerun = timedOut.Where(r => r.StartedAt > batchStart).ToList();
        Assert.NotEmpty(rerun);
        Assert.All(rerun, r =>
        {
            // Started alone after the batch's deadline, and stopped by its own limit, not by the batch's.
            Assert.True(r.StartedAt >= batchStart.AddSeconds(0.45), $"started {r.StartedAt:O}, batch {batchStart:O}");
            Assert.True(r.WallSeconds >= 0.45, $"timed out after {r.WallSeconds} s");
            Assert.Contains("time limit", r.Error, StringComparison.Ordinal);
        });
        Assert.Equal(3, timedOut.Select(r => r.StartedAt).Distinct().Count());
    }
}
