using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SweepCluster.GpuNode.Gpus;

/// <summary>Lists a machine's GPUs with `nvidia-smi -L`, the tool every NVIDIA driver installs.</summary>
internal static partial class NvidiaSmi
{
    /// <summary>The indices of the GPUs `nvidia-smi -L` lists, in its order; throws GpuDiscoveryException when it cannot run.</summary>
    public static IReadOnlyList<GpuId> List(string executable = "nvidia-smi")
    {
        var start = new ProcessStartInfo(executable, ["-L"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Process process;
        try { process = Process.Start(start) ?? throw new GpuDiscoveryException($"{executable} did not start"); }
        catch (Win32Exception)
        {
            throw new GpuDiscoveryException($"{executable} was not found on PATH, so this machine's GPUs cannot be listed; " +
                "install the NVIDIA driver or name the GPUs, e.g. --gpus 0,1");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                throw new GpuDiscoveryException($"{executable} -L did not answer within 30 s");
            }
            if (process.ExitCode != 0)
                throw new GpuDiscoveryException($"{executable} -L failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
            return Parse(output);
        }
    }

    /// <summary>Reads lines such as "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)"; other lines (MIG devices) are skipped.</summary>
    public static IReadOnlyList<GpuId> Parse(string output) =>
        output.Split('\n').Select(line => GpuLine().Match(line)).Where(m => m.Success)
            .Select(m => new GpuId(m.Groups[1].Value)).ToArray();

    [GeneratedRegex(@"^GPU (\d+):")]
    private static partial Regex GpuLine();
}
