namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>Bad input through the real executable: exit code 2 and one message naming file, place and value.</summary>
public sealed class BadInputTests
{
    private const string Sweep = """
        name: bad
        experiment:
          model: { kind: two-layer }
          target: { kind: teacher, neurons: [ { a: 1.0, w: [1.0] } ] }
          data: { input_dim: 1 }
        grid:
          init_scale: [1.0e-3]
          width: [-3]
          learning_rate: [0.1]
          sample_size: [1]
        """;

    [Fact]
    public void NegativeWidthFailsValidateAndRunWithTheLine()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("bad.yaml", Sweep);
        foreach (var args in new[] { new[] { "validate", file }, ["run", file, "--runs", Path.Combine(tmp.Path, "runs")] })
        {
            var (code, output) = SweepCli.Run(args);
            Assert.True(code == 2, output);
            Assert.Contains($"{file}:8:10: grid.width has the value -3", output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(tmp.Path, "runs", "bad")), "a rejected sweep must not create a run folder");
        }
    }

    [Theory]
    [InlineData("run", "--slots", "0", "--slots is 0")]
    [InlineData("run", "--listen", "nohost", "expected HOST:PORT")]
    [InlineData("run", "--slots", "many", "many")]
    [InlineData("run", "--colour", "red", "--colour")]
    public void BadFlagsExitTwo(string command, string flag, string value, string named)
    {
        using var tmp = new TempDir();
        var file = tmp.Write("ok.yaml", Sweep.Replace("[-3]", "[3]", StringComparison.Ordinal));
        var (code, output) = SweepCli.Run(command, file, flag, value);
        Assert.True(code == 2, output);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSweepFileExitsTwoNamingIt()
    {
        using var tmp = new TempDir();
        var (code, output) = SweepCli.Run("validate", Path.Combine(tmp.Path, "nope.yaml"));
        Assert.Equal(2, code);
        Assert.Contains("nope.yaml", output, StringComparison.Ordinal);
        Assert.Contains("cannot read the sweep file", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ACorruptPartFileStopsTheRunWithExitTwoAndKeepsIt()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("ok.yaml", Sweep.Replace("[-3]", "[3]", StringComparison.Ordinal));
        var results = Path.Combine(tmp.Path, "runs", "bad", "results");
        Directory.CreateDirectory(results);
        var corrupt = Path.Combine(results, "part-00000.parquet");
        File.WriteAllBytes(corrupt, "PAR1 this is not a parquet file PAR1"u8.ToArray());
        var (code, output) = SweepCli.Run("run", file, "--runs", Path.Combine(tmp.Path, "runs"));
        Assert.True(code == 2, output);
        Assert.Contains(corrupt, output, StringComparison.Ordinal);
        Assert.True(File.Exists(corrupt));
    }
}
