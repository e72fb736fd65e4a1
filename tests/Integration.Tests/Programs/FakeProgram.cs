using SweepCluster.Integration.Tests.Embedded;

namespace SweepCluster.Integration.Tests.Programs;

/// <summary>
/// A user's program for the tests (Python, standard library only), written into a sweep folder beside its sweep file.
/// Its error is 0 when sample_size ≥ 2·depth and width ≥ 2, else 0.5, so each depth has a known optimistic size. Its
/// axis `mode` picks how it ends: 0 a result, 1 exit 3 after a line on stderr, 2 hangs, 3 SIGSEGV, 4 exit 0 without a
/// result. It appends its trial id to ran.txt in the sweep folder, writes its pid to its own folder, and waits while
/// the file `slow` exists in the sweep folder (or FAKE_SLEEP seconds), so tests can catch it running.
/// </summary>
internal static class FakeProgram
{
    public const string Script = """
        import json, os, signal, sys, time
        with open(os.environ["SWEEP_TRIAL"]) as f:
            t = json.load(f)
        mode = t.get("mode", 0)
        trial_dir = os.environ["SWEEP_TRIAL_DIR"]
        with open(os.path.join(trial_dir, "pid"), "w") as f:
            f.write(str(os.getpid()))
        print(f"trial {t['trial_id']} n={t['sample_size']} depth={t.get('depth')}", flush=True)
        print("a line on stderr", file=sys.stderr, flush=True)
        gpu = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        start = time.time()
        time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
        while os.path.exists("slow"):
            time.sleep(0.05)
        end = time.time()
        with open("ran.txt", "a") as f:
            f.write(t["trial_id"] + "\n")
        if mode == 1:
            print("boom: the data file is missing", file=sys.stderr, flush=True)
            sys.exit(3)
        if mode == 2:
            time.sleep(300)
        if mode == 3:
            os.kill(os.getpid(), signal.SIGSEGV)
        if mode == 4:
            sys.exit(0)
        with open(os.path.join(trial_dir, "checkpoint.txt"), "w") as f:
            f.write("saved")
        err = 0.0 if t["sample_size"] >= 2 * t.get("depth", 1) and t.get("width", 2) >= 2 else 0.5
        with open(os.environ["SWEEP_RESULT"], "w") as f:
            json.dump({"test_error": err, "train_loss": err / 10, "steps": 100 * t["sample_size"], "accuracy": 1 - err,
                       "gpu_seen": gpu, "start": start, "end": end, "depth_type": type(t.get("depth", 0)).__name__}, f)
        """;

    /// <summary>A sweep folder with the program as fake.py and the sweep file; returns the sweep file's path.</summary>
    public static string WriteSweep(TempDir dir, string yaml)
    {
        dir.Write("fake.py", Script);
        return dir.Write("sweep.yaml", yaml);
    }

    public static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) is dead for these tests: its program runs no more.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException) { return false; }
    }

    public static IReadOnlyList<int> Pids(string runDir) =>
        Directory.Exists(Path.Combine(runDir, "trials"))
            ? Directory.GetFiles(Path.Combine(runDir, "trials"), "pid", SearchOption.AllDirectories)
                .Select(f => File.ReadAllText(f).Trim()).Where(s => s.Length > 0).Select(int.Parse).ToList()
            : [];
}
