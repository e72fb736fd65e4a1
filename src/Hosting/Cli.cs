using System.CommandLine;

namespace SweepCluster.Hosting;

/// <summary>Exit codes and command-line plumbing shared by `sweep` and `sweep-node`.</summary>
public static class Cli
{
    public const int Ok = 0;
    public const int RuntimeFailure = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>Parses and runs; a malformed command line is bad input (exit 2) with one message per problem.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                await Console.Error.WriteLineAsync($"{root.Name}: {error.Message}");
            await Console.Error.WriteLineAsync($"run '{root.Name} --help' for usage");
            return BadInput;
        }
        try
        {
            // Ctrl+C cancels the action; give it time to write what has finished before the process is ended.
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A runtime failure (disk full, a broker gone for good): one line and exit 1; what was durable stays.
            await Console.Error.WriteLineAsync($"{root.Name}: {e.GetType().Name}: {e.Message}");
            return RuntimeFailure;
        }
    }

    /// <summary>Reports bad input: one line on stderr, exit code 2.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return BadInput;
    }
}
