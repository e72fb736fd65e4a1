using SweepCluster.GpuNode.Programs;

namespace SweepCluster.GpuNode.Tests;

/// <summary>A program's identity changes with its script, its arguments and its environment, and with nothing else.</summary>
public sealed class ProgramIdentityTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Editing_the_script_changes_the_identity_and_an_unchanged_one_keeps_it()
    {
        _folder.File("train.py", "print('v1')\n");
        var program = new ProgramSpec(["python3", "train.py", "--epochs", "50"], _folder.Path);
        var first = Json(program);
        Assert.Equal(first, Json(program));

        _folder.File("train.py", "print('v2')\n");
        var edited = ProgramIdentity.Of(program);

        Assert.NotEqual(first, edited.ToJson().ToJsonString());
        Assert.Equal("train.py", edited.ProgramFile);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("print('v2')\n"u8)), edited.ProgramSha256);
    }

    [Fact]
    public void Arguments_and_env_change_it_but_env_order_and_the_folder_do_not()
    {
        _folder.File("train.py", "pass\n");
        var env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" };
        var baseline = Json(new ProgramSpec(["python3", "train.py", "--epochs", "50"], _folder.Path, env));

        Assert.NotEqual(baseline, Json(new ProgramSpec(["python3", "train.py", "--epochs", "60"], _folder.Path, env)));
        Assert.NotEqual(baseline, Json(new ProgramSpec(["python3", "train.py", "--epochs", "50"], _folder.Path, new Dictionary<string, string> { ["A"] = "1", ["B"] = "3" })));
        Assert.Equal(baseline, Json(new ProgramSpec(["python3", "train.py", "--epochs", "50"], _folder.Path, new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" })));

        using var moved = new TempFolder();
        moved.File("train.py", "pass\n");
        Assert.Equal(baseline, Json(new ProgramSpec(["python3", "train.py", "--epochs", "50"], moved.Path, env)));
    }

    [Fact]
    public void The_program_file_is_the_script_not_the_interpreter_and_a_path_executable_counts()
    {
        _folder.File("run.sh", "echo hi\n");
        _folder.File("config.yaml", "a: 1\n");
        Assert.Equal("run.sh", ProgramIdentity.Of(new ProgramSpec(["bash", "-e", "run.sh", "config.yaml"], _folder.Path)).ProgramFile);
        Assert.Equal("./run.sh", ProgramIdentity.Of(new ProgramSpec(["./run.sh", "--fast"], _folder.Path)).ProgramFile);
        var none = ProgramIdentity.Of(new ProgramSpec(["python3", "-c", "print(1)"], _folder.Path));
        Assert.Null(none.ProgramFile);
        Assert.Null(none.ProgramSha256);
    }

    private static string Json(ProgramSpec program) => ProgramIdentity.Of(program).ToJson().ToJsonString();
}
