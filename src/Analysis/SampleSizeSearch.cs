namespace SweepCluster.Analysis;

/// <summary>
/// Which sample sizes of one group to train, when the search is adaptive: a bisection over the grid's sample sizes for
/// the boundary of recovery, with a check above it, so that most sample sizes are never trained.
///
/// The estimate itself is not computed here: it is always <see cref="Estimator"/>'s over the recorded rows (the smallest
/// n from which the best setting recovers at n and every larger recorded n). This class only decides which n to probe
/// (a probe is every tuned setting × seed at one n), so that the estimate over the probed rows equals the full grid's:
/// - always, when recovery is monotone in n (once recovered, recovered at every larger n of the grid);
/// - also when a probe finds recovery lost again at a larger n: then every n above the highest failure is probed, which
///   is exactly what the full grid's definition needs;
/// - not always when a non-monotone dip lies entirely among skipped n above the bracket and below the top: no probe
///   sees it. The check probes the <see cref="CheckAbove"/> sample sizes right above the bracket, where dips are seen.
///
/// Decisions are a pure function of the outcomes of complete probes, replayed from the start each time: a sweep killed
/// and run again continues from what is recorded and makes the same decisions. Outcomes of sample sizes the search never
/// asked for (a full-grid run recorded earlier) are ignored by the decisions.
/// </summary>
public sealed class SampleSizeSearch
{
    /// <summary>How many sample sizes right above the bracket are probed to check that recovery holds there.</summary>
    public const int CheckAbove = 2;

    private readonly int[] _sizes;

    /// <param name="sampleSizes">The grid's sample sizes, in any order, without repeats.</param>
    public SampleSizeSearch(IEnumerable<int> sampleSizes)
    {
        ArgumentNullException.ThrowIfNull(sampleSizes);
        _sizes = sampleSizes.Order().ToArray();
        if (_sizes.Length == 0) throw new ArgumentException("a search needs at least one sample size", nameof(sampleSizes));
        for (var i = 1; i < _sizes.Length; i++)
            if (_sizes[i] == _sizes[i - 1]) throw new ArgumentException($"sample size {_sizes[i]} is given twice", nameof(sampleSizes));
    }

    public IReadOnlyList<int> SampleSizes => _sizes;

    /// <summary>
    /// Replays the search over the outcomes of complete probes (n → recovered) and says where it stands: the sample
    /// sizes to probe next (empty when the search is over or waits for nothing), and what it has learned.
    /// </summary>
    public SearchState Replay(IReadOnlyDictionary<int, bool> recovered)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        var known = new bool?[_sizes.Length];
        var used = new List<int>();
        bool? Ask(int i)
        {
            if (!recovered.TryGetValue(_sizes[i], out var r)) return null;
            if (known[i] is null) used.Add(i);
            known[i] = r;
            return r;
        }

        var last = _sizes.Length - 1;
        var top = Ask(last);
        if (top is null) return State(known, [last], used, nonMonotoneAt: null, done: false);
        if (top == false) return State(known, [], used, nonMonotoneAt: null, done: true);

        // Bisection: lo fails (or is -1, below the grid), hi recovers.
        int lo = -1, hi = last;
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            var r = Ask(mid);
            if (r is null) return State(known, [mid], used, nonMonotoneAt: null, done: false);
            if (r == true) hi = mid; else lo = mid;
        }

        // The check right above the bracket; the probes go out together.
        var check = Enumerable.Range(hi + 1, Math.Max(0, Math.Min(CheckAbove, last - hi - 1))).Where(i => known[i] is null).ToList();
        var missing = check.Where(i => Ask(i) is null).ToList();
        if (missing.Count > 0) return State(known, missing, used, nonMonotoneAt: null, done: false);
        var fail = check.Where(i => known[i] == false).DefaultIfEmpty(-1).Max();
        if (fail < 0) return State(known, [], used, nonMonotoneAt: null, done: true);

        // Recovery was lost again above the bracket: probe every n above the highest failure seen, as the full grid would.
        var nonMonotoneAt = _sizes[fail];
        while (true)
        {
            var above = Enumerable.Range(fail + 1, last - fail).ToList();
            var unknown = above.Where(i => Ask(i) is null).ToList();
            if (unknown.Count > 0) return State(known, unknown, used, nonMonotoneAt, done: false);
            var higher = above.Where(i => known[i] == false).DefaultIfEmpty(-1).Max();
            if (higher < 0) return State(known, [], used, nonMonotoneAt, done: true);
            fail = higher;
        }
    }

    private SearchState State(bool?[] known, List<int> next, List<int> used, int? nonMonotoneAt, bool done)
    {
        var probed = used.Select(i => _sizes[i]).Order().ToList();
        int? lastFailed = null, firstRecovered = null;
        // The bracket as the estimate reads it: the highest failure, and the first recovery above it.
        for (var i = _sizes.Length - 1; i >= 0; i--)
        {
            if (known[i] == true) firstRecovered = _sizes[i];
            else if (known[i] == false) { lastFailed = _sizes[i]; break; }
        }
        return new SearchState(
            next.Select(i => _sizes[i]).ToList(), probed, _sizes.Except(probed).ToList(), done, lastFailed, firstRecovered, nonMonotoneAt);
    }
}

/// <summary>Where one group's adaptive search stands.</summary>
/// <param name="Next">Sample sizes to probe now (all tuned settings × seeds at each); empty when done.</param>
/// <param name="Probed">Sample sizes whose outcome the search has used, ascending.</param>
/// <param name="Skipped">The grid's other sample sizes, ascending: never needed (when done) or not yet.</param>
/// <param name="Done">The search has what it needs; the estimate over the probed rows is final.</param>
/// <param name="LastFailed">The largest probed n that did not recover (the bracket's lower end), if any.</param>
/// <param name="FirstRecovered">The smallest recovered n above it (the bracket's upper end, the estimate), if any.</param>
/// <param name="NonMonotoneAt">A probed n where recovery was lost again above a smaller recovered n, if one was seen.</param>
public sealed record SearchState(
    IReadOnlyList<int> Next,
    IReadOnlyList<int> Probed,
    IReadOnlyList<int> Skipped,
    bool Done,
    int? LastFailed,
    int? FirstRecovered,
    int? NonMonotoneAt);
