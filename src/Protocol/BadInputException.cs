namespace SweepCluster.Protocol;

/// <summary>
/// Input the user can fix: a sweep file, a run folder's files, a message from the wire. The message alone is
/// what the user reads (src/GpuNode/Cli.cs prints it and exits 2): it names the file, line or field, the
/// value and what was expected, so it must never need the exception's type or stack to make sense.
/// </summary>
public abstract class BadInputException(string message, Exception? inner = null) : Exception(message, inner);
