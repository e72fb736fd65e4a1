using System.CommandLine;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Hosting;

/// <summary>Exit codes and command-line plumbing shared by `sweep` and `sweep-node`.</summary>
public static class Cli
{
    public const int Ok = 0;
    public const int RuntimeFailure = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>
    /// Parses and runs. Bad input, whether on the command line or in a file it names, is exit 2 with one message;
    /// any other failure is exit 1. This is the one place that tells them apart, by the exception's type.
    /// Output and error default to the console; tests pass their own to run the real commands in-process.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
                await error.WriteLineAsync($"{root.Name}: {problem.Message}");
            await error.WriteLineAsync($"run '{root.Name} --help' for usage");
            return BadInput;
        }
        try
        {
            // Ctrl+C cancels the action; give it time to write what has finished before the process is ended.
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(60),
                Output = output,
                Error = error,
            });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            // The message already names the file, place, value and what was expected.
            await error.WriteLineAsync(e.Message);
            return BadInput;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A runtime failure (disk full, a lost coordinator): one line and exit 1; what was durable stays.
            await error.WriteLineAsync($"{root.Name}: {e.Message}");
            return RuntimeFailure;
        }
    }

    /// <summary>Input the user can fix: a sweep file, a Parquet or results file, a run folder's settings, a wire message.</summary>
    public static bool IsBadInput(Exception e) => e is BadInputException or ParquetFormatException;

    /// <summary>Reports bad input: one line on stderr, exit code 2.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return BadInput;
    }
}
