using System.Text;
using SweepCluster.Protocol;
using SweepCluster.Training;

namespace SweepCluster.Protocol.Tests;

public sealed class WireTests
{
    private static readonly TrialConfig Config = new()
    {
        Model = new ModelSpec { Kind = ModelKind.Cnn1d, KernelSize = 3, HiddenBias = true },
        Target = new TargetSpec
        {
            Kind = TargetKind.Teacher,
            Neurons = [new TeacherNeuron(1.0, [0.6, 0.8, 1.0, 0, 0], 0), new TeacherNeuron(-0.5, [0, 0.6, 0.8, 1.0, 0], 0.25)],
        },
        Data = new DataSpec { InputDim = 5, TestSize = 1000 },
        Training = new TrainingSpec { MaxSteps = 5000, LossTolerance = 1e-12, Precision = Precision.Float32, InitGamma = 0.5 },
        Hyper = new Hyperparameters { InitScale = 1e-10, Width = 3, LearningRate = 0.05, SampleSize = 17, Seed = 4, WeightDecay = 1e-4 },
    };

    private static readonly TrialSpec Spec = new(new SweepId("e5"), TrialId.For(Config), "cnn", "cnn width=3", Config, 3600, 3);

    [Fact]
    public void TrialRoundTripsWithItsIdIntact()
    {
        var back = Assert.IsType<TrialSpec>(Wire.Decode(Wire.Encode(Spec)));
        Assert.Equal(Spec.Id, back.Id);
        Assert.Equal(Spec.Id, TrialId.For(back.Config));
        Assert.Equal(CanonicalJson.Of(Spec.Config), CanonicalJson.Of(back.Config));
        Assert.Equal(Spec with { Config = back.Config }, back);
        Assert.Equal([0.6, 0.8, 1.0, 0, 0], back.Config.Target.Neurons![0].W);
    }

    [Fact]
    public void ResultRoundTripsIncludingNaNAndNulls()
    {
        var started = new DateTime(2026, 11, 22, 23, 0, 0, DateTimeKind.Utc);
        var result = new TrialResult(Spec, TrialStatus.Diverged, double.NaN, double.PositiveInfinity, null, 12, 28, "cnn1d",
            0.5, new NodeId("gpu-7"), 2, started, started.AddSeconds(1), "training diverged");
        var back = Assert.IsType<TrialResult>(Wire.Decode(Wire.Encode(result)));
        Assert.Equal(result with { Spec = back.Spec }, back);
        Assert.True(double.IsNaN(back.TrainLoss));
        Assert.Equal(Spec.Id, back.Spec.Id);
    }

    [Fact]
    public void HeartbeatRoundTrips()
    {
        var beat = new NodeHeartbeat(new NodeId("n1"), "host", 4, 3, 120, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.Equal(beat, Wire.Decode(Wire.Encode(beat)));
    }

    [Fact]
    public void A_program_trial_and_its_result_round_trip_with_axes_metrics_and_gpu()
    {
        var config = new TrialConfig
        {
            Model = new(), Target = new(), Data = new(), Training = new(),
            Hyper = new Hyperparameters { SampleSize = 32, Seed = 2 }.WithExtra("width", 256).WithExtra("depth", 3).WithExtra("dropout", 0.25),
            Program = new ProgramSpec { Command = ["python3", "train.py", "--epochs", "50"], Env = ["OMP_NUM_THREADS=1"], ProgramFile = "train.py", ProgramSha256 = new string('c', 64) },
        };
        var spec = new TrialSpec(new SweepId("my-mlp"), TrialId.For(config), "my-mlp", "my-mlp", config, 600, 3, "/home/u/sweeps", "/home/u/runs/my-mlp");
        var at = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        var result = new TrialResult(spec, TrialStatus.Ok, 0.01, 0.02, null, 500, 0, "program train.py", 3.5, new NodeId("gpu-node"), 1, at, at.AddSeconds(4),
            null, Metrics: "{\"test_error\":0.02,\"accuracy\":0.97}", Gpu: "3");

        var back = Assert.IsType<TrialResult>(Wire.Decode(Wire.Encode(result)));

        Assert.Equal(spec.Id, TrialId.For(back.Spec.Config));
        Assert.Equal(CanonicalJson.Of(config), CanonicalJson.Of(back.Spec.Config));
        Assert.Equal(new Dictionary<string, double> { ["depth"] = 3, ["dropout"] = 0.25, ["width"] = 256 }, back.Spec.Config.Hyper.Extra!);
        Assert.Equal(["python3", "train.py", "--epochs", "50"], back.Spec.Config.Program!.Command);
        Assert.Equal(("/home/u/sweeps", "/home/u/runs/my-mlp"), (back.Spec.ProgramDirectory, back.Spec.RunDirectory));
        Assert.Equal(("{\"test_error\":0.02,\"accuracy\":0.97}", "3"), (back.Metrics, back.Gpu));
        // The program's axes sit in the id's JSON in name order whatever order they were set in.
        Assert.Contains("\"extra\":{\"depth\":3,\"dropout\":0.25,\"width\":256}", CanonicalJson.Of(config), StringComparison.Ordinal);
    }

    [Fact]
    public void A_heartbeat_names_its_busy_gpus_and_one_without_them_still_reads()
    {
        var beat = new NodeHeartbeat(new NodeId("n1"), "host", 4, 2, 120, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), ["0", "GPU-1234"]);
        var back = Assert.IsType<NodeHeartbeat>(Wire.Decode(Wire.Encode(beat)));
        Assert.Equal(["0", "GPU-1234"], back.BusyGpus!);

        var old = Assert.IsType<NodeHeartbeat>(Wire.Decode(Encoding.UTF8.GetBytes(
            "{\"v\":1,\"kind\":\"heartbeat\",\"body\":{\"node\":{\"value\":\"n1\"},\"host\":\"h\",\"slots\":2,\"busy_slots\":1,\"trials_done\":5,\"at\":\"2026-01-02T03:04:05Z\"}}")));
        Assert.Null(old.BusyGpus);
        Assert.Equal(1, old.BusySlots);
    }

