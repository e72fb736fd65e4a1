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
/// <param name="ProgramAxes">A program sweep's own axes (name, integer or real), which the results carry as columns
/// beside sample_size and seed; null for the built-in engine, whose axes are <see cref="GridAxes.All"/>.</param>
public sealed record AnalysisSettings(
    double Threshold = 1e-6, double Quorum = 0.5, bool UseUnobservedError = false, IReadOnlyList<string>? Tune = null, SearchMode Search = SearchMode.Grid,
    IReadOnlyList<ProgramAxis>? ProgramAxes = null)
{
    public const string FileName = RunLayout.SettingsFile;

    /// <summary>The sweep's grid axes, in the order of the results columns.</summary>
    [JsonIgnore]
    public IReadOnlyList<GridAxis> Axes => AxesOf(ProgramAxes);

    public IReadOnlyList<string> Tune { get; init; } = Tune ?? AxesOf(ProgramAxes).Where(a => a.Tunable).Select(a => a.Name).ToList();

    private static IReadOnlyList<GridAxis> AxesOf(IReadOnlyList<ProgramAxis>? programAxes) =>
        programAxes is null ? GridAxes.All : GridAxes.ForProgram(programAxes.Select(a => (a.Name, a.Number)));

    public bool Equals(AnalysisSettings? other) =>
        other is not null && Threshold.Equals(other.Threshold) && Quorum.Equals(other.Quorum)
        && UseUnobservedError == other.UseUnobservedError && Tune.SequenceEqual(other.Tune) && Search == other.Search
        && (ProgramAxes ?? []).SequenceEqual(other.ProgramAxes ?? []);

    public override int GetHashCode() => HashCode.Combine(Threshold, Quorum, UseUnobservedError, Tune.Count, Search, ProgramAxes?.Count);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // "grid" / "adaptive", as the sweep file writes it; an unknown word is a JsonException naming the field.
        Converters =
        {
            new JsonStringEnumConverter<SearchMode>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false),
            new JsonStringEnumConverter<AxisNumber>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false),
        },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
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
        if (ProgramAxes?.FirstOrDefault(a => a is null || !ProgramAxis.IsValidName(a.Name) || !Enum.IsDefined(a.Number)) is { } bad)
            throw new ResultsFormatException(source, $"program_axes has '{bad?.Name}'; expected names of letters, digits and '_' that are not results columns, each integer or real");
        if (ProgramAxes?.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ResultsFormatException(source, $"program_axes names '{twice.Key}' {twice.Count()} times; expected each axis once");
        var tunable = Axes.Where(a => a.Tunable).Select(a => a.Name).ToList();
        if (Tune.FirstOrDefault(name => !tunable.Contains(name)) is { } unknown)
            throw new ResultsFormatException(source, $"tune names '{unknown}'; expected tunable axes: {string.Join(", ", tunable)}");
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

/// <summary>One axis of a user's program as analysis.json records it.</summary>
public sealed record ProgramAxis(string Name, AxisNumber Number)
{
    /// <summary>
    /// Letters, digits and '_' (not first a digit), and not a name the results table or the trial file already use:
    /// the axis becomes a results column and a key of the program's trial JSON.
    /// </summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
        && !ResultTable.FixedColumnNames.Contains(name) && name is not ("sample_size" or "seed");
}
