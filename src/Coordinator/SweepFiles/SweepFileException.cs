using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>Invalid input in a sweep file; the message reads file:line:column: what is wrong, what was expected.</summary>
internal sealed class SweepFileException(string path, long line, long column, string problem)
    : BadInputException($"{path}:{line}:{column}: {problem}")
{
    public string FilePath { get; } = path;
    public long Line { get; } = line;
    public long Column { get; } = column;
}
