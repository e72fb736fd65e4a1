using SweepCluster.GpuNode.Programs;

namespace SweepCluster.GpuNode.Tests;

/// <summary>The result file's reader: Python's non-standard literals, and strings that merely contain them.</summary>
public sealed class ResultFileTests
{
    [Theory]
    [InlineData("""{"test_error": NaN}""", """{"test_error": "NaN"}""")]
    [InlineData("""{"a": -Infinity, "b": [Infinity, 1]}""", """{"a": "-Infinity", "b": ["Infinity", 1]}""")]
    [InlineData("""{"s": "NaN \" Infinity", "t": 1}""", """{"s": "NaN \" Infinity", "t": 1}""")]
    [InlineData("""{"NaNny": 1}""", """{"NaNny": 1}""")]
    public void Bare_non_finite_literals_become_strings_and_nothing_else_changes(string text, string expected) =>
        Assert.Equal(expected, ResultFile.QuoteNonFiniteLiterals(text));

    [Fact]
    public void Numbers_written_as_strings_are_metrics_and_other_strings_are_not()
    {
        var parsed = ResultFile.Parse("""{"test_error": "0.5", "train_loss": null, "name": "mlp", "steps": 10}""", "r.json");
        Assert.Null(parsed.Error);
        Assert.Equal(0.5, parsed.Metrics!["test_error"]);
        Assert.True(double.IsNaN(parsed.Metrics["train_loss"]));
        Assert.Equal(10, parsed.Metrics["steps"]);
        Assert.False(parsed.Metrics.ContainsKey("name"));
    }
}
