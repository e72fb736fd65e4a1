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

    [Fact]
    public void The_search_is_saved_by_name_and_an_older_file_without_it_means_grid()
    {
        var dir = Directory.CreateTempSubdirectory("analysis-").FullName;
        try
        {
            var adaptive = new AnalysisSettings(Search: SearchMode.Adaptive);
            Assert.NotEqual(new AnalysisSettings(), adaptive);
            adaptive.Save(dir);
            Assert.Contains("\"search\": \"adaptive\"", File.ReadAllText(Path.Combine(dir, "analysis.json")));
            Assert.Equal(SearchMode.Adaptive, AnalysisSettings.Load(dir).Search);

            File.WriteAllText(Path.Combine(dir, "analysis.json"), "{\"threshold\": 1e-6, \"quorum\": 0.5, \"use_unobserved_error\": false}");
            Assert.Equal(SearchMode.Grid, AnalysisSettings.Load(dir).Search);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("{\"search\": \"bisect\"}", "search")]
    [InlineData("{\"search\": 1}", "search")]
    [InlineData("{\"quorum\": 0}", "quorum")]
    [InlineData("{\"threshold\": -1}", "threshold")]
    [InlineData("{\"treshold\": 1e-6}", "treshold")]
    [InlineData("[1, 2]", "analysis.json")]
    [InlineData("{\"program_axes\": [{\"name\": \"status\", \"number\": \"integer\"}]}", "program_axes has 'status'")]
    [InlineData("{\"program_axes\": [{\"name\": \"depth\", \"number\": \"complex\"}]}", "number")]
    [InlineData("{\"program_axes\": [{\"name\": \"depth\", \"number\": \"integer\"}, {\"name\": \"depth\", \"number\": \"real\"}]}", "names 'depth' 2 times")]
    [InlineData("{\"program_axes\": [{\"name\": \"depth\", \"number\": \"integer\"}], \"tune\": [\"width\"]}", "tune names 'width'; expected tunable axes: depth")]
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
