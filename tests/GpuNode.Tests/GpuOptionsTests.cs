using SweepCluster.GpuNode.Gpus;

namespace SweepCluster.GpuNode.Tests;

/// <summary>--gpus and --slots-per-gpu: what they accept, and the one-line errors for what they do not.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GpuOptionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_list_of_indices_gives_one_slot_per_GPU()
    {
        var options = Parse("0,1, 2,3", null, out var error);
        Assert.Null(error);
        Assert.Equal(["0", "1", "2", "3"], options!.Gpus.Select(g => g.Value));
        Assert.Equal(4, options.Slots);
    }

    [Fact]
    public void Slots_per_GPU_multiply_the_slots()
    {
        var options = Parse("GPU-8f3c1d2e-aaaa,GPU-77", "3", out var error);
        Assert.Null(error);
        Assert.Equal(6, options!.Slots);
    }

    [Fact]
    public void Without_the_flag_there_are_no_GPUs()
    {
        Assert.Same(GpuOptions.None, Parse(null, null, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void All_asks_nvidia_smi()
    {
        var options = GpuOptions.Parse("all", null, () => [new("0"), new("1")], out var error);
        Assert.Null(error);
        Assert.Equal(["0", "1"], options!.Gpus.Select(g => g.Value));
    }

    [Theory]
    [InlineData("0,,1", null, "--gpus is '0,,1'; expected 'all' or GPU indices or UUIDs separated by commas, e.g. 0,1,2,3 (bad item '')")]
    [InlineData("0;1", null, "--gpus is '0;1'; expected 'all' or GPU indices or UUIDs separated by commas, e.g. 0,1,2,3 (bad item '0;1')")]
    [InlineData("0,1,0", null, "--gpus is '0,1,0'; GPU '0' is named twice (use --slots-per-gpu to run several programs on one GPU)")]
    [InlineData("0", "0", "--slots-per-gpu is '0'; expected a whole number of programs per GPU, 1 or more")]
    [InlineData("0", "two", "--slots-per-gpu is 'two'; expected a whole number of programs per GPU, 1 or more")]
    [InlineData("0", "-1", "--slots-per-gpu is '-1'; expected a whole number of programs per GPU, 1 or more")]
    [InlineData(null, "2", "--slots-per-gpu needs --gpus: without GPUs there is nothing to share")]
    public void Bad_values_name_the_flag_the_value_and_what_was_expected(string? gpus, string? perGpu, string expected)
    {
        Assert.Null(Parse(gpus, perGpu, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void All_on_a_machine_without_GPUs_says_so()
    {
        Assert.Null(GpuOptions.Parse("all", null, () => [], out var error));
        Assert.Equal("--gpus all: nvidia-smi -L lists no GPU on this machine; leave --gpus out to run programs on the CPU", error);
    }

    [Fact]
    public void All_without_nvidia_smi_says_so()
    {
        var missing = Path.Combine(_folder.Path, "nvidia-smi");
        Assert.Null(GpuOptions.Parse("all", null, () => NvidiaSmi.List(missing), out var error));
        Assert.StartsWith($"--gpus all: {missing} was not found on PATH, so this machine's GPUs cannot be listed", error);
    }

    [Fact]
    public void Nvidia_smi_output_is_read_from_a_real_process()
    {
        // A stand-in for nvidia-smi that prints what the real one prints on a two-GPU machine with a MIG device.
        var fake = _folder.File("nvidia-smi", """
            #!/bin/sh
            [ "$1" = "-L" ] || exit 9
            echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-5c2a1e5e-1111-2222-3333-444455556666)"
            echo "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-9d0b7f3a-1111-2222-3333-444455556666)"
            echo "  MIG 1g.10gb     Device  0: (UUID: MIG-0a1b2c3d-1111-2222-3333-444455556666)"
            """);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        Assert.Equal(["0", "1"], NvidiaSmi.List(fake).Select(g => g.Value));
    }

    [Fact]
    public void A_failing_nvidia_smi_is_an_error_with_its_message()
    {
        var fake = _folder.File("nvidia-smi", """
            #!/bin/sh
            echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2
            exit 9
            """);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        var e = Assert.Throws<GpuDiscoveryException>(() => NvidiaSmi.List(fake));
        Assert.Contains("exit code 9", e.Message);
        Assert.Contains("couldn't communicate with the NVIDIA driver", e.Message);
    }

    private static GpuOptions? Parse(string? gpus, string? perGpu, out string? error) =>
        GpuOptions.Parse(gpus, perGpu, () => throw new InvalidOperationException("only --gpus all lists GPUs"), out error);
}
