using System.CommandLine;
using System.Text;
using SweepCluster.Coordinator.Commands;
using SweepCluster.Hosting;

namespace SweepCluster.Coordinator.Tests;

/// <summary>
/// Thousands of broken sweep files through `sweep validate`, in-process through the same entry the executable
/// uses (Cli.InvokeAsync): each must be accepted (exit 0) or rejected as bad input (exit 2) with one message
/// that names the file, and never an exit 1, an exception's type name or a stack trace.
/// </summary>
public sealed class SweepFileMutationTests : IDisposable
{
    private static readonly string[] Sources = ["quickstart.yaml", "ci-e1.yaml", "ci-e2.yaml", "e3-init-scale.yaml", "e2-matrix-completion.yaml", "examples/teacher-stdlib/sweep.yaml"];

    // Values of the wrong type or out of range, and YAML that a sweep file cannot use.
    private static readonly string[] Replacements =
    [
        "abc", "-1", "0", "2.5", "1e400", "NaN", "~", "[]", "{}", "[1, [2]]", "{ a: 1 }", "true", "\"7\"", "''",
        "&anchor 3", "*anchor", "!!binary aGk=", "!custom 1", "!!map {}", "{", "[", "[1, 2", "{ a: 1", "|", ">-", "? x",
    ];

    private static readonly string[] Insertions =
    [
        "\0", "\u00ff", "\t", "{", "[", "}", "]", ":", "- ", "&a ", "*a", "!!str ", "!t ", "%YAML 1.2\n", "---\n", "...\n",
        "# c", "\"", "'", "<<: *a\n", "colour: red\n", "  extra: 1\n", "\r", "\uFEFF", "? ", "@", "`",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("sweep-mutants-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task EveryMutantIsAcceptedOrRejectedAsBadInputNamingTheFile()
    {
        var root = new RootCommand("sweep") { ValidateCommand.Create() };
        var mutants = Sources.SelectMany(s => Mutants(File.ReadAllText(Path.Combine(SweepsFolder(), s)), s)).ToList();
        Assert.True(mutants.Count >= 3000, $"only {mutants.Count} mutants");

        var failures = new List<string>();
        var rejected = 0;
        for (var i = 0; i < mutants.Count; i++)
        {
            var (what, text) = mutants[i];
            var path = Path.Combine(_dir, $"mutant-{i:D5}.yaml");
            await File.WriteAllTextAsync(path, text);
            var (output, error) = (new StringWriter(), new StringWriter());
            var code = await Cli.InvokeAsync(root, ["validate", path], output, error);
            var message = error.ToString();
            var ok = code switch
            {
                Cli.Ok => message.Length == 0,
                Cli.BadInput => message.StartsWith(path, StringComparison.Ordinal)
                    && !message.Contains("Exception", StringComparison.Ordinal)
                    && !message.Contains("   at ", StringComparison.Ordinal)
                    && message.TrimEnd().Split('\n').Length == 1,
                _ => false,
            };
            if (code == Cli.BadInput) rejected++;
            if (!ok && failures.Count < 20) failures.Add($"{what}: exit {code}: {message.Trim()}\n--- mutant ---\n{text}");
            if (ok) File.Delete(path);
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        // The mutations must reach the parser's checks, not only be accepted.
        Assert.True(rejected > mutants.Count / 3, $"only {rejected} of {mutants.Count} mutants rejected");
    }

    private static IEnumerable<(string What, string Text)> Mutants(string text, string name)
    {
        var lines = text.Split('\n');
        string Join(IEnumerable<string> ls) => string.Join('\n', ls);
        for (var i = 0; i < lines.Length; i++)
        {
            yield return ($"{name}: line {i + 1} deleted", Join(lines.Where((_, j) => j != i)));
            yield return ($"{name}: line {i + 1} duplicated", Join(lines.Take(i + 1).Concat(lines.Skip(i))));
            yield return ($"{name}: line {i + 1} cut in half", Join(lines.Select((l, j) => j == i ? l[..(l.Length / 2)] : l)));
            yield return ($"{name}: ' {{' after line {i + 1}", Join(lines.Select((l, j) => j == i ? l + " {" : l)));
            yield return ($"{name}: ' [' after line {i + 1}", Join(lines.Select((l, j) => j == i ? l + " [" : l)));
            yield return ($"{name}: unknown key after line {i + 1}",
                Join(lines.Take(i + 1).Append(new string(' ', lines[i].Length - lines[i].TrimStart().Length) + "unknown_key: 1").Concat(lines.Skip(i + 1))));
            var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && !lines[i].TrimStart().StartsWith('#'))
                foreach (var value in Replacements)
                    yield return ($"{name}: line {i + 1}'s value replaced by {value}",
                        Join(lines.Select((l, j) => j == i ? l[..(colon + 2)] + value : l)));
        }
        for (var cut = 0; cut < text.Length; cut += Math.Max(1, text.Length / 60))
            yield return ($"{name}: truncated at {cut}", text[..cut]);
        var random = new Random(name.Length * 7919 + text.Length);
        for (var k = 0; k < 150; k++)
        {
            var at = random.Next(text.Length + 1);
            var junk = Insertions[random.Next(Insertions.Length)];
            yield return ($"{name}: {Escape(junk)} inserted at {at}", text[..at] + junk + text[at..]);
        }
        for (var k = 0; k < 30; k++)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var flips = 0; flips < 3; flips++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            yield return ($"{name}: three random bytes (try {k})", Encoding.UTF8.GetString(bytes));
        }
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString()));

    internal static string SweepsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepCluster.sln")))
                return Path.Combine(dir.FullName, "sweeps");
        throw new InvalidOperationException("the repository root (SweepCluster.sln) is not above the test's folder");
    }
}
