using System.Globalization;
using System.Text.Json;

namespace SweepCluster.Training;

/// <summary>What a model kind needs from the sweep file and how it is named; one row of <see cref="ModelKinds"/>.</summary>
/// <param name="Name">The sweep file's spelling, kebab case: two-layer.</param>
/// <param name="UsesWidth">Hidden units or kernels come from the width axis (which must then be ≥ 1).</param>
/// <param name="UsesKernel">Needs model.kernel_size (≤ input_dim).</param>
/// <param name="UsesDepth">Needs model.depth.</param>
/// <param name="UsesActivation">Has an activation between layers (and so hidden and output biases).</param>
/// <param name="InputDim">The one input dimension the kind is defined for; null when any works.</param>
/// <param name="Summary">One line for people: the formula.</param>
public sealed record ModelKindFacts(
    ModelKind Kind, string Name, bool UsesWidth, bool UsesKernel, bool UsesDepth, bool UsesActivation, int? InputDim, string Summary);

/// <summary>
/// The facts about each <see cref="ModelKind"/> that the sweep-file parser, the engine's model factory, the theory
/// and the results' model description all go by, so they cannot disagree.
/// </summary>
public static class ModelKinds
{
    public static readonly IReadOnlyList<ModelKindFacts> All =
    [
        new(ModelKind.TwoLayer, "two-layer", UsesWidth: true, UsesKernel: false, UsesDepth: false, UsesActivation: true, InputDim: null,
            "f(x) = Σ_i a_i σ(w_i·x + b_i) (+ c), width m"),
        new(ModelKind.Cnn1d, "cnn1d", UsesWidth: true, UsesKernel: true, UsesDepth: false, UsesActivation: true, InputDim: null,
            "1-D convolution: width kernels of size s, stride 1, σ, one output weight per kernel and position"),
        new(ModelKind.LocallyConnected1d, "locally-connected1d", UsesWidth: true, UsesKernel: true, UsesDepth: false, UsesActivation: true, InputDim: null,
            "as cnn1d without weight sharing across positions"),
        new(ModelKind.MatrixFactorization, "matrix-factorization", UsesWidth: false, UsesKernel: false, UsesDepth: false, UsesActivation: false, InputDim: null,
            "f = AB, A, B ∈ R^{d×d}; inputs are matrix entries (i, j)"),
        new(ModelKind.LinearL, "linear-l", UsesWidth: false, UsesKernel: false, UsesDepth: false, UsesActivation: false, InputDim: null,
            "E1's f_L = θ0 + Σ_j θ_j x_j"),
        new(ModelKind.LinearNL, "linear-nl", UsesWidth: false, UsesKernel: false, UsesDepth: false, UsesActivation: false, InputDim: 2,
            "E1's f_NL = θ0 + θ1x1 + θ2θ3x2"),
        new(ModelKind.DiagonalSquares, "diagonal-squares", UsesWidth: false, UsesKernel: false, UsesDepth: false, UsesActivation: false, InputDim: null,
            "Σ_j (a_j² − b_j²) x_j"),
        new(ModelKind.DiagonalProduct, "diagonal-product", UsesWidth: false, UsesKernel: false, UsesDepth: true, UsesActivation: false, InputDim: null,
            "Σ_j a_j^[1]⋯a_j^[L] x_j with L = depth"),
        new(ModelKind.DeepFc, "deep-fc", UsesWidth: true, UsesKernel: false, UsesDepth: true, UsesActivation: true, InputDim: null,
            "fully connected, depth layers of weights, hidden width m, σ between layers"),
    ];

    public static ModelKindFacts Of(ModelKind kind) =>
        All.FirstOrDefault(f => f.Kind == kind) ?? throw new ArgumentException($"Model.Kind: unknown value {kind}", nameof(kind));

    /// <summary>
    /// The model of a trial in a few words, the results' `model` column: "two-layer tanh width=4 hidden-bias d=1".
    /// Every part is a field of the config, so the same config always reads the same.
    /// </summary>
    public static string Describe(TrialConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Program is { } program) return $"program {program.ProgramFile ?? program.Command[0]}";
        var m = config.Model;
        var facts = Of(m.Kind);
        var parts = new List<string> { facts.Name };
        if (facts.UsesActivation)
        {
            parts.Add(NameOf(m.Activation));
            parts.Add($"width={config.Hyper.Width}");
        }
        if (facts.UsesActivation && m.KernelSize > 0) parts.Add($"kernel={m.KernelSize}");
        if (facts.UsesDepth) parts.Add($"depth={m.Depth}");
        if (facts.UsesActivation && m.HiddenBias) parts.Add("hidden-bias");
        if (facts.UsesActivation && m.OutputBias) parts.Add("output-bias");
        parts.Add($"d={config.Data.InputDim}");
        return string.Join(' ', parts);
    }

    /// <summary>The target of a trial in a few words, the results' `target` column: "teacher tanh k=1".</summary>
    public static string DescribeTarget(TrialConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Program is not null) return "";
        var t = config.Target;
        return t.Kind switch
        {
            TargetKind.Teacher => $"teacher {NameOf(t.Activation)} k={t.Neurons?.Count ?? 0}",
            TargetKind.RandomTeacher => $"random teacher {NameOf(t.Activation)} k={t.NeuronCount} seed={t.Seed}",
            TargetKind.Matrix => $"matrix {t.Matrix?.Count ?? 0}x{t.Matrix?.Count ?? 0}",
            TargetKind.RandomLowRank => $"random rank-{t.Rank} matrix seed={t.Seed}",
            TargetKind.Linear => "linear " + LinearFormula(t),
            TargetKind.SparseLinear => $"{t.Sparsity}-sparse linear seed={t.Seed}",
            _ => NameOf(t.Kind),
        };
    }

    /// <summary>An enum member as the sweep file writes it: kebab case, two-layer for TwoLayer.</summary>
    public static string NameOf<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    private static string LinearFormula(TargetSpec t)
    {
        var terms = new List<string>();
        if (t.Intercept != 0) terms.Add(t.Intercept.ToString("G6", CultureInfo.InvariantCulture));
        for (var j = 0; j < (t.Coefficients?.Count ?? 0); j++)
            if (t.Coefficients![j] != 0)
                terms.Add((t.Coefficients[j] == 1 ? "" : t.Coefficients[j].ToString("G6", CultureInfo.InvariantCulture) + "*") + $"x{j + 1}");
        return terms.Count == 0 ? "0" : string.Join("+", terms);
    }
}
