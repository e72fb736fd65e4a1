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
        var program = new ProgramInvocation(args[3..], args[1]);
        var trial = new ProgramTrial(program, new JsonObject { ["trial_id"] = "host" }, args[2],
            Path.Combine(args[2], "host.log"), null, TimeSpan.FromMinutes(10));
        // Ask for the trial from a thread that ends soon after: the program must survive that thread and die only with
        // this process (a parent-death signal set by a fork on this thread would fire when it exits).
        Task<ProgramOutcome>? run = null;
        var asker = new Thread(() => { run = ProgramTrialRunner.RunAsync(trial, CancellationToken.None); Thread.Sleep(300); });
        asker.Start();
        asker.Join();
        Console.WriteLine("started");
        run!.GetAwaiter().GetResult();
        return 0;
    }
}
