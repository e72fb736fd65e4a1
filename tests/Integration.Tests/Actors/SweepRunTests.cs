using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using SweepCluster.Coordinator.Runs;
using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Hosting;
using SweepCluster.Integration.Tests.Embedded;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Integration.Tests.Actors;

/// <summary>
/// The coordinator's actor logic, in process: a SweepRun with its ResultSink writing a real run folder, and
/// TestProbes in the place of node agents, so that each rule (registration, leases, dedup, re-leasing on a node's
/// death, poison trials) is checked message by message.
/// </summary>
public sealed class SweepRunTests : TestKit, IDisposable
{
    private const string SecretText = "s3cret-for-the-actor-tests";
    private readonly TempDir _tmp = new();
    private readonly RunFolder _folder;
    private readonly IReadOnlyList<TrialSpec> _grid;
    private readonly TaskCompletionSource<SweepCounts> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IActorRef _run;
    private readonly SharedSecret _secret;

    public SweepRunTests() : base("akka.loglevel = WARNING")
    {
        var file = _tmp.Write("s.yaml", """
            name: actors
            experiment:
              model: { kind: linear-nl }
              target: { kind: linear, coefficients: [1.0, 0.0], intercept: 1 }
              data: { input_dim: 2, inputs: gaussian, test_size: 1 }
            training: { optimizer: gd, max_steps: 1 }
            grid:
              init_scale: [0.1]
              learning_rate: [0.01]
              sample_size: [1]
              seed: { range: [0, 5] }
            run: { max_deliveries: 2 }
            """);
        var sweep = SweepFileParser.Load(file);
        _grid = TrialPlanner.Expand(sweep);
        _folder = RunFolder.OpenForRun(Path.Combine(_tmp.Path, "runs", "actors"), file, fresh: false);
        Environment.SetEnvironmentVariable(SharedSecret.Variable, SecretText);
        _secret = SharedSecret.Load(null)!;
        Environment.SetEnvironmentVariable(SharedSecret.Variable, null);
        var options = new SweepRun.Options(new ResultSink.Options(1000, TimeSpan.FromMilliseconds(100), Compression.Snappy), _secret);
        var recorded = new Dictionary<TrialKey, TrialStatus>();
        _run = Sys.ActorOf(Props.Create(() => new SweepRun(new SweepId("actors"), new GridTrials(TrialPlanner.Plan(sweep)), recorded, _folder, new NoProgress(), options, _finished)), "sweep");
    }

    private sealed class NoProgress : ISweepProgress
    {
        public void Report(SweepCounts counts) { }
    }

