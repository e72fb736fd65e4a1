using System.Numerics;

namespace SweepCluster.Training;

internal static class ModelFactory
{
    /// <summary>Builds the model for a spec; invalid combinations throw ArgumentException naming the field.</summary>
    public static Model<T> Create<T>(ModelSpec spec, int width, int inputDim, int capacity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inputDim < 1) throw new ArgumentException($"Data.InputDim: {inputDim}, expected at least 1");
        if (!Enum.IsDefined(spec.Activation)) throw new ArgumentException($"Model.Activation: unknown value {spec.Activation}");
        var facts = ModelKinds.Of(spec.Kind);
        if (facts.InputDim is { } fixedDim && inputDim != fixedDim)
            throw new ArgumentException($"Data.InputDim: {inputDim}, Model.Kind = {spec.Kind} needs {fixedDim}");
        if (facts.UsesKernel && (spec.KernelSize < 1 || spec.KernelSize > inputDim))
            throw new ArgumentException($"Model.KernelSize: {spec.KernelSize}, expected 1..Data.InputDim = {inputDim}");
        if (facts.UsesDepth) RequireDepth(spec.Depth);
        switch (spec.Kind)
        {
            case ModelKind.TwoLayer:
                RequireWidth(width);
                return new TwoLayer<T>(inputDim, width, spec.Activation, spec.HiddenBias, spec.OutputBias, capacity);
            case ModelKind.Cnn1d:
            case ModelKind.LocallyConnected1d:
                RequireWidth(width);
                return new Conv1d<T>(inputDim, width, spec.KernelSize, spec.Kind == ModelKind.Cnn1d, spec.Activation,
                    spec.HiddenBias, spec.OutputBias, capacity);
            case ModelKind.MatrixFactorization:
                return new MatrixFactorization<T>(inputDim, capacity);
            case ModelKind.LinearL:
                return new LinearL<T>(inputDim, capacity);
            case ModelKind.LinearNL:
                return new LinearNL<T>(capacity);
            case ModelKind.DiagonalSquares:
                return new DiagonalSquares<T>(inputDim, capacity);
            case ModelKind.DiagonalProduct:
                return new DiagonalProduct<T>(inputDim, spec.Depth, capacity);
            case ModelKind.DeepFc:
                if (spec.Depth > 1) RequireWidth(width);
                return new DeepFc<T>(inputDim, width, spec.Depth, spec.Activation, spec.HiddenBias, spec.OutputBias, capacity);
            default:
                throw new ArgumentException($"Model.Kind: unknown value {spec.Kind}");
        }
    }

    private static void RequireWidth(int width)
    {
        if (width < 1) throw new ArgumentException($"Hyper.Width: {width}, expected at least 1");
    }

    private static void RequireDepth(int depth)
    {
        if (depth < 1) throw new ArgumentException($"Model.Depth: {depth}, expected at least 1");
    }
}
