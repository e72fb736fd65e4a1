using System.CommandLine;
using SweepCluster.Coordinator.Commands;
using SweepCluster.GpuNode;

var root = new RootCommand("SweepCluster: hyperparameter sweeps and their empirical optimistic sample size")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    StatusCommand.Create(),
    ReportCommand.Create(),
    InspectCommand.Create(),
    BenchCommand.Create(),
};
return await Cli.InvokeAsync(root, args);
