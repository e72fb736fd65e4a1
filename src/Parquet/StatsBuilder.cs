using System.Buffers.Binary;
using System.Numerics;
using SweepCluster.Parquet.Format;

namespace SweepCluster.Parquet;

/// <summary>Accumulates a column chunk's null count and min/max in Parquet's order for the column's type.</summary>
internal struct StatsBuilder
{
    // Longer strings are left out of the footer rather than truncated; min/max are optional.
    private const int MaxStringStatBytes = 1024;

    public long NullCount;
    public bool HasTrue;
    public bool HasFalse;
    private bool _hasRange;
    private long _minLong, _maxLong;
    private double _minDouble, _maxDouble;
    private string? _minString, _maxString;

    public void AddRange<T>(T min, T max) where T : INumber<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        {
            var lo = double.CreateTruncating(min);
            var hi = double.CreateTruncating(max);
            _minDouble = _hasRange ? Math.Min(_minDouble, lo) : lo;
            _maxDouble = _hasRange ? Math.Max(_maxDouble, hi) : hi;
        }
        else
        {
            var lo = long.CreateTruncating(min);
            var hi = long.CreateTruncating(max);
            _minLong = _hasRange ? Math.Min(_minLong, lo) : lo;
            _maxLong = _hasRange ? Math.Max(_maxLong, hi) : hi;
        }
        _hasRange = true;
    }

    public void AddString(string s)
    {
        if (_minString is null || Utf8Order.Compare(s, _minString) < 0) _minString = s;
        if (_maxString is null || Utf8Order.Compare(s, _maxString) > 0) _maxString = s;
    }

    public readonly Statistics Build(ColumnType type)
    {
        var stats = new Statistics { NullCount = NullCount };
        switch (type)
        {
            case ColumnType.Boolean when HasTrue || HasFalse:
                stats.MinValue = [HasFalse ? (byte)0 : (byte)1];
                stats.MaxValue = [HasTrue ? (byte)1 : (byte)0];
                break;
            case ColumnType.Int32 when _hasRange:
                stats.MinValue = new byte[4];
                stats.MaxValue = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(stats.MinValue, (int)_minLong);
                BinaryPrimitives.WriteInt32LittleEndian(stats.MaxValue, (int)_maxLong);
                break;
            case ColumnType.Int64 or ColumnType.TimestampMicros when _hasRange:
                stats.MinValue = new byte[8];
                stats.MaxValue = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(stats.MinValue, _minLong);
                BinaryPrimitives.WriteInt64LittleEndian(stats.MaxValue, _maxLong);
                break;
            // The spec asks for -0.0 as a zero min and +0.0 as a zero max, so readers that skip
            // row groups by min/max never exclude either zero.
            case ColumnType.Float when _hasRange:
                stats.MinValue = new byte[4];
                stats.MaxValue = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(stats.MinValue, _minDouble == 0 ? -0.0f : (float)_minDouble);
                BinaryPrimitives.WriteSingleLittleEndian(stats.MaxValue, _maxDouble == 0 ? 0.0f : (float)_maxDouble);
                break;
            case ColumnType.Double when _hasRange:
                stats.MinValue = new byte[8];
                stats.MaxValue = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(stats.MinValue, _minDouble == 0 ? -0.0 : _minDouble);
                BinaryPrimitives.WriteDoubleLittleEndian(stats.MaxValue, _maxDouble == 0 ? 0.0 : _maxDouble);
                break;
            case ColumnType.String when _minString is not null && _maxString is not null:
                var min = System.Text.Encoding.UTF8.GetBytes(_minString);
                var max = System.Text.Encoding.UTF8.GetBytes(_maxString);
                if (min.Length <= MaxStringStatBytes && max.Length <= MaxStringStatBytes)
                {
                    stats.MinValue = min;
                    stats.MaxValue = max;
                }
                break;
        }
        return stats;
    }
}
