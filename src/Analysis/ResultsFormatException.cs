using SweepCluster.Protocol;

namespace SweepCluster.Analysis;

/// <summary>A run folder's results or settings that cannot be read as what `sweep run` writes: path, then the problem.</summary>
public sealed class ResultsFormatException(string path, string problem, Exception? inner = null)
    : BadInputException($"{path}: {problem}", inner)
{
    public string FilePath { get; } = path;
}
