using Akka.Actor;
using SweepCluster.GpuNode.Gpus;
using SweepCluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.GpuNode.Tests;

/// <summary>Trial specs built by hand, as a coordinator would send them.</summary>
internal static class Specs
{
    public const string Sweep = "node-programs";

    /// <summary>
    /// A trial of the user's program: command runs in folder (the sweep file's folder), its log and files go under
    /// runDirectory; axes become Hyper.Extra. The seed makes each trial's id its own.
    /// </summary>
    public static TrialSpec Program(string folder, string runDirectory, string[] command, int seed, double timeoutSeconds = 60,
        IReadOnlyDictionary<string, double>? axes = null, IReadOnlyList<string>? env = null, int sampleSize = 16)
    {
        var hyper = new Hyperparameters { SampleSize = sampleSize, Seed = seed };
        foreach (var (name, value) in axes ?? new Dictionary<string, double>()) hyper = hyper.WithExtra(name, value);
        var config = new TrialConfig
        {
            Model = new(), Target = new(), Data = new(), Training = new(), Hyper = hyper,
            Program = new ProgramSpec { Command = command, Env = env, ProgramFile = command.FirstOrDefault(a => a.EndsWith(".py", StringComparison.Ordinal)) },
        };
        return new TrialSpec(new SweepId(Sweep), TrialId.For(config), "program", "program", config, timeoutSeconds, 3, folder, runDirectory);
    }

    /// <summary>A one-step trial of the built-in engine (E1's f_NL on a linear target): done in milliseconds.</summary>
    public static TrialSpec Engine(int seed)
    {
        var config = new TrialConfig
        {
            Model = new() { Kind = ModelKind.LinearNL },
            Target = new() { Kind = TargetKind.Linear, Coefficients = [1.0, 0.0], Intercept = 1 },
            Data = new() { InputDim = 2, Inputs = InputDistribution.Gaussian, TestSize = 1 },
            Training = new() { Optimizer = OptimizerKind.Gd, MaxSteps = 1 },
            Hyper = new() { InitScale = 0.1, LearningRate = 0.01, SampleSize = 1, Seed = seed },
        };
        return new TrialSpec(new SweepId(Sweep), TrialId.For(config), "engine", "engine", config, 60, 3);
    }
}

/// <summary>
/// A node's real agent, state and slot runners in one embedded ActorSystem, fed by a FakeCoordinator: the path a
/// lease takes in `sweep run` and in `sweep-node`, without a network. Disposing stops the node as SIGTERM does.
/// </summary>
internal sealed class NodeHarness : IAsyncDisposable
{
    private readonly ActorSystem _system;

    public NodeHarness(IReadOnlyList<TrialSpec> trials, int slots, GpuOptions? gpus = null, bool batching = true)
    {
        _system = ActorSystem.Create(AkkaConfig.SystemName, AkkaConfig.Embedded());
        var log = Log;
        var state = State;
        var coordinator = _system.ActorOf(Props.Create(() => new FakeCoordinator(trials, log)), AkkaConfig.SweepActorName);
        var settings = new NodeAgent.Settings(new NodeOptions(new NodeId("n1"), slots, TimeSpan.FromMilliseconds(100), batching, gpus), null, null);
        var lost = new TaskCompletionSource<string>();
        Agent = _system.ActorOf(Props.Create(() => new NodeAgent(settings, state, coordinator, lost)), "node");
    }

    public CoordinatorLog Log { get; } = new();
    public NodeState State { get; } = new();
    public IActorRef Agent { get; }

    public async ValueTask DisposeAsync()
    {
        // As a stopping node: every program's group is killed before the test's folder goes.
        State.GiveUpHeld();
        await Eventually.True(() => State.BusySlots == 0, 20);
        await _system.Terminate();
    }
}
