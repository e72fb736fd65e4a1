using System.Text.RegularExpressions;

namespace SweepCluster.Integration.Tests.Cluster;

/// <summary>A node whose slot trains a batch, stopped in the middle of it: the batch's trials are handed back.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class BatchedNodeFaultTests
{
    [GeneratedRegex(@"started (\d+) trials, busy 1/1")]
    private static partial Regex Started();

    [GeneratedRegex(@"node leaving handed back (\d+) trials")]
    private static partial Regex HandedBack();

    [Fact]
    public async Task A_node_stopped_with_sigterm_in_the_middle_of_a_batch_hands_back_the_batch_and_what_waited()
    {
        await using var cluster = new ClusterHarness(NodeFaultTests.SlowSweep("batch-term", seeds: 8)) { TrialDelayMilliseconds = 2000 };
        var coordinator = cluster.StartCoordinator();
        var leaving = cluster.StartNode("leaving", slots: 1);

        // Its first pull is one trial (it has not seen one yet); the next fills a batch with the rest.
        Assert.True(await Signals.WaitUntilAsync(() => Started().Matches(leaving.Output).Any(m => int.Parse(m.Groups[1].Value) >= 2), NodeFaultTests.Patience), cluster.AllOutput());
        var batch = Started().Matches(leaving.Output).Select(m => int.Parse(m.Groups[1].Value)).Max();
        Signals.Terminate(leaving.Pid);
        Assert.True(await leaving.WaitForExitAsync(60) == 0, leaving.Output);
        Assert.True(await Signals.WaitUntilAsync(() => HandedBack().IsMatch(coordinator.Output), 30), cluster.AllOutput());
        var handedBack = int.Parse(HandedBack().Match(coordinator.Output).Groups[1].Value);
        // The whole batch, unfinished (each trial waits 2 s before it trains), and any lease that waited for the slot.
        Assert.True(handedBack >= batch, $"handed back {handedBack} of a batch of {batch}\n{cluster.AllOutput()}");

        cluster.StartNode("staying", slots: 1);
        Assert.True(await coordinator.WaitForExitAsync(NodeFaultTests.Patience) == 0, cluster.AllOutput());
        var rows = cluster.AssertEveryTrialExactlyOnce();
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.Equal(handedBack, rows.Count(r => r.Attempt == 2 && r.Node == "staying"));
    }
}
