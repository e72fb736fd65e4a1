using SweepCluster.GpuNode;
using SweepCluster.Hosting;

return await Cli.InvokeAsync(NodeCommand.Create(), args);