    [Fact]
    public void EnvelopeCarriesVersionAndKind()
    {
        var json = Encoding.UTF8.GetString(Wire.Encode(Spec));
        Assert.StartsWith("{\"v\":1,\"kind\":\"trial\",\"body\":{", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "not JSON")]
    [InlineData("[1,2,3]", "expected a JSON object envelope")]
    [InlineData("{\"v\":2,\"kind\":\"trial\",\"body\":{}}", "unknown wire version 2")]
    [InlineData("{\"kind\":\"trial\",\"body\":{}}", "unknown wire version (missing)")]
    [InlineData("{\"v\":1,\"kind\":\"gossip\",\"body\":{}}", "unknown message kind 'gossip'")]
    [InlineData("{\"v\":1,\"kind\":\"trial\"}", "missing body")]
    [InlineData("{\"v\":1,\"kind\":\"trial\",\"body\":{\"sweep\":5}}", "bad trial body")]
    [InlineData("{\"v\":1,\"kind\":\"result\",\"body\":[]}", "bad result body")]
    public void GarbledMessagesAreWireFormatErrorsNeverCrashes(string text, string message)
    {
        var e = Assert.Throws<WireFormatException>(() => Wire.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomBytesNeverEscapeAsAnotherException()
    {
        var valid = Wire.Encode(Spec);
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            var cut = bytes.AsSpan(0, random.Next(bytes.Length + 1));
            try { Wire.Decode(cut); }
            catch (WireFormatException) { }
        }
    }
}

public sealed class WorkMessageWireTests
{
    private static readonly TrialConfig Config = new()
    {
        Model = new ModelSpec { Kind = ModelKind.TwoLayer, HiddenBias = true },
        Target = new TargetSpec { Kind = TargetKind.Teacher, Neurons = [new TeacherNeuron(1.0, [1.0], 0.3)] },
        Data = new DataSpec { InputDim = 1, TestSize = 10 },
        Training = new TrainingSpec { MaxSteps = 100 },
        Hyper = new Hyperparameters { InitScale = 1e-3, Width = 2, LearningRate = 0.1, SampleSize = 3, Seed = 1 },
    };

    private static readonly TrialSpec Spec = new(new SweepId("s"), TrialId.For(Config), "two-layer", "g", Config, 60, 2);

    public static TheoryData<IWireMessage> Messages()
    {
        var at = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        var result = new TrialResult(Spec, TrialStatus.Ok, 1e-9, 0.01, null, 100, 7, "two-layer", 0.2, new NodeId("n"), 1, at, at, null);
        return new TheoryData<IWireMessage>
        {
            new NodeHello(new NodeId("n"), "host", 4),
            new RegistrationChallenge("00ff"),
            new RegisterNode(new NodeId("n"), "host", 4, "00ff", "abcd", "0123456789abcdef"),
            new NodeWelcome(new SweepId("s")),
            new NodeRejected("no"),
            new TrialsWanted(new NodeId("n"), 3),
            new TrialsGranted([new Lease(Spec, 2)]),
            new ResultsReady(new NodeId("n"), [result]),
            new ResultsAcknowledged([Spec.Id]),
            new TrialsReturned(new NodeId("n"), [Spec.Id]),
            new TrialsTakenBack(1),
            new NodesQuery("00ff", "abcd"),
            new NodesReport([new NodeHeartbeat(new NodeId("n"), "host", 4, 2, 9, at)]),
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void EveryWorkMessageRoundTripsUnderItsOwnKind(IWireMessage message)
    {
        var bytes = Wire.Encode(message);
        var back = Wire.Decode(bytes);
        Assert.Equal(message.GetType(), back.GetType());
        // Records with lists compare by reference: compare their encodings instead.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(Wire.Encode(back)));
        Assert.Contains($"\"kind\":\"{Wire.KindOf(message)}\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void ATypeNameInTheKindBuildsNothing()
    {
        var e = Assert.Throws<WireFormatException>(() => Wire.Decode(Encoding.UTF8.GetBytes(
            "{\"v\":1,\"kind\":\"System.IO.FileInfo, System.IO.FileSystem\",\"body\":{\"fileName\":\"/etc/passwd\"}}")));
        Assert.Contains("unknown message kind", e.Message, StringComparison.Ordinal);
    }
}
