using System.Text.Json;
using System.Text.Json.Serialization;
using SweepCluster.Training;

namespace SweepCluster.Analysis;

/// <summary>
/// How the empirical optimistic size is read off a sweep. Saved beside the results so that `sweep report`
/// on a run folder uses the sweep file's choices without needing the sweep file.
/// </summary>
/// <param name="Threshold">A trial recovers the target when its test error is at most this.</param>
/// <param name="Quorum">The fraction of seeds of the best setting that must recover, in (0, 1].</param>
/// <param name="UseUnobservedError">Matrix completion: judge by the error on unobserved entries instead of all entries.</param>
/// <param name="Tune">The axes whose best value is taken per sample size (the others split trials into groups); null: every tunable axis.</param>
/// <param name="Search">Which sample sizes are trained: all of the grid's, or those an adaptive search per group probes (<see cref="SampleSizeSearch"/>).</param>
public sealed record AnalysisSettings(
    double Threshold = 1e-6, double Quorum = 0.5, bool UseUnobservedError = false, IReadOnlyList<string>? Tune = null, SearchMode Search = SearchMode.Grid)
{
    public const string FileName = RunLayout.SettingsFile;

    public IReadOnlyList<string> Tune { get; init; } = Tune ?? GridAxes.Tunable.Select(a => a.Name).ToList();

    public bool Equals(AnalysisSettings? other) =>
        other is not null && Threshold.Equals(other.Threshold) && Quorum.Equals(other.Quorum)
        && UseUnobservedError == other.UseUnobservedError && Tune.SequenceEqual(other.Tune) && Search == other.Search;

    public override int GetHashCode() => HashCode.Combine(Threshold, Quorum, UseUnobservedError, Tune.Count, Search);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // "grid" / "adaptive", as the sweep file writes it; an unknown word is a JsonException naming the field.
        Converters = { new JsonStringEnumConverter<SearchMode>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public void Save(string runDir)
    {
        Validate(FileName);
        Directory.CreateDirectory(runDir);
        AtomicFile.WriteAllText(Path.Combine(runDir, FileName), JsonSerializer.Serialize(this, JsonOptions) + "\n");
    }

    /// <summary>The saved settings, or the defaults when the run folder has none (runs from before settings were saved).</summary>
    public static AnalysisSettings Load(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) return new AnalysisSettings();
        AnalysisSettings? settings;
        try { settings = JsonSerializer.Deserialize<AnalysisSettings>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new ResultsFormatException(path, e.Message, e); }
        if (settings is null) throw new ResultsFormatException(path, "expected an object with threshold, quorum and use_unobserved_error");
        settings.Validate(path);
        return settings;
    }

    private void Validate(string source)
    {
        if (!(Threshold > 0) || double.IsInfinity(Threshold))
            throw new ResultsFormatException(source, $"threshold {Threshold} must be a positive finite number");
        if (!Enum.IsDefined(Search))
            throw new ResultsFormatException(source, $"search {(int)Search} must be grid or adaptive");
        if (!(Quorum > 0 && Quorum <= 1))
            throw new ResultsFormatException(source, $"quorum {Quorum} must be in (0, 1]");
        if (Tune.FirstOrDefault(name => GridAxes.Find(name) is not { Tunable: true }) is { } unknown)
            throw new ResultsFormatException(source, $"tune names '{unknown}'; expected tunable axes: {string.Join(", ", GridAxes.Tunable.Select(a => a.Name))}");
    }
}

/// <summary>How a sweep chooses the sample sizes it trains (the sweep file's estimate.search).</summary>
public enum SearchMode
{
    /// <summary>Every sample size of the grid, for every setting and seed.</summary>
    Grid,

    /// <summary>Per group, the sample sizes <see cref="SampleSizeSearch"/> asks for, each for every tuned setting and seed.</summary>
    Adaptive,
}
