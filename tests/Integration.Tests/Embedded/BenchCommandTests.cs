using System.Text.Json;

namespace SweepCluster.Integration.Tests.Embedded;

/// <summary>`sweep bench --json` prints every standard case in both precisions (a smoke run, not a measurement).</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public void JsonListsEveryCaseAndPrecisionWithAPositiveTime()
    {
        using var tmp = new TempDir();
        var (code, output) = SweepCli.Run("bench", "--json", "--quick");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        var cases = json.RootElement.EnumerateArray()
            .Select(e => (Case: e.GetProperty("case").GetString(), Precision: e.GetProperty("precision").GetString(), Us: e.GetProperty("us_per_step").GetDouble()))
            .ToList();
        string[] names = ["tanh-m50-n50", "tanh-m100-n200", "tanh-m1000-n2000", "mc-d4-n8", "mc-d32-n400"];
        foreach (var name in names)
            foreach (var precision in new[] { "float32", "float64" })
                Assert.Contains(cases, c => c.Case == name && c.Precision == precision && c.Us > 0);
    }
}
