using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

/// <summary>A program trial's id changes with its script, its arguments and its environment, and with nothing else.</summary>
public sealed class ProgramIdentityTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnv = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("program-identity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Editing_the_script_changes_the_id_and_an_unchanged_one_keeps_it()
    {
        File.WriteAllText(Path.Combine(_folder, "train.py"), "print('v1')\n");
        string[] command = ["python3", "train.py", "--epochs", "50"];
        var first = Id(command, NoEnv, _folder);
        Assert.Equal(first, Id(command, NoEnv, _folder));

        File.WriteAllText(Path.Combine(_folder, "train.py"), "print('v2')\n");
        var edited = ProgramIdentity.Of(command, NoEnv, _folder);

        Assert.NotEqual(first, Id(command, NoEnv, _folder));
        Assert.Equal("train.py", edited.ProgramFile);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("print('v2')\n"u8)), edited.ProgramSha256);
    }

    [Fact]
    public void Arguments_and_env_change_it_but_env_order_and_the_folder_do_not()
    {
        File.WriteAllText(Path.Combine(_folder, "train.py"), "pass\n");
        var env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" };
        var baseline = Id(["python3", "train.py", "--epochs", "50"], env, _folder);

        Assert.NotEqual(baseline, Id(["python3", "train.py", "--epochs", "60"], env, _folder));
        Assert.NotEqual(baseline, Id(["python3", "train.py", "--epochs", "50"], new Dictionary<string, string> { ["A"] = "1", ["B"] = "3" }, _folder));
        Assert.Equal(baseline, Id(["python3", "train.py", "--epochs", "50"], new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" }, _folder));

        var moved = Directory.CreateTempSubdirectory("program-identity-moved-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(moved, "train.py"), "pass\n");
            Assert.Equal(baseline, Id(["python3", "train.py", "--epochs", "50"], env, moved));
        }
        finally { Directory.Delete(moved, recursive: true); }
    }

    [Fact]
    public void The_program_file_is_the_script_not_the_interpreter_and_a_path_executable_counts()
    {
        File.WriteAllText(Path.Combine(_folder, "run.sh"), "echo hi\n");
        File.WriteAllText(Path.Combine(_folder, "config.yaml"), "a: 1\n");
        Assert.Equal("run.sh", ProgramIdentity.Of(["bash", "-e", "run.sh", "config.yaml"], NoEnv, _folder).ProgramFile);
        Assert.Equal("./run.sh", ProgramIdentity.Of(["./run.sh", "--fast"], NoEnv, _folder).ProgramFile);
        var none = ProgramIdentity.Of(["python3", "-c", "print(1)"], NoEnv, _folder);
        Assert.Null(none.ProgramFile);
        Assert.Null(none.ProgramSha256);
    }

    [Fact]
    public void A_config_without_a_program_keeps_its_canonical_json()
    {
        var config = new TrialConfig { Model = new(), Target = new(), Data = new(), Training = new(), Hyper = new() { SampleSize = 1 } };
        Assert.DoesNotContain("program", CanonicalJson.Of(config), StringComparison.Ordinal);
        Assert.DoesNotContain("extra", CanonicalJson.Of(config), StringComparison.Ordinal);
    }

    private static TrialId Id(string[] command, IReadOnlyDictionary<string, string> env, string folder) =>
        TrialId.For(new TrialConfig
        {
            Model = new(), Target = new(), Data = new(), Training = new(), Hyper = new() { SampleSize = 1 },
            Program = ProgramIdentity.Of(command, env, folder),
        });
}
