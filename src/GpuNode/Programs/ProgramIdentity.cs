using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// What of a program enters the id of each of its trials: the command and its arguments, the extra environment, and
/// the SHA-256 of the program file the command names, so that editing the script makes new trials and re-running an
/// unchanged sweep skips what is done. The working directory is left out: moving the sweep folder keeps the ids.
/// </summary>
internal sealed record ProgramIdentity(IReadOnlyList<string> Command, IReadOnlyList<KeyValuePair<string, string>> Env, string? ProgramFile, string? ProgramSha256)
{
    /// <summary>
    /// The program file is the first argument after the executable that names an existing file relative to the working
    /// directory (train.py in [python3, train.py, …]); failing that, the executable itself when it is written as a path
    /// (./train.sh). An interpreter found on PATH (python3) is not hashed: it is not the user's program.
    /// </summary>
    public static ProgramIdentity Of(ProgramSpec program)
    {
        var file = FindProgramFile(program);
        return new ProgramIdentity(
            program.Command.ToArray(),
            program.Env.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray(),
            file,
            file is null ? null : Sha256(Path.Combine(program.WorkingDirectory, file)));
    }

    /// <summary>The identity as a JSON object with a fixed key order, ready to be part of a trial's canonical JSON.</summary>
    public JsonObject ToJson()
    {
        var env = new JsonObject();
        foreach (var (name, value) in Env) env[name] = value;
        return new JsonObject
        {
            ["command"] = new JsonArray(Command.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["env"] = env,
            ["program_file"] = ProgramFile,
            ["program_sha256"] = ProgramSha256,
        };
    }

    private static string? FindProgramFile(ProgramSpec program)
    {
        foreach (var argument in program.Command.Skip(1))
            if (IsFile(program.WorkingDirectory, argument)) return argument;
        var executable = program.Command.Count > 0 ? program.Command[0] : null;
        return executable is not null && executable.Contains('/') && IsFile(program.WorkingDirectory, executable) ? executable : null;
    }

    private static bool IsFile(string workingDirectory, string argument) =>
        argument.Length > 0 && !argument.StartsWith('-') && File.Exists(Path.Combine(workingDirectory, argument));

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
