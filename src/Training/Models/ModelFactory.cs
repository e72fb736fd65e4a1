using System.Numerics;

namespace SweepCluster.Training;

internal static class ModelFactory
{
    /// <summary>Builds the model for a spec; invalid combinations throw ArgumentException naming the field.</summary>
    public static Model<T> Create<T>(ModelSpec spec, int width, int inputDim, int capacity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inputDim < 1) throw new ArgumentException($"Data.InputDim: {inputDim}, expected at least 1");
        switch (spec.Kind)
        {
            case ModelKind.TwoLayer:
                RequireWidth(width);
                return new TwoLayer<T>(inputDim, width, spec.Activation, spec.HiddenBias, spec.OutputBias, capacity);
            default:
                throw new ArgumentException($"Model.Kind: {spec.Kind} is not supported");
        }
    }

    private static void RequireWidth(int width)
    {
        if (width < 1) throw new ArgumentException($"Hyper.Width: {width}, expected at least 1");
    }
}
