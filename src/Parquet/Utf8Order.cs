namespace SweepCluster.Parquet;

/// <summary>
/// Compares strings in the order of their UTF-8 bytes, which is Parquet's order for string statistics.
/// Ordinal UTF-16 comparison differs for characters above U+E000 versus surrogate pairs, so this remaps
/// code units to code point order without encoding.
/// </summary>
internal static class Utf8Order
{
    public static int Compare(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = a.AsSpan(0, n).CommonPrefixLength(b.AsSpan(0, n));
        if (i == n) return a.Length.CompareTo(b.Length);
        return Fix(a[i]).CompareTo(Fix(b[i]));
    }

    // Surrogates (D800-DFFF) encode code points above FFFF, so they must sort after E000-FFFF.
    private static int Fix(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}
