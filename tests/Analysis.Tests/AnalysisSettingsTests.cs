using SweepCluster.Analysis;

namespace SweepCluster.Analysis.Tests;

public sealed class AnalysisSettingsTests
{
    [Fact]
    public void Saved_settings_load_back_and_a_folder_without_them_gets_the_defaults()
    {
        var dir = Directory.CreateTempSubdirectory("analysis-").FullName;
        try
        {
            Assert.Equal(new AnalysisSettings(1e-6, 0.5, false), AnalysisSettings.Load(dir));
            var settings = new AnalysisSettings(1e-8, 0.75, true);
            settings.Save(dir);
            Assert.Equal(settings, AnalysisSettings.Load(dir));
            Assert.Contains("\"use_unobserved_error\": true", File.ReadAllText(Path.Combine(dir, "analysis.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("{\"quorum\": 0}", "quorum")]
    [InlineData("{\"threshold\": -1}", "threshold")]
    [InlineData("{\"treshold\": 1e-6}", "treshold")]
    [InlineData("[1, 2]", "analysis.json")]
    public void Invalid_settings_name_the_file_and_the_field(string json, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("analysis-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "analysis.json"), json);
            var e = Assert.Throws<ResultsFormatException>(() => AnalysisSettings.Load(dir));
            Assert.Contains("analysis.json", e.Message);
            Assert.Contains(expected, e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Saving_invalid_settings_is_refused()
    {
        Assert.Throws<ResultsFormatException>(() => new AnalysisSettings(Quorum: 1.5).Save(Path.GetTempPath()));
    }
}
