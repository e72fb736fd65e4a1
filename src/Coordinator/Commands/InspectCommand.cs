using System.CommandLine;
using SweepCluster.GpuNode;
using SweepCluster.Parquet;

namespace SweepCluster.Coordinator.Commands;

/// <summary>`sweep inspect FILE.parquet`: the schema and rows of a Parquet file, as text or JSON.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "a Parquet file, e.g. runs/quickstart/results/part-00000.parquet" };
        var json = new Option<bool>("--json") { Description = "print a JSON array of objects keyed by column name" };
        var limit = new Option<int?>("--limit") { Description = "print at most this many rows" };
        var command = new Command("inspect", "print a Parquet file's schema and rows") { file, json, limit };
        command.SetAction(p => Inspect(p.GetValue(file)!, p.GetValue(json), p.GetValue(limit)));
        return command;
    }

    private static int Inspect(string path, bool json, int? limit)
    {
        if (limit is < 0) return Cli.Fail($"sweep inspect: --limit is {limit}; expected zero or a positive number of rows");
        if (!File.Exists(path)) return Cli.Fail($"{path}: no such file; expected a Parquet file");
        Console.Write(ParquetInspect.Render(path, json, limit));
        return Cli.Ok;
    }
}
