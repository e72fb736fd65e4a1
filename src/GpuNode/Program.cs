using SweepCluster.GpuNode;

return await Cli.InvokeAsync(NodeCommand.Create(), args);
