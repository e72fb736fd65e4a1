using System.Globalization;
using SweepCluster.Analysis;
using SweepCluster.Parquet;
using SweepCluster.Protocol;

namespace SweepCluster.Coordinator.Runs;

/// <summary>
/// runs/&lt;sweep&gt;/: the sweep file's copy, results/part-NNNNN.parquet and the reports. One coordinator at a
/// time holds the folder's lock (released by the OS if the process dies, so kill -9 never leaves it stuck).
/// </summary>
internal sealed class RunFolder : IDisposable
{
    public const string SweepCopy = RunLayout.SweepCopy;
    private const string LockFile = ".lock";
    private readonly FileStream? _lock;

    private RunFolder(string root, FileStream? lockStream)
    {
        Root = root;
        _lock = lockStream;
    }

    public string Root { get; }
    public string Results => RunLayout.Results(Root);
    public string Curves => RunLayout.Curves(Root);

    /// <summary>A folder to read (status, report): no lock, nothing created.</summary>
    public static RunFolder ForReading(string root) => new(root, null);

    /// <summary>
    /// Opens (creating it if needed) a run folder for writing. With fresh, a previous folder is moved aside to
    /// &lt;name&gt;.archived-&lt;UTC time&gt; rather than deleted: nothing finished is ever lost.
    /// </summary>
    /// <param name="programFiles">A program sweep's program files, relative to the sweep file's folder: copied beside
    /// the sweep file's copy, so that `sweep status` and `sweep report` plan this run's trial ids without the original.</param>
    public static RunFolder OpenForRun(string root, string sweepFilePath, bool fresh, IEnumerable<string>? programFiles = null)
    {
        if (fresh && Directory.Exists(root))
            Directory.Move(root, $"{root.TrimEnd(Path.DirectorySeparatorChar)}.archived-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(RunLayout.Results(root));
        FileStream lockStream;
        try
        {
            lockStream = new FileStream(Path.Combine(root, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new RunFolderBusyException($"{root}: another `sweep run` is writing this run folder; wait for it or stop it first");
        }
        var folder = new RunFolder(root, lockStream);
        File.Copy(sweepFilePath, Path.Combine(root, SweepCopy), overwrite: true);
        CopyProgramFiles(root, Path.GetDirectoryName(Path.GetFullPath(sweepFilePath))!, programFiles ?? []);
        // A crash between writing and renaming leaves only temporary files; they hold nothing acknowledged.
        foreach (var dir in new[] { folder.Results, folder.Curves }.Where(Directory.Exists))
            foreach (var tmp in Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(".parquet", StringComparison.Ordinal)))
                File.Delete(tmp);
        // A curves part is written just before its results part; without the results part its trials will run again.
        foreach (var curves in folder.PartFiles(folder.Curves))
            if (!File.Exists(Path.Combine(folder.Results, Path.GetFileName(curves))))
                File.Delete(curves);
        return folder;
    }

    public IReadOnlyList<string> PartFiles(string dir) => RunLayout.PartFiles(dir);

    /// <summary>
    /// The program files at their relative paths under program/. An absolute path needs no copy (it hashes the same from
    /// anywhere); one that leaves the sweep's folder (../train.py) is not copied, so status counts its trials by the
    /// file as it is then.
    /// </summary>
    private static void CopyProgramFiles(string root, string sweepFolder, IEnumerable<string> programFiles)
    {
        var copy = Path.GetFullPath(RunLayout.ProgramCopy(root)) + Path.DirectorySeparatorChar;
        foreach (var file in programFiles.Where(f => !Path.IsPathRooted(f)))
        {
            var target = Path.GetFullPath(Path.Combine(copy, file));
            if (!target.StartsWith(copy, StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(sweepFolder, file), target, overwrite: true);
        }
    }

    /// <summary>
    /// Every trial already recorded, by id, with its status. A part file that cannot be read is an error, not a gap; a
    /// row whose trial_id is not an id this software makes (32 lower-case hex digits) is no trial of any grid, and is
    /// left out.
    /// </summary>
    public Dictionary<TrialKey, TrialStatus> ReadRecorded()
    {
        var recorded = new Dictionary<TrialKey, TrialStatus>();
        foreach (var file in PartFiles(Results))
            foreach (var (id, status) in ResultTable.ReadIdsAndStatuses(file))
                if (TrialKey.TryParse(id, out var key)) recorded.TryAdd(key, status);
        return recorded;
    }

    /// <summary>
    /// Removes the rows whose status matches from every results part (and their curves), each part rewritten
    /// atomically, so that those trials count as not run. Returns how many rows were removed.
    /// </summary>
    public int DropRows(Func<TrialStatus, bool> drop)
    {
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in PartFiles(Results))
            dropped.UnionWith(Rewrite(file, ResultColumns.TrialId, (table, i) =>
                drop(ResultTable.ParseStatus(((string?[])table.Columns[table.IndexOf(ResultColumns.Status)])[i], file, i))));
        if (dropped.Count > 0)
            foreach (var file in PartFiles(Curves))
                Rewrite(file, ResultColumns.TrialId, (table, i) => dropped.Contains(((string?[])table.Columns[table.IndexOf(ResultColumns.TrialId)])[i]!));
        return dropped.Count;
    }

    /// <summary>Rewrites a part file without the rows for which remove is true; returns their ids.</summary>
    private static List<string> Rewrite(string file, string idColumn, Func<Table, int, bool> remove)
    {
        var table = ParquetFile.Read(file);
        var keep = Enumerable.Range(0, table.RowCount).Where(i => !remove(table, i)).ToArray();
        if (keep.Length == table.RowCount) return [];
        var ids = (string?[])table.Columns[table.IndexOf(idColumn)];
        var removed = Enumerable.Range(0, table.RowCount).Except(keep).Select(i => ids[i]!).ToList();
        var columns = table.Columns.Select(c =>
        {
            var kept = Array.CreateInstance(c.GetType().GetElementType()!, keep.Length);
            for (var j = 0; j < keep.Length; j++) kept.SetValue(c.GetValue(keep[j]), j);
            return kept;
        }).ToList();
        ParquetFile.WriteAtomic(file, new Table(table.Schema, columns));
        return removed;
    }

    /// <summary>The next part file name in dir: one past the highest number present.</summary>
    public string NextPart(string dir)
    {
        Directory.CreateDirectory(dir);
        var next = PartFiles(dir)
            .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f).AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(-1).Max() + 1;
        return Path.Combine(dir, $"part-{next:D5}.parquet");
    }

    /// <summary>The curves part that belongs with a results part: the same number under curves/.</summary>
    public string CurvesPartFor(string resultsPart)
    {
        Directory.CreateDirectory(Curves);
        return Path.Combine(Curves, Path.GetFileName(resultsPart));
    }

    public void Dispose() => _lock?.Dispose();
}

internal sealed class RunFolderBusyException(string message) : Exception(message);
