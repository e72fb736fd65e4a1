namespace SweepCluster.Training;

// The full description of one training run. Everything that determines a trial's numbers lives here,
// because the trial id is a hash of this record's canonical JSON: a field that changes the result but is
// missing here would make two different trials share an id. Defaults are chosen so that adding a field
// with its default value keeps existing ids (the canonical JSON omits defaults).

public enum ModelKind
{
    /// <summary>f(x) = Σ_i a_i σ(w_i·x + b_i) (+ c): width m, input dim d.</summary>
    TwoLayer,
    /// <summary>1-D CNN: Width kernels of size KernelSize, stride 1, bias per kernel, σ, one output weight per kernel and position.</summary>
    Cnn1d,
    /// <summary>1-D locally connected: as Cnn1d without weight sharing across positions.</summary>
    LocallyConnected1d,
    /// <summary>f = AB, A, B ∈ R^{d×d}; inputs are matrix entries (i, j).</summary>
    MatrixFactorization,
    /// <summary>E1's f_L = θ0 + θ1x1 + θ2x2.</summary>
    LinearL,
    /// <summary>E1's f_NL = θ0 + θ1x1 + θ2θ3x2.</summary>
    LinearNL,
    /// <summary>Σ_j (a_j² − b_j²) x_j.</summary>
    DiagonalSquares,
    /// <summary>Σ_j a_j^[1]⋯a_j^[L] x_j with L = Depth.</summary>
    DiagonalProduct,
    /// <summary>Fully connected, Depth layers of weights, hidden width Width, σ between layers.</summary>
    DeepFc,
}

public enum Activation { Tanh, Relu, Sigmoid, Identity }

public enum Precision { Float64, Float32 }

public enum OptimizerKind { Gd, Sgd, Adam, AdamW }

public enum InputDistribution { Gaussian, Uniform, Grid1d }

public enum TargetKind
{
    /// <summary>Σ_k a_k σ(w_k·x + b_k) with explicit neurons.</summary>
    Teacher,
    /// <summary>A teacher with NeuronCount neurons drawn from N(0,1) with the target seed.</summary>
    RandomTeacher,
    /// <summary>An explicit d×d matrix (matrix completion).</summary>
    Matrix,
    /// <summary>A random rank-Rank d×d matrix (product of Gaussian factors), drawn with the target seed.</summary>
    RandomLowRank,
    /// <summary>Intercept + Σ_j c_j x_j with explicit coefficients.</summary>
    Linear,
    /// <summary>A k-sparse linear target: Sparsity nonzero N(0,1) coefficients drawn with the target seed.</summary>
    SparseLinear,
}

/// <summary>One teacher neuron a·σ(w·x + b).</summary>
public sealed record TeacherNeuron(double A, IReadOnlyList<double> W, double B);

public sealed record ModelSpec
{
    public ModelKind Kind { get; init; }
    public Activation Activation { get; init; }
    public bool HiddenBias { get; init; }
    public bool OutputBias { get; init; }
    public int KernelSize { get; init; }
    /// <summary>Layers of weights for DeepFc, factors for DiagonalProduct.</summary>
    public int Depth { get; init; }
}

public sealed record TargetSpec
{
    public TargetKind Kind { get; init; }
    public Activation Activation { get; init; }
    public IReadOnlyList<TeacherNeuron>? Neurons { get; init; }
    public int NeuronCount { get; init; }
    public IReadOnlyList<IReadOnlyList<double>>? Matrix { get; init; }
    public int Rank { get; init; }
    public IReadOnlyList<double>? Coefficients { get; init; }
    public double Intercept { get; init; }
    public int Sparsity { get; init; }
    public int Seed { get; init; }
}

public sealed record DataSpec
{
    /// <summary>Input dimension d (matrix side for MatrixFactorization).</summary>
    public int InputDim { get; init; }
    public InputDistribution Inputs { get; init; }
    public double UniformLow { get; init; } = -1;
    public double UniformHigh { get; init; } = 1;
    /// <summary>Test points; for matrix completion the test set is always every entry.</summary>
    public int TestSize { get; init; } = 1000;
    /// <summary>Matrix completion: observe entries in this order (row-major indices) instead of a random draw.</summary>
    public IReadOnlyList<int>? EntryOrder { get; init; }
}