    private Akka.TestKit.TestProbe Register(string name, int slots, bool rightSecret = true, string incarnation = "")
    {
        var node = CreateTestProbe();
        _run.Tell(new NodeHello(new NodeId(name), "host", slots), node);
        var nonce = node.ExpectMsg<RegistrationChallenge>().Nonce;
        var proof = rightSecret ? _secret.Prove(nonce, name) : Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("wrong"), Encoding.UTF8.GetBytes(nonce + "\n" + name)));
        _run.Tell(new RegisterNode(new NodeId(name), "host", slots, nonce, proof, incarnation), node);
        return node;
    }

    private static TrialResult Ok(Lease lease, string node) =>
        new(lease.Trial, TrialStatus.Ok, 0.1, 0.2, null, 1, 3, "linear-nl", 0.001, new NodeId(node), lease.Attempt, DateTime.UtcNow, DateTime.UtcNow, null);

    [Fact]
    public void A_node_without_the_secret_is_rejected_and_gets_no_trials()
    {
        var stranger = Register("stranger", 2, rightSecret: false);
        stranger.ExpectMsg<NodeRejected>(r => Assert.Contains("secret", r.Reason, StringComparison.Ordinal));
        _run.Tell(new TrialsWanted(new NodeId("stranger"), 2), stranger);
        stranger.ExpectMsg<NodeRejected>();
        _run.Tell(new ResultsReady(new NodeId("stranger"), [Ok(new Lease(_grid[0], 1), "stranger")]), stranger);
        stranger.ExpectMsg<NodeRejected>();
        stranger.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(_folder.ReadRecorded());
    }

    [Fact]
    public void A_node_back_with_a_fresh_actor_system_keeps_its_trials_and_a_restarted_process_gives_them_back()
    {
        var first = Register("n1", 2, incarnation: "process-a");
        first.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("n1"), 2), first);
        var held = first.ExpectMsg<TrialsGranted>().Leases.Select(l => l.Trial.Id).ToHashSet();

        // The same process rejoins (new agent, same incarnation): its two trials still run there, so it gets the rest.
        var rejoined = Register("n1", 2, incarnation: "process-a");
        rejoined.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("n1"), 6), rejoined);
        var rest = rejoined.ExpectMsg<TrialsGranted>().Leases;
        Assert.Equal(4, rest.Count);
        Assert.DoesNotContain(rest, l => held.Contains(l.Trial.Id));

        // A new process under the same node id: everything the old one held died with it and is leased again.
        var restarted = Register("n1", 2, incarnation: "process-b");
        restarted.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("n1"), 6), restarted);
        // Orphans go out one per grant (so that a poison trial dies alone), each at its second attempt.
        var again = Assert.Single(restarted.ExpectMsg<TrialsGranted>().Leases);
        Assert.Equal(2, again.Attempt);
    }

    [Fact]
    public void Results_are_acknowledged_once_durable_and_a_duplicate_is_acknowledged_without_a_second_row()
    {
        var node = Register("n1", 2);
        node.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("n1"), 2), node);
        var leases = node.ExpectMsg<TrialsGranted>().Leases;
        Assert.Equal(2, leases.Count);
        Assert.All(leases, l => Assert.Equal(1, l.Attempt));

        _run.Tell(new ResultsReady(new NodeId("n1"), [Ok(leases[0], "n1")]), node);
        var ack = node.ExpectMsg<ResultsAcknowledged>(TimeSpan.FromSeconds(5));
        Assert.Equal([leases[0].Trial.Id], ack.Trials);
        Assert.Equal(TrialStatus.Ok, _folder.ReadRecorded()[TrialKey.Of(leases[0].Trial.Id)]);

        // The node resends (its acknowledgement was lost): acknowledged again, never written again.
        _run.Tell(new ResultsReady(new NodeId("n1"), [Ok(leases[0], "n1")]), node);
        Assert.Equal([leases[0].Trial.Id], node.ExpectMsg<ResultsAcknowledged>().Trials);
        Assert.Single(_folder.ReadRecorded());
        Assert.Single(Directory.GetFiles(_folder.Results, "part-*.parquet"));
    }

    [Fact]
    public void A_dead_nodes_trials_are_leased_again_and_a_trial_whose_holders_died_max_deliveries_times_is_failed()
    {
        var first = Register("first", 1);
        first.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("first"), 1), first);
        var lease = Assert.Single(first.ExpectMsg<TrialsGranted>().Leases);

        var second = Register("second", 1);
        second.ExpectMsg<NodeWelcome>();
        Watch(first.Ref);
        Sys.Stop(first.Ref);
        ExpectTerminated(first.Ref);
        _run.Tell(new TrialsWanted(new NodeId("second"), 1), second);
        var again = Assert.Single(second.ExpectMsg<TrialsGranted>().Leases);
        Assert.Equal(lease.Trial.Id, again.Trial.Id);
        Assert.Equal(2, again.Attempt);

        // max_deliveries is 2: the second holder's death ends the trial as a failed row with attempt 3.
        Watch(second.Ref);
        Sys.Stop(second.Ref);
        ExpectTerminated(second.Ref);
        AwaitAssert(() => Assert.Equal(TrialStatus.Failed, _folder.ReadRecorded().GetValueOrDefault(TrialKey.Of(lease.Trial.Id))), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Trials_handed_back_go_to_a_waiting_node_first_and_the_sweep_finishes_when_every_trial_is_durable()
    {
        var leaving = Register("leaving", 4);
        leaving.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("leaving"), 4), leaving);
        var held = leaving.ExpectMsg<TrialsGranted>().Leases;
        var staying = Register("staying", 8);
        staying.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("staying"), 8), staying);
        Assert.Equal(2, staying.ExpectMsg<TrialsGranted>().Leases.Count); // 6 trials, 4 held elsewhere

        _run.Tell(new TrialsReturned(new NodeId("leaving"), [.. held.Select(l => l.Trial.Id)]), leaving);
        Assert.Equal(4, leaving.ExpectMsg<TrialsTakenBack>().Count);
        var back = staying.ExpectMsg<TrialsGranted>().Leases;
        Assert.Equal(held.Select(l => l.Trial.Id.Value).Order(), back.Select(l => l.Trial.Id.Value).Order());
        Assert.All(back, l => Assert.Equal(2, l.Attempt));

        _run.Tell(new ResultsReady(new NodeId("staying"), [.. _grid.Select(t => Ok(new Lease(t, 1), "staying"))]), staying);
        var counts = await _finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(6, counts.Ok);
        Assert.Equal(6, _folder.ReadRecorded().Count);
    }

    [Fact]
    public async Task A_run_that_resumes_leases_only_what_is_not_recorded_and_counts_the_recorded_as_done()
    {
        // Two of the six trials are in the part files already (the run was started before).
        var recorded = new Dictionary<TrialKey, TrialStatus> { [TrialKey.Of(_grid[1].Id)] = TrialStatus.Ok, [TrialKey.Of(_grid[4].Id)] = TrialStatus.Diverged };
        var finished = new TaskCompletionSource<SweepCounts>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new SweepRun.Options(new ResultSink.Options(1000, TimeSpan.FromMilliseconds(100), Compression.Snappy), _secret);
        var run = Sys.ActorOf(Props.Create(() => new SweepRun(new SweepId("actors"), new GridTrials(TrialPlanner.Plan(SweepFileParser.Load(Path.Combine(_tmp.Path, "s.yaml")))),
            recorded, _folder, new NoProgress(), options, finished)), "resumed");
        var node = CreateTestProbe();
        run.Tell(new NodeHello(new NodeId("n1"), "host", 8), node);
        var nonce = node.ExpectMsg<RegistrationChallenge>().Nonce;
        run.Tell(new RegisterNode(new NodeId("n1"), "host", 8, nonce, _secret.Prove(nonce, "n1")), node);
        node.ExpectMsg<NodeWelcome>();
        run.Tell(new TrialsWanted(new NodeId("n1"), 8), node);
        var leases = node.ExpectMsg<TrialsGranted>().Leases;
        Assert.Equal(new[] { 0, 2, 3, 5 }.Select(i => _grid[i].Id), leases.Select(l => l.Trial.Id));
        // Built when handed out, each spec is the one a materialized grid holds, byte for byte on the wire.
        Assert.Equal(_grid.Where((_, i) => i is 0 or 2 or 3 or 5).Select(Wire.Encode), leases.Select(l => Wire.Encode(l.Trial)));

        run.Tell(new ResultsReady(new NodeId("n1"), [.. leases.Select(l => Ok(l, "n1"))]), node);
        var counts = await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((6, 5, 1, 0, 4), (counts.Total, counts.Ok, counts.Diverged, counts.Remaining, counts.DoneThisRun));
    }

    [Fact]
    public void A_result_under_another_spelling_of_a_trial_id_is_not_this_sweeps_and_is_never_recorded()
    {
        var node = Register("n1", 1);
        node.ExpectMsg<NodeWelcome>();
        _run.Tell(new TrialsWanted(new NodeId("n1"), 1), node);
        var lease = Assert.Single(node.ExpectMsg<TrialsGranted>().Leases);
        // Upper-case hex names the same 128 bits, but the row would carry a trial_id no grid has.
        var shouted = lease with { Trial = lease.Trial with { Id = new TrialId(lease.Trial.Id.Value.ToUpperInvariant()) } };
        _run.Tell(new ResultsReady(new NodeId("n1"), [Ok(shouted, "n1")]), node);
        Assert.Equal([shouted.Trial.Id], node.ExpectMsg<ResultsAcknowledged>().Trials);
        node.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(_folder.ReadRecorded());
        Assert.Empty(Directory.GetFiles(_folder.Results, "part-*.parquet"));

        // The lease still stands: the real result is recorded under the grid's id.
        _run.Tell(new ResultsReady(new NodeId("n1"), [Ok(lease, "n1")]), node);
        Assert.Equal([lease.Trial.Id], node.ExpectMsg<ResultsAcknowledged>(TimeSpan.FromSeconds(5)).Trials);
        Assert.Equal(TrialStatus.Ok, Assert.Single(_folder.ReadRecorded()).Value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
        _tmp.Dispose();
    }
}
