using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Programs;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Tests;

/// <summary>The stdlib example in sweeps/examples/ follows the contract: run as a node would run it, it learns.</summary>
public sealed class ExampleProgramTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(4, 1, true)]    // more samples than the optimistic size 3: the teacher is recovered
    [InlineData(1, 2, false)]   // one sample: it is fitted, the teacher is not recovered
    public async Task The_stdlib_teacher_example_recovers_the_teacher_only_from_enough_samples(int n, int width, bool recovered)
    {
        var folder = Path.Combine(RepositoryRoot(), "sweeps", "examples", "teacher-stdlib");
        var trial = new ProgramTrial(new ProgramInvocation(["python3", "train.py", "--max-steps", "20000"], folder),
            new JsonObject { ["trial_id"] = "ex", ["sweep"] = "example-teacher-stdlib", ["seed"] = 0, ["sample_size"] = n,
                ["width"] = width, ["learning_rate"] = 0.5, ["init_scale"] = 0.1 },
            Path.Combine(_folder.Path, "trial"), Path.Combine(_folder.Path, "ex.log"), null, TimeSpan.FromSeconds(60));

        var outcome = await ProgramTrialRunner.RunAsync(trial, CancellationToken.None);

        Assert.Equal(TrialStatus.Ok, outcome.Status);
        Assert.True(outcome.TrainLoss < 1e-10, $"train loss {outcome.TrainLoss}");
        Assert.Equal(recovered, outcome.TestError < 1e-4);
        Assert.Equal(3.0 * width, outcome.Metrics["param_count"]);
        Assert.Contains($"n={n} width={width}", await File.ReadAllTextAsync(trial.LogPath));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepCluster.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no SweepCluster.sln above {AppContext.BaseDirectory}");
    }
}