public sealed record TrainingSpec
{
    public OptimizerKind Optimizer { get; init; }
    public long MaxSteps { get; init; } = 10_000;
    /// <summary>Stop once the training loss is below this.</summary>
    public double LossTolerance { get; init; }
    public Precision Precision { get; init; }
    public double Momentum { get; init; }
    /// <summary>Mini-batch size for Sgd; 0 means full batch.</summary>
    public int BatchSize { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>A loss above this counts as divergence (besides NaN and ±Inf).</summary>
    public double DivergenceLoss { get; init; } = 1e12;
    /// <summary>Stop when the loss has not improved by a relative PlateauTolerance in this many steps; 0 disables.</summary>
    public long PlateauSteps { get; init; }
    public double PlateauTolerance { get; init; } = 1e-6;
    /// <summary>When set, σ = fan_in^(−InitGamma) instead of the trial's init scale.</summary>
    public double? InitGamma { get; init; }
    /// <summary>Record the losses every this many steps; 0 records no curve.</summary>
    public int CurveEvery { get; init; }
}

/// <summary>
/// The grid-axis values of one trial. A program trial uses SampleSize, Seed and Extra only: every other axis of a
/// program sweep is the program's own (<see cref="GridAxes.ForProgram"/>), kept in Extra by name in ordinal order so
/// that the canonical JSON (and the trial id) does not depend on the order the sweep file lists them.
/// </summary>
public sealed record Hyperparameters
{
    public double InitScale { get; init; }
    public int Width { get; init; }
    public double WeightDecay { get; init; }
    public double LearningRate { get; init; }
    public int SampleSize { get; init; }
    public int Seed { get; init; }
    public IReadOnlyDictionary<string, double>? Extra { get; init; }

    /// <summary>A copy with one program axis set; Extra stays sorted by name.</summary>
    public Hyperparameters WithExtra(string name, double value)
    {
        var extra = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (Extra is not null)
            foreach (var (k, v) in Extra) extra[k] = v;
        extra[name] = value;
        return this with { Extra = extra };
    }
}

/// <summary>
/// The user's own training program (docs/sweep-files.md, "program"): what of it makes a trial's id. Command is the
/// program and its arguments (no shell), Env the extra environment as NAME=value sorted by name, ProgramFile the file
/// of the command that is the user's script (relative to the sweep file's folder) and ProgramSha256 its content hash,
/// so that editing the script makes new trials and re-running an unchanged sweep skips what is done. The folder it
/// runs in is not here (moving the sweep folder keeps the ids); it travels in the trial's spec.
/// </summary>
public sealed record ProgramSpec
{
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public string? ProgramFile { get; init; }
    public string? ProgramSha256 { get; init; }

    /// <summary>The environment as pairs, in the sorted order it is stored in.</summary>
    public IEnumerable<KeyValuePair<string, string>> EnvPairs() =>
        (Env ?? []).Select(e => e.IndexOf('=', StringComparison.Ordinal) is var i and > 0
            ? new KeyValuePair<string, string>(e[..i], e[(i + 1)..])
            : throw new InvalidOperationException($"program env entry '{e}' is not NAME=value"));
}

public sealed record TrialConfig
{
    public required ModelSpec Model { get; init; }
    public required TargetSpec Target { get; init; }
    public required DataSpec Data { get; init; }
    public required TrainingSpec Training { get; init; }
    public required Hyperparameters Hyper { get; init; }
    /// <summary>Set for a trial of the user's program; the engine's sections (Model, Target, Data, Training) are then empty.</summary>
    public ProgramSpec? Program { get; init; }
}

public enum OutcomeStatus { Ok, Diverged }

/// <summary>One point of a loss curve.</summary>
public readonly record struct CurvePoint(long Step, double TrainLoss, double TestError);

/// <summary>What one training run produced. TestErrorUnobserved is set for matrix completion only.</summary>
public sealed record TrialOutcome(
    OutcomeStatus Status,
    double TrainLoss,
    double TestError,
    double? TestErrorUnobserved,
    long Steps,
    int ParamCount,
    string ModelDescription,
    IReadOnlyList<CurvePoint>? Curve);
