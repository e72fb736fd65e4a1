using System.Diagnostics;
using SweepCluster.GpuNode.Programs;

namespace SweepCluster.GpuNode.Tests;

/// <summary>A node killed with SIGKILL leaves no program, and no program's child, running (NodeHost plays the node).</summary>
public sealed class NodeDeathTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_SIGKILLed_node_takes_its_program_and_the_programs_children_with_it()
    {
        var script = _folder.File("train.sh", $"""
            sleep 300 &
            echo $! > {_folder.Path}/grandchild.pid
            echo $$ > {_folder.Path}/program.pid
            sleep 300
            """);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in (string[])[typeof(NodeHost).Assembly.Location, "host", _folder.Path, Path.Combine(_folder.Path, "trial"), "sh", script])
            start.ArgumentList.Add(argument);
        using var host = Process.Start(start)!;
        var program = 0;
        try
        {
            await Processes.WaitForFile(Path.Combine(_folder.Path, "program.pid"));
            await Processes.WaitForFile(Path.Combine(_folder.Path, "grandchild.pid"));
            program = Pid("program.pid");
            var grandchild = Pid("grandchild.pid");
            // The thread that asked for the trial has ended by now (NodeHost): the program must not have died of that.
            await Task.Delay(500);
            Assert.True(Processes.Alive(program), "the program died before the node did");
            Assert.True(Processes.Alive(grandchild));

            host.Kill();   // SIGKILL: no handler of the node runs
            await host.WaitForExitAsync();

            Assert.True(await Processes.GoneWithin(program, TimeSpan.FromSeconds(10)), "the program outlived its node");
            Assert.True(await Processes.GoneWithin(grandchild, TimeSpan.FromSeconds(10)), "the program's child outlived its node");
        }
        finally
        {
            if (!host.HasExited) host.Kill();
            // A failed run must not leave sleepers behind for the next test.
            if (program > 1) Posix.KillGroup(program);
        }
    }

    private int Pid(string file) => int.Parse(File.ReadAllText(Path.Combine(_folder.Path, file)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
