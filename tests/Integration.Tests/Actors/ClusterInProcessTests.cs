using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Serialization;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.GpuNode;
using SweepCluster.Hosting;
using SweepCluster.Integration.Tests.Embedded;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Actors;

/// <summary>
/// A coordinator and two nodes as three ActorSystems in this process, joined in one Akka.Cluster on loopback with
/// the shipped configuration: every message crosses the wire through WireSerializer.
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class ClusterInProcessTests
{
    private sealed class NoProgress : ISweepProgress
    {
        public void Report(SweepCounts counts) { }
    }

    [Fact]
    public async Task Three_actor_systems_run_a_sweep_to_the_end_with_every_message_through_the_wire_format()
    {
        using var tmp = new TempDir();
        var file = tmp.Write("s.yaml", """
            name: in-process
            experiment:
              model: { kind: linear-nl }
              target: { kind: linear, coefficients: [1.0, 0.0], intercept: 1 }
              data: { input_dim: 2, inputs: gaussian, test_size: 1 }
            training: { optimizer: gd, max_steps: 1 }
            grid:
              init_scale: [0.1]
              learning_rate: [0.01]
              sample_size: [1]
              seed: { range: [0, 199] }
            """);
        var grid = TrialPlanner.Plan(SweepFileParser.Load(file));
        using var folder = RunFolder.OpenForRun(Path.Combine(tmp.Path, "runs", "in-process"), file, fresh: false);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var seed = $"127.0.0.1:{port}";

        using var coordinator = ActorSystem.Create(AkkaConfig.SystemName, AkkaConfig.Cluster("127.0.0.1", port, seed, AkkaConfig.CoordinatorRole));
        // The serializer bound to protocol messages is the project's, under its stable manifest.
        var serializer = coordinator.Serialization.FindSerializerFor(new NodeHello(new NodeId("x"), "h", 1));
        Assert.IsType<WireSerializer>(serializer);
        Assert.Equal("hello", ((SerializerWithStringManifest)serializer).Manifest(new NodeHello(new NodeId("x"), "h", 1)));

        var finished = new TaskCompletionSource<SweepCounts>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorded = new Dictionary<TrialKey, TrialStatus>();
        var options = new SweepRun.Options(new ResultSink.Options(50, TimeSpan.FromMilliseconds(100), Compression.Snappy), null);
        coordinator.ActorOf(Props.Create(() => new SweepRun(new SweepId("in-process"), new GridTrials(grid), recorded, folder, new NoProgress(), options, finished)), AkkaConfig.SweepActorName);

        var nodes = new List<ActorSystem>();
        try
        {
            foreach (var name in new[] { "a", "b" })
            {
                var config = AkkaConfig.Cluster("127.0.0.1", 0, seed, AkkaConfig.NodeRole);
                var system = ActorSystem.Create(AkkaConfig.SystemName, config);
                nodes.Add(system);
                var settings = new NodeAgent.Settings(new NodeOptions(new NodeId(name), 2, TimeSpan.FromSeconds(1)), null,
                    AkkaConfig.SweepActorPath(config, "127.0.0.1", port));
                var lost = new TaskCompletionSource<string>();
                system.ActorOf(Props.Create(() => new NodeAgent(settings, new NodeState(), null, lost)), "node");
            }
            var counts = await finished.Task.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(200, counts.Ok);
            var rows = folder.ReadRecorded();
            Assert.Equal(grid.Trials().Select(t => t.Id.Value).Order(), rows.Keys.Select(k => k.Id.Value).Order());
        }
        finally
        {
            foreach (var system in nodes) await system.Terminate();
            await coordinator.Terminate();
        }
    }
}
