using System.Text.RegularExpressions;
using SweepCluster.Analysis;
using SweepCluster.GpuNode.Programs;
using SweepCluster.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Coordinator.SweepFiles;

/// <summary>
/// Reads a sweep file (docs/sweep-files.md) into a validated SweepFile. Every problem is a SweepFileException
/// naming file, line and column; nothing here guesses a default for a value that was written wrongly.
/// </summary>
internal static partial class SweepFileParser
{
    private static readonly string[] TopKeys = ["name", "description", "experiment", "training", "variants", "grid", "estimate", "run"];
    private static readonly string[] ExperimentKeys = ["model", "target", "data", "program"];
    private static readonly string[] EngineKeys = ["model", "target", "data"];
    private static readonly string[] VariantKeys = ["name", "model", "target", "data", "program", "grid"];
    private static readonly string[] ProgramKeys = ["command", "env"];
    private static readonly string[] ModelKeys = ["kind", "activation", "hidden_bias", "output_bias", "kernel_size", "depth"];
    private static readonly string[] TargetKeys = ["kind", "activation", "neurons", "neuron_count", "matrix", "rank", "coefficients", "intercept", "sparsity", "seed"];
    private static readonly string[] NeuronKeys = ["a", "w", "b"];
    private static readonly string[] DataKeys = ["input_dim", "inputs", "uniform_low", "uniform_high", "test_size", "entry_order"];
    private static readonly string[] TrainingKeys = ["optimizer", "max_steps", "loss_tolerance", "precision", "momentum", "batch_size", "beta1", "beta2", "epsilon", "divergence_loss", "plateau_steps", "plateau_tolerance", "init_gamma", "curve_every"];
    private static readonly string[] EstimateKeys = ["threshold", "quorum", "tune", "error", "search"];
    private static readonly string[] RunKeys = ["trial_timeout_seconds", "max_deliveries"];
    private static readonly string[] AxisNames = GridAxes.All.Select(a => a.Name).ToArray();
    /// <summary>The variables the node sets for every program trial; a sweep file may not set them itself.</summary>
    private static readonly string[] ContractVariables =
        [ProgramContract.TrialVariable, ProgramContract.ResultVariable, ProgramContract.TrialDirectoryVariable, ProgramContract.GpuVariable];

