using SweepCluster.Coordinator.SweepFiles;
using SweepCluster.Training;

namespace SweepCluster.Coordinator.Tests;

/// <summary>The model-kind table (src/Training/ModelKinds.cs) as the parser and the results' description read it.</summary>
public sealed class ModelKindsTests
{
    [Fact]
    public void EveryKindHasExactlyOneRowNamedAsTheSweepFileWritesIt()
    {
        Assert.Equal(Enum.GetValues<ModelKind>(), ModelKinds.All.Select(f => f.Kind));
        foreach (var facts in ModelKinds.All)
            Assert.Equal(YamlNodes.NameOf(facts.Kind), facts.Name);
    }

    private static string Sweep(string model, int inputDim, string width = "[3]") => $$"""
        name: k
        experiment:
          model: {{model}}
          target: { kind: random-teacher, neuron_count: 1 }
          data: { input_dim: {{inputDim}} }
        grid: { init_scale: 1, width: {{width}}, learning_rate: 0.1, sample_size: 2 }
        """;

    [Theory]
    [InlineData("{ kind: cnn1d }", 3, "model.kernel_size is required for model kind cnn1d")]
    [InlineData("{ kind: locally-connected1d }", 3, "model.kernel_size is required for model kind locally-connected1d")]
    [InlineData("{ kind: deep-fc }", 3, "model.depth is required for model kind deep-fc")]
    [InlineData("{ kind: diagonal-product }", 3, "model.depth is required for model kind diagonal-product")]
    [InlineData("{ kind: linear-nl }", 3, "data.input_dim is 3 but model kind linear-nl takes exactly 2 inputs")]
    public void TheParserAsksForWhatTheTableSaysAKindNeeds(string model, int inputDim, string message)
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFileParser.Parse("k.yaml", Sweep(model, inputDim)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WidthMustBePositiveExactlyForTheKindsThatUseIt()
    {
        foreach (var facts in ModelKinds.All)
        {
            var model = $"{{ kind: {facts.Name}, kernel_size: 2, depth: 2 }}";
            var yaml = Sweep(model, facts.InputDim ?? 3, width: "[0]");
            if (facts.UsesWidth)
                Assert.Contains("grid.width must list widths ≥ 1", Assert.Throws<SweepFileException>(() => SweepFileParser.Parse("k.yaml", yaml)).Message, StringComparison.Ordinal);
            else
                Assert.Single(SweepFileParser.Parse("k.yaml", yaml).Experiments);
        }
    }

    [Fact]
    public void TheModelDescriptionNamesWhatTheKindUses()
    {
        var config = new TrialConfig
        {
            Model = new ModelSpec { Kind = ModelKind.TwoLayer, HiddenBias = true },
            Target = new TargetSpec { Kind = TargetKind.Teacher, Neurons = [new TeacherNeuron(1.2, [1.5], 0.5)] },
            Data = new DataSpec { InputDim = 1 },
            Training = new TrainingSpec(),
            Hyper = new Hyperparameters { Width = 4 },
        };
        Assert.Equal("two-layer tanh width=4 hidden-bias d=1", ModelKinds.Describe(config));
        Assert.Equal("teacher tanh k=1", ModelKinds.DescribeTarget(config));
        Assert.Equal("diagonal-product depth=3 d=1", ModelKinds.Describe(config with { Model = new ModelSpec { Kind = ModelKind.DiagonalProduct, Depth = 3 } }));
        Assert.Equal("deep-fc relu width=4 depth=2 d=1",
            ModelKinds.Describe(config with { Model = new ModelSpec { Kind = ModelKind.DeepFc, Activation = Activation.Relu, Depth = 2 } }));
    }
}
