using System.Security.Cryptography;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>
/// What of a program enters the id of each of its trials (<see cref="ProgramSpec"/>): the command and its arguments,
/// the extra environment sorted by name, and the SHA-256 of the program file the command names. The folder it runs
/// in is left out: moving the sweep folder keeps the ids.
/// </summary>
internal static class ProgramIdentity
{
    /// <summary>
    /// The program file is the first argument after the executable that names an existing file relative to the working
    /// directory (train.py in [python3, train.py, …]); failing that, the executable itself when it is written as a path
    /// (./train.sh). An interpreter found on PATH (python3) is not hashed: it is not the user's program.
    /// </summary>
    public static ProgramSpec Of(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> env, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(env);
        if (command.Count == 0) throw new ArgumentException("the command is empty", nameof(command));
        var file = FindProgramFile(command, workingDirectory);
        return new ProgramSpec
        {
            Command = [.. command],
            Env = env.Count == 0 ? null : [.. env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")],
            ProgramFile = file,
            ProgramSha256 = file is null ? null : Sha256(Path.Combine(workingDirectory, file)),
        };
    }

    private static string? FindProgramFile(IReadOnlyList<string> command, string workingDirectory)
    {
        foreach (var argument in command.Skip(1))
            if (IsFile(workingDirectory, argument)) return argument;
        var executable = command[0];
        return executable.Contains('/') && IsFile(workingDirectory, executable) ? executable : null;
    }

    private static bool IsFile(string workingDirectory, string argument) =>
        argument.Length > 0 && !argument.StartsWith('-') && File.Exists(Path.Combine(workingDirectory, argument));

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
