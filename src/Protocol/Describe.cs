using System.Globalization;
using System.Text.Json;
using SweepCluster.Training;

namespace SweepCluster.Protocol;

/// <summary>Short human descriptions of a trial's model and target for result rows and reports.</summary>
public static class Describe
{
    public static string Model(TrialConfig c)
    {
        var m = c.Model;
        var kind = Name(m.Kind);
        var parts = new List<string> { kind };
        if (m.Kind is ModelKind.TwoLayer or ModelKind.Cnn1d or ModelKind.LocallyConnected1d or ModelKind.DeepFc)
        {
            parts.Add(Name(m.Activation));
            parts.Add($"width={c.Hyper.Width}");
            if (m.KernelSize > 0) parts.Add($"kernel={m.KernelSize}");
            if (m.Kind == ModelKind.DeepFc) parts.Add($"depth={m.Depth}");
            if (m.HiddenBias) parts.Add("hidden-bias");
            if (m.OutputBias) parts.Add("output-bias");
        }
        else if (m.Kind == ModelKind.DiagonalProduct) parts.Add($"depth={m.Depth}");
        parts.Add($"d={c.Data.InputDim}");
        return string.Join(' ', parts);
    }

    public static string Target(TrialConfig c)
    {
        var t = c.Target;
        return t.Kind switch
        {
            TargetKind.Teacher => $"teacher {Name(t.Activation)} k={t.Neurons?.Count ?? 0}",
            TargetKind.RandomTeacher => $"random teacher {Name(t.Activation)} k={t.NeuronCount} seed={t.Seed}",
            TargetKind.Matrix => $"matrix {t.Matrix?.Count ?? 0}x{t.Matrix?.Count ?? 0}",
            TargetKind.RandomLowRank => $"random rank-{t.Rank} matrix seed={t.Seed}",
            TargetKind.Linear => "linear " + LinearFormula(t),
            TargetKind.SparseLinear => $"{t.Sparsity}-sparse linear seed={t.Seed}",
            _ => Name(t.Kind),
        };
    }

    private static string LinearFormula(TargetSpec t)
    {
        var terms = new List<string>();
        if (t.Intercept != 0) terms.Add(t.Intercept.ToString("G6", CultureInfo.InvariantCulture));
        for (var j = 0; j < (t.Coefficients?.Count ?? 0); j++)
            if (t.Coefficients![j] != 0)
                terms.Add((t.Coefficients[j] == 1 ? "" : t.Coefficients[j].ToString("G6", CultureInfo.InvariantCulture) + "*") + $"x{j + 1}");
        return terms.Count == 0 ? "0" : string.Join("+", terms);
    }

    private static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
