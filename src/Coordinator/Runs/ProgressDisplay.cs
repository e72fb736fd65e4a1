using System.Diagnostics;
using Spectre.Console;

namespace SweepCluster.Coordinator.Runs;

/// <summary>A live progress bar on a terminal; a line every few seconds when output is redirected (logs, CI).</summary>
internal static class ProgressDisplay
{
    public static async Task<SweepCounts> RunAsync(string name, Func<ISweepProgress, Task<SweepCounts>> body)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return await body(new Lines(name));
        SweepCounts result = null!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1);
                result = await body(new Bar(name, task));
            });
        return result;
    }

    public static string Summary(SweepCounts c)
    {
        var rate = c.Elapsed.TotalSeconds > 0 ? c.DoneThisRun / c.Elapsed.TotalSeconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds(c.Remaining / rate).ToString(@"hh\:mm\:ss") : "--:--:--";
        var line = $"{c.Done}/{c.Total} trials, {rate:F1}/s, ETA {eta}, {c.Diverged} diverged, {c.Failed} failed, {c.TimedOut} timed out";
        return c.Search is null ? line : $"{line}; {c.Search}";
    }

    private sealed class Bar(string name, ProgressTask task) : ISweepProgress
    {
        public void Report(SweepCounts counts)
        {
            task.MaxValue = Math.Max(1, counts.Total);
            task.Value = counts.Done;
            task.Description = Markup.Escape($"{name}: {Summary(counts)}");
        }
    }

    private sealed class Lines(string name) : ISweepProgress
    {
        private readonly Stopwatch _since = new();

        public void Report(SweepCounts counts)
        {
            if (_since.IsRunning && _since.Elapsed < TimeSpan.FromSeconds(5) && counts.Remaining > 0) return;
            _since.Restart();
            Console.WriteLine($"{name}: {Summary(counts)}");
        }
    }
}
