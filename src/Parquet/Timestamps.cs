namespace SweepCluster.Parquet;

/// <summary>Converts between DateTime and Parquet's TIMESTAMP(MICROS): microseconds since the Unix epoch (MILLIS and NANOS are read too).</summary>
internal static class Timestamps
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;
    public static readonly long MinMicros = FloorDiv(-EpochTicks, 10);
    public static readonly long MaxMicros = FloorDiv(DateTime.MaxValue.Ticks - EpochTicks, 10);

    /// <summary>Local times are converted to UTC; Unspecified is taken as UTC. Sub-microsecond ticks are floored.</summary>
    public static long ToMicros(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local) value = value.ToUniversalTime();
        return FloorDiv(value.Ticks - EpochTicks, 10);
    }

    public static bool TryFromMicros(long micros, DateTimeKind kind, out DateTime value)
    {
        if (micros < MinMicros || micros > MaxMicros)
        {
            value = default;
            return false;
        }
        value = new DateTime(micros * 10 + EpochTicks, kind);
        return true;
    }

    /// <summary>A stored MILLIS, MICROS or NANOS value as a DateTime; nanoseconds are floored to the microsecond.</summary>
    public static bool TryFromUnit(long value, Format.TimeUnit unit, DateTimeKind kind, out DateTime result)
    {
        switch (unit)
        {
            case Format.TimeUnit.Millis:
                if (value < MinMicros / 1000 || value > MaxMicros / 1000)
                {
                    result = default;
                    return false;
                }
                return TryFromMicros(value * 1000, kind, out result);
            case Format.TimeUnit.Nanos:
                return TryFromMicros(FloorDiv(value, 1000), kind, out result);
            default:
                return TryFromMicros(value, kind, out result);
        }
    }

    public static string UnitName(Format.TimeUnit unit) => unit switch { Format.TimeUnit.Millis => "ms", Format.TimeUnit.Nanos => "ns", _ => "µs" };

    private static long FloorDiv(long a, long b)
    {
        var q = Math.DivRem(a, b, out var r);
        return r < 0 ? q - 1 : q;
    }
}
