using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Protocol;

namespace SweepCluster.GpuNode.Programs;

/// <summary>
/// Runs one trial of the user's program as a process of its own (docs/programs.md): writes the trial file, sets the
/// contract's variables and the slot's GPU, sends stdout and stderr to the trial's log, and reads the result file.
/// Past the time limit the program's whole process group is killed and the outcome is Timeout. Cancelling the token
/// (the node stopping) kills the group too and throws OperationCanceledException: the trial has no outcome and runs
/// again elsewhere. A program that fails never throws here; it is an outcome.
/// </summary>
internal static class ProgramTrialRunner
{
    /// <summary>Lines of stderr kept for a failed outcome's error text.</summary>
    public const int StderrTailLines = 20;

    /// <summary>After the program exits, how long its output may still take to reach the log.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    public static async Task<ProgramOutcome> RunAsync(ProgramTrial trial, CancellationToken stopping)
    {
        if (trial.Program.Command.Count == 0) throw new ArgumentException("the program's command is empty", nameof(trial));
        if (!Directory.Exists(trial.Program.WorkingDirectory))
            return ProgramOutcome.Failed(
                $"the program's folder {trial.Program.WorkingDirectory} does not exist on node {Environment.MachineName}; " +
                "program trials assume the sweep's folder is at the same path on every node (a shared filesystem, docs/programs.md)",
                TimeSpan.Zero, trial.Gpu);
        Directory.CreateDirectory(trial.TrialDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(trial.LogPath))!);
        await File.WriteAllTextAsync(trial.TrialFile, trial.Trial.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), stopping);
        // A result left by an earlier attempt of the same trial (a node that died after the program wrote it) is stale.
        File.Delete(trial.ResultFile);

        var launcher = ProgramLauncher.Shared;
        var start = launcher.Wrap(trial.Program.Command);
        start.WorkingDirectory = trial.Program.WorkingDirectory;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var (name, value) in trial.Program.Env) start.Environment[name] = value;
        start.Environment[ProgramContract.TrialVariable] = Path.GetFullPath(trial.TrialFile);
        start.Environment[ProgramContract.ResultVariable] = Path.GetFullPath(trial.ResultFile);
        start.Environment[ProgramContract.TrialDirectoryVariable] = Path.GetFullPath(trial.TrialDirectory);
        start.Environment[ProgramContract.GpuVariable] = trial.Gpu?.Value ?? "";

        var clock = Stopwatch.StartNew();
        await using var log = new FileStream(trial.LogPath, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
        using var process = await launcher.StartAsync(start);
        var group = process.Id;
        try
        {
            launcher.Watch(group);
            process.StandardInput.Close();
            var logLock = new SemaphoreSlim(1, 1);
            var stderrTail = new TailBuffer(8192);
            var pumps = Task.WhenAll(
                PumpAsync(process.StandardOutput.BaseStream, log, logLock, null),
                PumpAsync(process.StandardError.BaseStream, log, logLock, stderrTail));

            using var limit = new CancellationTokenSource(trial.Timeout);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, stopping);
            var timedOut = false;
            try
            {
                await process.WaitForExitAsync(either.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process, group);
                await process.WaitForExitAsync(CancellationToken.None);
                timedOut = !stopping.IsCancellationRequested;
            }
            // Whatever the program left behind in its group (a background helper) ends with it.
            Posix.KillGroup(group);
            await Task.WhenAny(pumps, Task.Delay(DrainLimit, CancellationToken.None));
            stopping.ThrowIfCancellationRequested();
            var wall = clock.Elapsed;

            if (timedOut)
                return Outcome(trial, TrialStatus.Timeout, wall, null, null,
                    $"the program ran past its time limit of {trial.Timeout.TotalSeconds:0.###} s; its process group was killed");

            var exitCode = process.ExitCode;
            // .NET, like a shell, reports a child ended by signal N as 128 + N.
            int? signal = exitCode is > 128 and <= 128 + 64 ? exitCode - 128 : null;
            if (exitCode != 0)
            {
                var how = signal is { } s
                    ? $"the program was killed by {Posix.SignalName(s)} (exit status {exitCode})"
                    : $"the program exited with code {exitCode}";
                return Outcome(trial, TrialStatus.Failed, wall, exitCode, signal, WithTail(how, stderrTail));
            }
            var result = ResultFile.Read(trial.ResultFile);
            if (result.Error is { } error) return Outcome(trial, TrialStatus.Failed, wall, exitCode, null, WithTail($"exit code 0, but {error}", stderrTail));
            var metrics = result.Metrics!;
            var testError = metrics[ProgramContract.TestError];
            var status = double.IsFinite(testError) ? TrialStatus.Ok : TrialStatus.Diverged;
            return new ProgramOutcome(status, testError,
                metrics.GetValueOrDefault(ProgramContract.TrainLoss, double.NaN),
                metrics.TryGetValue(ProgramContract.Steps, out var steps) && double.IsFinite(steps) ? (long)steps : null,
                metrics, result.Json, exitCode, null,
                status == TrialStatus.Diverged ? $"the program reported {ProgramContract.TestError} = {testError}" : null,
                wall, trial.Gpu);
        }
        finally
        {
            if (!process.HasExited) Kill(process, group);
            launcher.Forget(group);
        }
    }

    private static void Kill(Process process, int group)
    {
        Posix.KillGroup(group);
        // Until setsid has run, the program is not yet its own group's leader: kill it by pid as well.
        try { process.Kill(); } catch (InvalidOperationException) { }
    }

    private static ProgramOutcome Outcome(ProgramTrial trial, TrialStatus status, TimeSpan wall, int? exitCode, int? signal, string error) =>
        new(status, double.NaN, double.NaN, null, new Dictionary<string, double>(), null, exitCode, signal, error, wall, trial.Gpu);

    private static string WithTail(string what, TailBuffer stderr)
    {
        var tail = stderr.LastLines(StderrTailLines);
        return tail.Length == 0 ? $"{what}; stderr was empty" : $"{what}; last lines of stderr:\n{tail}";
    }

    /// <summary>
    /// Copies one of the program's streams to the trial's log a whole line at a time, so that stdout and stderr, read by
    /// two pumps, interleave only between lines (an unbuffered print arrives in pieces). A line longer than the buffer
    /// (a progress bar redrawn with '\r') is written as it fills; what is left at the end is written too.
    /// </summary>
    private static async Task PumpAsync(Stream from, FileStream log, SemaphoreSlim logLock, TailBuffer? tail)
    {
        const int Capacity = 64 * 1024;
        var buffer = new byte[Capacity];
        var held = 0;
        int read;
        while ((read = await from.ReadAsync(buffer.AsMemory(held))) > 0)
        {
            tail?.Append(buffer.AsSpan(held, read));
            held += read;
            var end = buffer.AsSpan(0, held).LastIndexOf((byte)'\n') + 1;
            if (end == 0 && held == Capacity) end = held;
            if (end == 0) continue;
            await WriteAsync(buffer.AsMemory(0, end));
            buffer.AsSpan(end, held - end).CopyTo(buffer);
            held -= end;
        }
        if (held > 0) await WriteAsync(buffer.AsMemory(0, held));

        async Task WriteAsync(ReadOnlyMemory<byte> lines)
        {
            await logLock.WaitAsync();
            try
            {
                await log.WriteAsync(lines);
                await log.FlushAsync();
            }
            finally { logLock.Release(); }
        }
    }

    /// <summary>The last bytes of a stream, enough for the last lines of a traceback.</summary>
    private sealed class TailBuffer(int capacity)
    {
        private readonly Lock _lock = new();
        private byte[] _bytes = [];

        public void Append(ReadOnlySpan<byte> chunk)
        {
            lock (_lock)
            {
                var joined = new byte[Math.Min(capacity, _bytes.Length + chunk.Length)];
                var fromChunk = Math.Min(chunk.Length, joined.Length);
                var fromOld = joined.Length - fromChunk;
                _bytes.AsSpan(_bytes.Length - fromOld).CopyTo(joined);
                chunk[^fromChunk..].CopyTo(joined.AsSpan(fromOld));
                _bytes = joined;
            }
        }

        public string LastLines(int count)
        {
            string text;
            lock (_lock) text = Encoding.UTF8.GetString(_bytes);
            var lines = text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
            return string.Join('\n', lines[Math.Max(0, lines.Length - count)..]);
        }
    }
}
