using System.Diagnostics;
using System.Text.RegularExpressions;
using SweepCluster.Analysis;
using Xunit.Abstractions;

namespace SweepCluster.Analysis.Tests;

/// <summary>report.html opened in a real browser: it must render its plots with no console messages.</summary>
public sealed class ChromiumTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("report-browser-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void Report_renders_in_headless_chromium_with_its_plots()
    {
        var runDir = Directory.CreateDirectory(Path.Combine(dir, "e2-demo")).FullName;
        var (_, htmlPath) = ReportTests.Write(runDir, ReportTests.SyntheticSweep(), new AnalysisSettings());

        var (dom, log) = Chromium("--dump-dom", new Uri(htmlPath).AbsoluteUri);
        Assert.Contains("Sweep report: e2-demo", dom);
        Assert.Equal(7, Regex.Count(dom, "<svg "));
        Assert.Equal(7, Regex.Count(dom, "</svg>"));
        // The report has no scripts, so any console line at all means the page is broken.
        Assert.DoesNotMatch(":CONSOLE|Uncaught", log);

        // A screenshot of the report must hold far more than one of an empty page of the same size.
        var shot = Path.Combine(dir, "report.png");
        Chromium($"--screenshot={shot}", new Uri(htmlPath).AbsoluteUri);
        var blankHtml = Path.Combine(dir, "blank.html");
        File.WriteAllText(blankHtml, "<!DOCTYPE html><html><body></body></html>");
        var blank = Path.Combine(dir, "blank.png");
        Chromium($"--screenshot={blank}", new Uri(blankHtml).AbsoluteUri);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(shot)[..4]);
        Assert.True(new FileInfo(shot).Length > 10 * new FileInfo(blank).Length,
            $"screenshot {new FileInfo(shot).Length} bytes, blank page {new FileInfo(blank).Length}: the report looks empty");

        var keep = Environment.GetEnvironmentVariable("REPORT_SCREENSHOT");
        if (!string.IsNullOrEmpty(keep)) File.Copy(shot, keep, overwrite: true);
        output.WriteLine($"screenshot: {shot}");
    }

    private (string Stdout, string Stderr) Chromium(params string[] args)
    {
        var exe = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "Chromium is needed to check report.html but neither /usr/bin/chromium nor /usr/bin/chromium-browser exists; " +
                "install Debian's package: apt-get install chromium (the project's test script does this)");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            $"--user-data-dir={Path.Combine(dir, "profile-" + Guid.NewGuid().ToString("N"))}", "--window-size=1200,2000",
        }.Concat(args))
            start.ArgumentList.Add(a);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung browser, not a performance assertion.
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium {string.Join(' ', args)} did not finish");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {stderr.Result}");
        return (stdout.Result, stderr.Result);
    }
}