    /// <param name="programFolder">Where the program files are read for their hash; null: the sweep file's folder. A run
    /// folder's copy of the sweep file is read against the copy of its program files (RunLayout.ProgramCopy).</param>
    public static SweepFile Load(string path, string? programFolder = null)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SweepFileException(path, 0, 0, $"cannot read the sweep file: {e.Message}");
        }
        return Parse(path, text, programFolder);
    }

    public static SweepFile Parse(string path, string text, string? programFolder = null)
    {
        var y = new YamlNodes(path);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try { stream.Load(parser); }
        catch (YamlException e)
        {
            throw new SweepFileException(path, e.Start.Line, e.Start.Column, $"not valid YAML: {(e.InnerException ?? e).Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's representation model reports some unfinished structures (a '{' or '[' left open at the
            // end of a mapping) this way, without a place; the parser's last event is where it gave up.
            var at = parser.Current?.Start ?? Mark.Empty;
            throw new SweepFileException(path, at.Line, at.Column,
                "not valid YAML: the structure is not finished here; expected every '{' and '[' to be closed and every key to have a value");
        }
        if (stream.Documents.Count != 1)
            throw new SweepFileException(path, 1, 1, $"expected exactly one YAML document, found {stream.Documents.Count}");

        var top = y.Mapping(stream.Documents[0].RootNode, "the sweep file", TopKeys);
        var root = stream.Documents[0].RootNode;
        var name = y.String(Required(y, top, "name", root, "the sweep file"), "name");
        if (!NamePattern().IsMatch(name))
            throw y.Error(top["name"], $"name '{name}' must be 1-100 letters, digits, '.', '_' or '-' (it names the run folder)");
        var description = top.TryGetValue("description", out var d) ? y.String(d, "description") : "";

        var experimentNode = Required(y, top, "experiment", root, "the sweep file");
        var experiment = y.Mapping(experimentNode, "experiment", ExperimentKeys);
        // A sweep trains either the built-in engine's models or the user's own program: the results table has one set of axes.
        var isProgram = experiment.ContainsKey("program");
        if (isProgram && top.TryGetValue("training", out var engineTraining))
            throw y.Error(engineTraining, "training configures the built-in engine; a program trains itself (give its settings in experiment.program.command or .env)");
        var training = top.TryGetValue("training", out var t) ? ParseTraining(y, t) : new TrainingSpec();
        var gridNode = y.Mapping(Required(y, top, "grid", root, "the sweep file"), "grid", isProgram ? null : AxisNames);

        var variantNodes = new List<(YamlNode Node, Dictionary<string, YamlNode> Map, Dictionary<string, YamlNode> Grid)>();
        if (top.TryGetValue("variants", out var vs))
        {
            var list = y.Sequence(vs, "variants");
            if (list.Count == 0) throw y.Error(vs, "variants must list at least one variant, got an empty list");
            foreach (var (node, i) in list.Select((n, i) => (n, i)))
            {
                var v = y.Mapping(node, $"variants[{i}]", VariantKeys);
                var axes = v.TryGetValue("grid", out var g) ? y.Mapping(g, $"variants[{i}].grid", isProgram ? gridNode.Keys.ToList() : AxisNames) : [];
                variantNodes.Add((node, v, axes));
            }
        }
        var sweepAxes = isProgram ? ProgramAxes(y, gridNode, variantNodes.Select(v => v.Grid).ToList()) : GridAxes.All;
        var folder = programFolder ?? Path.GetDirectoryName(Path.GetFullPath(path))!;

        var variants = new List<Experiment>();
        foreach (var ((node, v, axes), i) in variantNodes.Select((v, i) => (v, i)))
        {
            var vName = y.String(Required(y, v, "name", node, $"variants[{i}]"), $"variants[{i}].name");
            if (variants.Any(x => x.Name == vName))
                throw y.Error(v["name"], $"variant name '{vName}' is used twice; variant names must be unique");
            var sections = v.Where(kv => ExperimentKeys.Contains(kv.Key)).ToDictionary();
            variants.Add(BuildExperiment(y, vName, node, Merge(y, experiment, sections, deep: true), Merge(y, gridNode, axes, deep: false), sweepAxes, folder));
        }
        if (variantNodes.Count == 0)
            variants.Add(BuildExperiment(y, name, root, experiment, gridNode, sweepAxes, folder));

        var estimate = ParseEstimate(y, top.GetValueOrDefault("estimate"), sweepAxes, isProgram);
        var limits = ParseLimits(y, top.GetValueOrDefault("run"));
        return new SweepFile(path, name, description, training, variants, estimate, limits);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex NamePattern();

    private static YamlNode Required(YamlNodes y, Dictionary<string, YamlNode> map, string key, YamlNode owner, string what) =>
        map.TryGetValue(key, out var node) ? node : throw y.Error(owner, $"{what} is missing the required key '{key}'");

    /// <summary>
    /// A variant's model, target and data are merged key by key over the experiment's (a model or target of
    /// another kind replaces the experiment's instead); a variant's grid axis
    /// replaces the sweep's axis of the same name.
    /// </summary>
    private static Dictionary<string, YamlNode> Merge(YamlNodes y, Dictionary<string, YamlNode> basis, Dictionary<string, YamlNode> over, bool deep)
    {
        var merged = new Dictionary<string, YamlNode>(basis, StringComparer.Ordinal);
        foreach (var (k, v) in over)
            merged[k] = deep && v is YamlMappingNode m && basis.TryGetValue(k, out var b) && b is YamlMappingNode bm && SameKind(bm, m) ? MergeMap(y, bm, m) : v;
        return merged;
    }

    /// <summary>
    /// A variant's section that names another kind replaces the experiment's: the old kind's keys (a teacher's
    /// neurons under a random-low-rank target) would be errors the user never wrote for that variant.
    /// </summary>
    private static bool SameKind(YamlMappingNode basis, YamlMappingNode over)
    {
        var key = new YamlScalarNode("kind");
        return !over.Children.TryGetValue(key, out var kind) || !basis.Children.TryGetValue(key, out var baseKind)
            || string.Equals((kind as YamlScalarNode)?.Value, (baseKind as YamlScalarNode)?.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static YamlMappingNode MergeMap(YamlNodes y, YamlMappingNode basis, YamlMappingNode over)
    {
        var result = new YamlMappingNode();
        y.PlaceAt(result, over);
        foreach (var (k, v) in basis.Children)
            if (!over.Children.ContainsKey(k)) result.Children.Add(k, v);
        foreach (var (k, v) in over.Children) result.Children.Add(k, v);
        return result;
    }

    private static Experiment BuildExperiment(YamlNodes y, string name, YamlNode owner, Dictionary<string, YamlNode> experiment,
        Dictionary<string, YamlNode> grid, IReadOnlyList<GridAxis> sweepAxes, string folder)
    {
        if (experiment.TryGetValue("program", out var programNode))
        {
            if (EngineKeys.FirstOrDefault(experiment.ContainsKey) is { } engineKey)
                throw y.Error(experiment[engineKey], $"experiment '{name}' has both program and {engineKey}; a sweep trains either the user's program or " +
                    "the built-in engine's model/target/data, not both");
            return new Experiment(name, new ModelSpec(), new TargetSpec(), new DataSpec(), GridParser.Parse(y, owner, grid, sweepAxes), ParseProgram(y, programNode, folder));
        }
        var modelNode = Required(y, experiment, "model", owner, $"experiment '{name}'");
        var targetNode = Required(y, experiment, "target", owner, $"experiment '{name}'");
        var dataNode = Required(y, experiment, "data", owner, $"experiment '{name}'");
        var model = ParseModel(y, modelNode);
        var data = ParseData(y, dataNode);
        var target = ParseTarget(y, targetNode, data);
        var g = GridParser.Parse(y, owner, grid, sweepAxes);
        CheckCompatible(y, modelNode, model, dataNode, data, g, grid);
        return new Experiment(name, model, target, data, g);
    }

    /// <summary>
    /// A program sweep's own axes (the grid's keys but sample_size and seed): each name a results column and a key of
    /// the trial file, so it must be a plain identifier that neither of them already uses; a variant's grid may only
    /// change their values.
    /// </summary>
    private static IReadOnlyList<GridAxis> ProgramAxes(YamlNodes y, Dictionary<string, YamlNode> grid, IReadOnlyList<Dictionary<string, YamlNode>> variantGrids)
    {
        foreach (var (axis, node) in grid)
            if (axis != GridAxes.SampleSize.Name && axis != GridAxes.Seed.Name && !ProgramAxis.IsValidName(axis))
                throw y.Error(node, $"grid.{axis}: a program's axis needs a name of letters, digits and '_' (not first a digit, at most 64) " +
                    $"that is not a results column ({string.Join(", ", ResultTable.FixedColumnNames.Order(StringComparer.Ordinal))})");
        return GridParser.ProgramAxes(y, grid, variantGrids);
    }

    /// <summary>program: {command: [executable, arguments…], env: {NAME: value}}; the command runs in the sweep file's folder.</summary>
    private static ProgramSpec ParseProgram(YamlNodes y, YamlNode node, string folder)
    {
        var m = y.Mapping(node, "experiment.program", ProgramKeys);
        var commandNode = Required(y, m, "command", node, "experiment.program");
        var command = y.Sequence(commandNode, "experiment.program.command").Select((n, i) => y.String(n, $"experiment.program.command[{i}]")).ToList();
        if (command.Count == 0 || command[0].Length == 0)
            throw y.Error(commandNode, "experiment.program.command is empty; expected the program and its arguments, e.g. [python3, train.py]");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (m.TryGetValue("env", out var envNode))
            foreach (var (key, value) in y.Mapping(envNode, "experiment.program.env", null))
            {
                if (key.Length == 0 || !(char.IsAsciiLetter(key[0]) || key[0] == '_') || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    throw y.Error(value, $"experiment.program.env has the name '{key}'; expected an environment variable name (letters, digits, '_')");
                if (ContractVariables.Contains(key))
                    throw y.Error(value, $"experiment.program.env sets {key}, which the node sets for every trial (docs/sweep-files.md, the program contract)");
                env[key] = y.String(value, $"experiment.program.env.{key}");
            }
        try { return ProgramIdentity.Of(command, env, folder); }
        catch (IOException e) { throw y.Error(commandNode, $"experiment.program.command: cannot read the program file to hash it: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw y.Error(commandNode, $"experiment.program.command: cannot read the program file to hash it: {e.Message}"); }
    }

    private static ModelSpec ParseModel(YamlNodes y, YamlNode node)
    {
        var m = y.Mapping(node, "model", ModelKeys);
        var spec = new ModelSpec
        {
            Kind = y.Enum<ModelKind>(Required(y, m, "kind", node, "model"), "model.kind"),
            Activation = m.TryGetValue("activation", out var a) ? y.Enum<Activation>(a, "model.activation") : Activation.Tanh,
            HiddenBias = m.TryGetValue("hidden_bias", out var hb) && y.Bool(hb, "model.hidden_bias"),
            OutputBias = m.TryGetValue("output_bias", out var ob) && y.Bool(ob, "model.output_bias"),
            KernelSize = m.TryGetValue("kernel_size", out var k) ? Positive(y, k, "model.kernel_size") : 0,
            Depth = m.TryGetValue("depth", out var dp) ? Positive(y, dp, "model.depth") : 0,
        };
        var facts = ModelKinds.Of(spec.Kind);
        if (facts.UsesKernel && spec.KernelSize == 0)
            throw y.Error(node, $"model.kernel_size is required for model kind {facts.Name}");
        if (facts.UsesDepth && spec.Depth == 0)
            throw y.Error(node, $"model.depth is required for model kind {facts.Name}");
        return spec;
    }

    private static DataSpec ParseData(YamlNodes y, YamlNode node)
    {
        var m = y.Mapping(node, "data", DataKeys);
        var data = new DataSpec
        {
            InputDim = Positive(y, Required(y, m, "input_dim", node, "data"), "data.input_dim"),
            Inputs = m.TryGetValue("inputs", out var i) ? y.Enum<InputDistribution>(i, "data.inputs") : InputDistribution.Gaussian,
            UniformLow = m.TryGetValue("uniform_low", out var lo) ? y.Double(lo, "data.uniform_low") : -1,
            UniformHigh = m.TryGetValue("uniform_high", out var hi) ? y.Double(hi, "data.uniform_high") : 1,
            TestSize = m.TryGetValue("test_size", out var ts) ? Positive(y, ts, "data.test_size") : 1000,
            EntryOrder = m.TryGetValue("entry_order", out var eo) ? y.Ints(eo, "data.entry_order") : null,
        };
        if (data.UniformLow >= data.UniformHigh)
            throw y.Error(m.GetValueOrDefault("uniform_low") ?? node, $"data.uniform_low ({data.UniformLow}) must be below data.uniform_high ({data.UniformHigh})");
        return data;
    }

    private static TargetSpec ParseTarget(YamlNodes y, YamlNode node, DataSpec data)
    {
        var m = y.Mapping(node, "target", TargetKeys);
        var kind = y.Enum<TargetKind>(Required(y, m, "kind", node, "target"), "target.kind");
        IReadOnlyList<TeacherNeuron>? neurons = null;
        if (m.TryGetValue("neurons", out var ns))
        {
            neurons = y.Sequence(ns, "target.neurons").Select((n, i) =>
            {
                var nm = y.Mapping(n, $"target.neurons[{i}]", NeuronKeys);
                var w = y.Doubles(Required(y, nm, "w", n, $"target.neurons[{i}]"), $"target.neurons[{i}].w");
                if (w.Count != data.InputDim)
                    throw y.Error(nm["w"], $"target.neurons[{i}].w has {w.Count} entries but data.input_dim is {data.InputDim}");
                return new TeacherNeuron(
                    nm.TryGetValue("a", out var a) ? y.Double(a, $"target.neurons[{i}].a") : 1.0, w,
                    nm.TryGetValue("b", out var b) ? y.Double(b, $"target.neurons[{i}].b") : 0.0);
            }).ToList();
        }
        IReadOnlyList<IReadOnlyList<double>>? matrix = null;
        if (m.TryGetValue("matrix", out var mx))
        {
            var rows = y.Sequence(mx, "target.matrix");
            matrix = rows.Select((r, i) => y.Doubles(r, $"target.matrix[{i}]")).ToList();
            if (matrix.Count != data.InputDim || matrix.Any(r => r.Count != data.InputDim))
                throw y.Error(mx, $"target.matrix must be {data.InputDim}×{data.InputDim} (data.input_dim), got {matrix.Count} rows of lengths {string.Join(",", matrix.Select(r => r.Count))}");
        }
        var coefficients = m.TryGetValue("coefficients", out var c) ? y.Doubles(c, "target.coefficients") : null;
        if (coefficients is not null && coefficients.Count != data.InputDim)
            throw y.Error(c!, $"target.coefficients has {coefficients.Count} entries but data.input_dim is {data.InputDim}");
        var spec = new TargetSpec
        {
            Kind = kind,
            Activation = m.TryGetValue("activation", out var a) ? y.Enum<Activation>(a, "target.activation") : Activation.Tanh,
            Neurons = neurons,
            NeuronCount = m.TryGetValue("neuron_count", out var nc) ? Positive(y, nc, "target.neuron_count") : 0,
            Matrix = matrix,
            Rank = m.TryGetValue("rank", out var r) ? Positive(y, r, "target.rank") : 0,
            Coefficients = coefficients,
            Intercept = m.TryGetValue("intercept", out var ic) ? y.Double(ic, "target.intercept") : 0,
            Sparsity = m.TryGetValue("sparsity", out var sp) ? Positive(y, sp, "target.sparsity") : 0,
            Seed = m.TryGetValue("seed", out var sd) ? NonNegative(y, sd, "target.seed") : 0,
        };
        var (needed, present) = kind switch
        {
            TargetKind.Teacher => ("neurons", neurons is { Count: > 0 }),
            TargetKind.RandomTeacher => ("neuron_count", spec.NeuronCount > 0),
            TargetKind.Matrix => ("matrix", matrix is not null),
            TargetKind.RandomLowRank => ("rank", spec.Rank > 0),
            TargetKind.Linear => ("coefficients", coefficients is not null),
            TargetKind.SparseLinear => ("sparsity", spec.Sparsity > 0),
            _ => ("", true),
        };
        if (!present)
            throw y.Error(node, $"target.{needed} is required for target kind {YamlNodes.NameOf(kind)}");
        return spec;
    }

    private static void CheckCompatible(YamlNodes y, YamlNode modelNode, ModelSpec model, YamlNode dataNode, DataSpec data, Grid grid, Dictionary<string, YamlNode> gridNodes)
    {
        var facts = ModelKinds.Of(model.Kind);
        if (facts.InputDim is { } inputs && data.InputDim != inputs)
            throw y.Error(dataNode, $"data.input_dim is {data.InputDim} but model kind {facts.Name} takes exactly {inputs} inputs");
        if (model.KernelSize > data.InputDim)
            throw y.Error(modelNode, $"model.kernel_size {model.KernelSize} is larger than data.input_dim {data.InputDim}");
        var widths = grid[GridAxes.Width];
        if (facts.UsesWidth && widths.Any(w => w < 1))
            throw y.Error(gridNodes.GetValueOrDefault(GridAxes.Width.Name) ?? modelNode, $"grid.width must list widths ≥ 1 for model kind {facts.Name}, got [{string.Join(", ", widths)}]");
        var largestN = grid[GridAxes.SampleSize].Max();
        if (model.Kind is ModelKind.MatrixFactorization && largestN > data.InputDim * data.InputDim)
            throw y.Error(gridNodes[GridAxes.SampleSize.Name], $"grid.sample_size goes up to {largestN} but a {data.InputDim}×{data.InputDim} matrix has only {data.InputDim * data.InputDim} entries");
    }

    private static TrainingSpec ParseTraining(YamlNodes y, YamlNode node)
    {
        var m = y.Mapping(node, "training", TrainingKeys);
        var spec = new TrainingSpec();
        foreach (var (key, v) in m)
        {
            var what = $"training.{key}";
            spec = key switch
            {
                "optimizer" => spec with { Optimizer = y.Enum<OptimizerKind>(v, what) },
                "max_steps" => spec with { MaxSteps = PositiveLong(y, v, what) },
                "loss_tolerance" => spec with { LossTolerance = NonNegativeDouble(y, v, what) },
                "precision" => spec with { Precision = y.Enum<Precision>(v, what) },
                "momentum" => spec with { Momentum = Fraction(y, v, what) },
                "batch_size" => spec with { BatchSize = NonNegative(y, v, what) },
                "beta1" => spec with { Beta1 = Fraction(y, v, what) },
                "beta2" => spec with { Beta2 = Fraction(y, v, what) },
                "epsilon" => spec with { Epsilon = PositiveDouble(y, v, what) },
                "divergence_loss" => spec with { DivergenceLoss = PositiveDouble(y, v, what) },
                "plateau_steps" => spec with { PlateauSteps = PositiveLong(y, v, what) },
                "plateau_tolerance" => spec with { PlateauTolerance = PositiveDouble(y, v, what) },
                "init_gamma" => spec with { InitGamma = y.Double(v, what) },
                "curve_every" => spec with { CurveEvery = NonNegative(y, v, what) },
                _ => throw y.Error(v, $"unknown key '{key}' in training"),
            };
        }
        return spec;
    }

    private static AnalysisSettings ParseEstimate(YamlNodes y, YamlNode? node, IReadOnlyList<GridAxis> sweepAxes, bool isProgram)
    {
        IReadOnlyList<ProgramAxis>? programAxes = isProgram
            ? [.. sweepAxes.Where(a => a != GridAxes.SampleSize && a != GridAxes.Seed).Select(a => new ProgramAxis(a.Name, a.Number))]
            : null;
        var defaults = new AnalysisSettings(ProgramAxes: programAxes);
        var tunableNames = sweepAxes.Where(a => a.Tunable).Select(a => a.Name).ToList();
        if (node is null) return defaults;
        var m = y.Mapping(node, "estimate", EstimateKeys);
        var threshold = m.TryGetValue("threshold", out var t) ? PositiveDouble(y, t, "estimate.threshold") : defaults.Threshold;
        var quorum = defaults.Quorum;
        if (m.TryGetValue("quorum", out var q))
        {
            quorum = y.Double(q, "estimate.quorum");
            if (quorum is <= 0 or > 1) throw y.Error(q, $"estimate.quorum must be in (0, 1], got {quorum}");
        }
        var tune = defaults.Tune;
        if (m.TryGetValue("tune", out var tn))
        {
            tune = y.Sequence(tn, "estimate.tune").Select((n, i) =>
            {
                var axis = y.String(n, $"estimate.tune[{i}]");
                return tunableNames.Contains(axis) ? axis : throw y.Error(n, $"estimate.tune[{i}] is '{axis}'; only these axes can be tuned: {string.Join(", ", tunableNames)}");
            }).Distinct().ToList();
        }
        var unobserved = false;
        if (m.TryGetValue("error", out var e))
        {
            var which = y.String(e, "estimate.error");
            unobserved = which switch
            {
                "all" => false,
                "unobserved" => true,
                _ => throw y.Error(e, $"estimate.error must be 'all' or 'unobserved', got '{which}'"),
            };
        }
        var search = SearchMode.Grid;
        if (m.TryGetValue("search", out var sn))
        {
            var which = y.String(sn, "estimate.search");
            search = which switch
            {
                "grid" => SearchMode.Grid,
                "adaptive" => SearchMode.Adaptive,
                _ => throw y.Error(sn, $"estimate.search must be 'grid' or 'adaptive', got '{which}'"),
            };
        }
        return new AnalysisSettings(threshold, quorum, unobserved, tune, search, programAxes);
    }

    private static RunLimits ParseLimits(YamlNodes y, YamlNode? node)
    {
        var limits = new RunLimits(TimeSpan.FromHours(6), 3);
        if (node is null) return limits;
        var m = y.Mapping(node, "run", RunKeys);
        if (m.TryGetValue("trial_timeout_seconds", out var t))
            limits = limits with { TrialTimeout = TimeSpan.FromSeconds(PositiveDouble(y, t, "run.trial_timeout_seconds")) };
        if (m.TryGetValue("max_deliveries", out var d))
            limits = limits with { MaxDeliveries = Positive(y, d, "run.max_deliveries") };
        return limits;
    }

    internal static int Positive(YamlNodes y, YamlNode n, string what)
    {
        var v = y.Int(n, what);
        return v > 0 ? v : throw y.Error(n, $"{what} must be a positive integer, got {v}");
    }

    internal static int NonNegative(YamlNodes y, YamlNode n, string what)
    {
        var v = y.Int(n, what);
        return v >= 0 ? v : throw y.Error(n, $"{what} must be zero or a positive integer, got {v}");
    }

    private static long PositiveLong(YamlNodes y, YamlNode n, string what)
    {
        var v = y.Long(n, what);
        return v > 0 ? v : throw y.Error(n, $"{what} must be a positive integer, got {v}");
    }

    private static double PositiveDouble(YamlNodes y, YamlNode n, string what)
    {
        var v = y.Double(n, what);
        return v > 0 ? v : throw y.Error(n, $"{what} must be a positive number, got {v}");
    }

    private static double NonNegativeDouble(YamlNodes y, YamlNode n, string what)
    {
        var v = y.Double(n, what);
        return v >= 0 ? v : throw y.Error(n, $"{what} must be zero or positive, got {v}");
    }

    private static double Fraction(YamlNodes y, YamlNode n, string what)
    {
        var v = y.Double(n, what);
        return v is >= 0 and < 1 ? v : throw y.Error(n, $"{what} must be in [0, 1), got {v}");
    }
}
