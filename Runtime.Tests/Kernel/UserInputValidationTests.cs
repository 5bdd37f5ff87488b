using System;
using System.Buffers.Binary;
using System.Linq;
using CsCheck;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>Invariant: a ptrace image is validated whole before anything is copied (bad ones change nothing); no frame breaks the kernel.</summary>
public class UserInputValidationTests
{
    private static (Kernel Kernel, KernelTask Tracee) StoppedTracee(bool permitAmx = true)
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var tracee = kernel.CreateProcess("tracee");
        kernel.SwitchTo(tracee);
        if (permitAmx)
        {
            kernel.RequestXCompPermission(tracee, (ulong)XFeature.XTileData);
        }

        kernel.UserWriteRegisters(XFeature.Avx, Enumerable.Repeat((byte)0x11, 256).ToArray());
        kernel.UserWriteRegisters(XFeature.Pkru, [1, 2, 3, 4, 5, 6, 7, 8]);
        kernel.SwitchTo(kernel.Idle);
        return (kernel, tracee);
    }

    private static void SetHeader(byte[] image, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(512 + offset), value);

    public static TheoryData<string, Action<byte[]>, Errno, string> BadImages() => new()
    {
        { "XCOMP_BV set", i => SetHeader(i, 8, 1UL << 63 | 0x3), Errno.EINVAL, "XCOMP_BV" },
        { "XCOMP_BV without bit 63", i => SetHeader(i, 8, 0x7), Errno.EINVAL, "XCOMP_BV" },
        { "reserved header byte", i => i[512 + 40] = 1, Errno.EINVAL, "header byte 40" },
        { "unsupported feature", i => SetHeader(i, 0, 0x2E7 | 1UL << 8), Errno.EINVAL, "user_xfeatures" },
        { "MXCSR reserved bits", i => BinaryPrimitives.WriteUInt32LittleEndian(i.AsSpan(24), 0xFFFF_0000), Errno.EINVAL, "MXCSR" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void Ptrace_set_rejects_a_bad_header_naming_the_field_and_changes_nothing(string what, Action<byte[]> corrupt, Errno errno, string field)
    {
        var (kernel, tracee) = StoppedTracee();
        var before = kernel.XStateRegsGet(tracee);
        var image = (byte[])before.Clone();
        SetHeader(image, 0, 0x2E7);
        corrupt(image);
        var result = kernel.XStateRegsSet(tracee, image);
        Assert.Equal(errno, result.Errno);
        Assert.Contains(field, result.Reason);
        Assert.Equal(before, kernel.XStateRegsGet(tracee));
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void Ptrace_set_of_an_unpermitted_dynamic_feature_is_rejected()
    {
        var (kernel, tracee) = StoppedTracee(permitAmx: false);
        var image = kernel.XStateRegsGet(tracee);
        SetHeader(image, 0, 0x602E7);
        var result = kernel.XStateRegsSet(tracee, image);
        Assert.Equal(Errno.EINVAL, result.Errno);
        Assert.Contains("0x40000", result.Reason);
        Assert.False(tracee.Fpu.IsDynamic);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(575)]
    [InlineData(11007)]
    [InlineData(11009)]
    public void Ptrace_set_needs_the_whole_regset(int length)
    {
        var (kernel, tracee) = StoppedTracee();
        var result = kernel.XStateRegsSet(tracee, new byte[length]);
        Assert.Equal(Errno.EFAULT, result.Errno);
        Assert.Contains("11008", result.Reason);
    }

    [Fact]
    public void Ptrace_on_the_running_task_is_refused()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        Assert.Throws<InvalidOperationException>(() => kernel.XStateRegsGet(kernel.Current));
    }

    [Fact]
    public void Mutated_ptrace_images_are_accepted_whole_or_rejected_with_nothing_changed()
    {
        Gen.Select(Gen.Int[0, 11007].Array[1, 8], Gen.Byte.Array[1, 8]).Sample((offsets, values) =>
        {
            var (kernel, tracee) = StoppedTracee();
            var before = kernel.XStateRegsGet(tracee);
            var image = (byte[])before.Clone();
            for (var i = 0; i < offsets.Length; i++)
            {
                image[offsets[i]] = values[i % values.Length];
            }

            var result = kernel.XStateRegsSet(tracee, image);
            var after = kernel.XStateRegsGet(tracee);
            if (!result.IsSuccess)
            {
                Assert.Equal(before, after);
                Assert.False(string.IsNullOrEmpty(result.Reason));
                return;
            }

            // Accepted: every component the header declares reads back as written.
            var declared = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(512)) & tracee.Fpu.StateMask;
            foreach (var feature in (declared & ~XFeatureMask.FpSse).Features())
            {
                var component = kernel.Layout.GetComponent(feature);
                Assert.Equal(image.AsSpan(component.StandardOffset, component.Size).ToArray(), after.AsSpan(component.StandardOffset, component.Size).ToArray());
            }
        }, iter: 300);
    }

    [Fact]
    public void Random_frames_never_break_the_kernel()
    {
        Gen.Byte.Array[0, 3000].Sample(bytes =>
        {
            var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
            var task = kernel.CreateProcess("victim");
            kernel.SwitchTo(task);
            var before = kernel.DeliverSignal();
            Assert.True(kernel.RestoreSigframe(before).IsSuccess);
            var result = kernel.RestoreSigframe(bytes);
            Assert.Equal(result.IsSuccess ? Signal.None : Signal.SIGSEGV, result.Signal);
            Assert.False(kernel.InAtomicContext);
            Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.Opmask, new byte[64])); // the task runs on
        }, iter: 300);
    }
}
