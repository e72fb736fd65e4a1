namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// The user's training program as a sweep file names it: the command (program and arguments, no shell), the folder it
/// runs in (the sweep file's folder) and extra environment variables. The same for every trial of a sweep.
/// </summary>
internal sealed record ProgramInvocation(IReadOnlyList<string> Command, string WorkingDirectory, IReadOnlyDictionary<string, string> Env)
{
    public ProgramInvocation(IReadOnlyList<string> command, string workingDirectory)
        : this(command, workingDirectory, new Dictionary<string, string>()) { }
}
