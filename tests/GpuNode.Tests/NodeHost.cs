using System.Text.Json.Nodes;
using SweepCluster.GpuNode.Programs;

namespace SweepCluster.GpuNode.Tests;

/// <summary>
/// The test assembly's entry point, used only when a test starts it as a stand-in node:
/// `dotnet SweepCluster.GpuNode.Tests.dll host WORKDIR TRIALDIR COMMAND…` runs one program trial the way a node does
/// and prints "started" once the program runs, so that a test can SIGKILL this process and look for survivors.
/// </summary>
internal static class NodeHost
{
    public static int Main(string[] args)
    {
        if (args.Length < 4 || args[0] != "host")
        {
            Console.Error.WriteLine("usage: host WORKDIR TRIALDIR COMMAND…");
            return 2;
        }
        var program = new ProgramSpec(args[3..], args[1]);
        var trial = new ProgramTrial(program, new JsonObject { ["trial_id"] = "host" }, args[2],
            Path.Combine(args[2], "host.log"), null, TimeSpan.FromMinutes(10));
        // Start the trial from a thread-pool thread that then ends: the program must survive that, and die only with us.
        var run = Task.Run(() => ProgramTrialRunner.RunAsync(trial, CancellationToken.None));
        Console.WriteLine("started");
        run.GetAwaiter().GetResult();
        return 0;
    }
}
