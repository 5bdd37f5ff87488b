using System;
using System.Buffers.Binary;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>
/// The user ABI as Linux v6.12 has it: ptrace (regset.c xstateregs_get/set, xstate.c copy_xstate_to_uabi_buf,
/// copy_uabi_to_xstate, validate_user_xstate_header), signal frames (signal.c copy_fpstate_to_sigframe,
/// save_xstate_epilog, __fpu_restore_sig, restore_fpregs_from_user) and which step reports a signal.
/// Figures are Sapphire Rapids': user default features 0x202e7 (2,816 bytes), with tile data 0x602e7 (11,008).
/// </summary>
public class SignalAndPtraceAbiTests
{
    private const ulong TileData = (ulong)XFeature.XTileData;
    private const int Header = 512;
    private const int PkruOffset = 2688; // standard offset of component 9 on Sapphire Rapids

    private static (Kernel Kernel, KernelTask Task) Running(CpuProfile? profile = null)
    {
        var kernel = new Kernel((profile ?? CpuProfiles.SapphireRapids).Layout);
        var task = kernel.CreateProcess("task");
        kernel.SwitchTo(task);
        return (kernel, task);
    }

    private static ulong U64(byte[] image, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(offset));

    private static uint U32(byte[] image, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(offset));

    private static void SetU64(byte[] image, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(offset), value);

    private static void SetU32(byte[] image, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(offset), value);

    private static byte[] Bytes(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed)).ToArray();

    private static uint Pkru(Kernel kernel)
    {
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Pkru, out var pkru));
        return BinaryPrimitives.ReadUInt32LittleEndian(pkru);
    }

    // ---- §3 ptrace SETREGSET ----

    [Fact]
    public void Ptrace_set_of_tile_data_for_a_tracee_whose_buffer_has_not_grown_is_einval_and_grows_nothing()
    {
        var (kernel, tracee) = Running();
        Assert.True(kernel.RequestXCompPermission(tracee, TileData).IsSuccess);
        kernel.SwitchTo(kernel.Idle);
        var before = kernel.XStateRegsGet(tracee);
        var image = (byte[])before.Clone();
        SetU64(image, Header, U64(image, Header) | 1UL << 18);
        Bytes(8192, 7).CopyTo(image, 2816);

        var result = kernel.XStateRegsSet(tracee, image);

        Assert.Equal(Errno.EINVAL, result.Errno);
        Assert.Contains("user_xfeatures 0x202e7", result.Reason);
        Assert.False(tracee.Fpu.IsDynamic);
        Assert.Equal(0, kernel.Memory.AllocationAttempts);
        Assert.Equal(before, kernel.XStateRegsGet(tracee));
    }

    [Fact]
    public void Ptrace_set_checks_the_header_in_the_kernels_order_features_then_xcomp_bv_then_reserved_bytes()
    {
        var (kernel, tracee) = Running();
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        SetU64(image, Header, 0x3 | 1UL << 18);
        SetU64(image, Header + 8, 1UL << 63 | 0x3);
        image[Header + 40] = 1;
        Assert.Contains("XSTATE_BV", kernel.XStateRegsSet(tracee, image).Reason);

        SetU64(image, Header, 0x3);
        Assert.Contains("XCOMP_BV", kernel.XStateRegsSet(tracee, image).Reason);

        SetU64(image, Header + 8, 0);
        Assert.Contains("header byte 40", kernel.XStateRegsSet(tracee, image).Reason);
    }

    [Fact]
    public void Ptrace_set_of_an_fp_only_image_checks_mxcsr_against_mxcsr_feature_mask()
    {
        var (kernel, tracee) = Running();
        kernel.SwitchTo(kernel.Idle);
        var before = kernel.XStateRegsGet(tracee);
        var image = (byte[])before.Clone();
        SetU64(image, Header, (ulong)XFeatureMask.X87);
        SetU32(image, 24, 0x0001_1F80);

        var result = kernel.XStateRegsSet(tracee, image);

        Assert.Equal(Errno.EINVAL, result.Errno);
        Assert.Contains("MXCSR 0x00011F80", result.Reason);
        Assert.Equal(before, kernel.XStateRegsGet(tracee));
    }

    [Fact]
    public void Ptrace_set_copies_the_fp_part_as_bytes_0_to_159_mxcsr_and_its_mask_included()
    {
        var (kernel, tracee) = Running();
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        var fp = Bytes(160, 3);
        SetU32(fp, 24, 0x1F00);
        SetU32(fp, 28, 0x0000_FFBF);
        fp.CopyTo(image, 0);
        SetU64(image, Header, (ulong)XFeatureMask.X87);

        Assert.True(kernel.XStateRegsSet(tracee, image).IsSuccess);

        Assert.Equal(fp, tracee.Fpu.State.Bytes[..160].ToArray());
    }

    [Fact]
    public void Ptrace_get_reads_mxcsr_and_its_mask_from_the_buffer_when_sse_or_ymm_is_in_use()
    {
        var (kernel, tracee) = Running();
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        SetU32(image, 24, 0x1F00);
        SetU32(image, 28, 0x0000_FFBF);
        SetU64(image, Header, (ulong)XFeatureMask.FpSse);
        Assert.True(kernel.XStateRegsSet(tracee, image).IsSuccess);

        var read = kernel.XStateRegsGet(tracee);
        Assert.Equal(0x1F00u, U32(read, 24));
        Assert.Equal(0x0000_FFBFu, U32(read, 28));
    }

    [Fact]
    public void Ptrace_get_reports_mxcsr_1f80_when_neither_sse_nor_ymm_is_in_use_on_a_standard_format_kernel()
    {
        var (kernel, tracee) = Running(CpuProfiles.HaswellClient);
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        SetU32(image, 24, 0x1F00);
        SetU64(image, Header, (ulong)XFeatureMask.X87);
        Assert.True(kernel.XStateRegsSet(tracee, image).IsSuccess);
        Assert.Equal(0x1F00u, tracee.Fpu.State.Mxcsr); // in the buffer, copied with the FP part

        var read = kernel.XStateRegsGet(tracee);
        Assert.Equal(0x1F80u, U32(read, 24));
        Assert.Equal(kernel.MxcsrFeatureMask, U32(read, 28));
    }

    [Fact]
    public void Ptrace_an_avx_only_image_reads_back_with_the_features_the_kernel_records()
    {
        var (kernel, tracee) = Running();
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        var ymm = Bytes(256, 9);
        ymm.CopyTo(image, 576);
        SetU32(image, 24, 0x1F00);
        SetU64(image, Header, (ulong)XFeatureMask.Avx);
        Assert.True(kernel.XStateRegsSet(tracee, image).IsSuccess);

        var read = kernel.XStateRegsGet(tracee);
        Assert.Equal((ulong)XFeatureMask.Avx, U64(read, Header));
        Assert.Equal(0x1F00u, U32(read, 24));
        Assert.Equal(ymm, read.AsSpan(576, 256).ToArray());
    }

    [Fact]
    public void Ptrace_get_software_bytes_are_the_user_features_of_xcr0_and_zeros()
    {
        var (kernel, tracee) = Running();
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        Assert.Equal(0x602E7UL, U64(image, 464)); // xstate_fx_sw_bytes[USER_XSTATE_XCR0_WORD], what gdb reads
        Assert.All(image.AsSpan(472, 40).ToArray(), b => Assert.Equal(0, b));
        Assert.All(image.AsSpan(416, 48).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Ptrace_get_pkru_is_the_tasks()
    {
        var (kernel, tracee) = Running();
        kernel.UserWriteRegisters(XFeature.Pkru, [0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]);
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        Assert.Equal(0x12345678u, U32(image, PkruOffset));
        Assert.True(((XFeatureMask)U64(image, Header)).Has(XFeature.Pkru));
    }

    // ---- §1 signal delivery ----

    [Fact]
    public void Signal_frame_is_sized_from_the_buffer_so_a_permitted_but_unused_amx_task_gets_the_small_frame()
    {
        var (kernel, task) = Running();
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);

        var small = kernel.DeliverSignal();
        Assert.Equal(2816 + 4, small.Length);
        Assert.Equal(Kernel.FpXstateMagic1, U32(small, 464));
        Assert.Equal(2820u, U32(small, 468)); // extended_size
        Assert.Equal(0x202E7UL, U64(small, 472)); // fpstate->user_xfeatures
        Assert.Equal(2816u, U32(small, 480)); // fpstate->user_size
        Assert.Equal(Kernel.FpXstateMagic2, U32(small, 2816));
        Assert.True(kernel.RestoreSigframe(small).IsSuccess);

        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, Bytes(8192, 1)));
        var large = kernel.DeliverSignal();
        Assert.Equal(11008 + 4, large.Length);
        Assert.Equal(0x602E7UL, U64(large, 472));
        Assert.Equal(11008u, U32(large, 480));
        Assert.Equal(Kernel.FpXstateMagic2, U32(large, 11008));
    }

    [Fact]
    public void Signal_frame_always_has_fp_and_sse_so_a_legacy_handlers_xmm_edit_survives_sigreturn()
    {
        var (kernel, _) = Running();
        var frame = kernel.DeliverSignal();
        Assert.Equal(0x3UL, U64(frame, Header) & 0x3);

        var xmm = Bytes(256, 5);
        xmm.CopyTo(frame, 160); // a legacy handler edits fxsave's xmm_space and nothing else
        Assert.True(kernel.RestoreSigframe(frame).IsSuccess);

        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Sse, out var after));
        Assert.Equal(xmm, after);
    }

    [Fact]
    public void Signal_handler_starts_with_init_state_and_the_default_pkru_and_the_frame_keeps_the_tasks_pkru()
    {
        var (kernel, _) = Running();
        kernel.UserWriteRegisters(XFeature.Pkru, [0x0C, 0, 0, 0, 0, 0, 0, 0]);
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 2));

        var frame = kernel.DeliverSignal();

        Assert.Equal(Kernel.InitPkruValue, Pkru(kernel));
        Assert.Equal(0x0Cu, U32(frame, PkruOffset)); // update_pkru_in_sigframe
        kernel.UserReadRegisters(XFeature.Avx, out var avx);
        Assert.All(avx, b => Assert.Equal(0, b));

        Assert.True(kernel.RestoreSigframe(frame).IsSuccess);
        Assert.Equal(0x0Cu, Pkru(kernel));
        kernel.UserReadRegisters(XFeature.Avx, out avx);
        Assert.Equal(Bytes(256, 2), avx);
    }

    [Fact]
    public void Signal_handler_on_a_cpu_without_protection_keys_has_no_pkru()
    {
        var (kernel, _) = Running(CpuProfiles.HaswellClient);
        var frame = kernel.DeliverSignal();
        Assert.Equal(832 + 4, frame.Length);
        Assert.Equal(0x7UL, U64(frame, 472));
        Assert.True(kernel.RestoreSigframe(frame).IsSuccess);
    }

    // ---- §2 sigreturn ----

    [Fact]
    public void Sigreturn_with_a_bad_magic1_restores_the_legacy_part_only_fx_only()
    {
        var (kernel, task) = Running();
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 4));
        var frame = kernel.DeliverSignal();
        var xmm = Bytes(256, 8);
        xmm.CopyTo(frame, 160);
        SetU32(frame, 464, 0xDEADBEEF);

        var result = kernel.RestoreSigframe(frame);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(Signal.None, result.Signal);
        kernel.UserReadRegisters(XFeature.Sse, out var sse);
        Assert.Equal(xmm, sse);
        kernel.UserReadRegisters(XFeature.Avx, out var avx);
        Assert.All(avx, b => Assert.Equal(0, b)); // everything but FP and SSE initialized
        Assert.Empty(task.PendingSignals);
    }

    [Theory]
    [InlineData("xstate_size below 576", 480, 100u)]
    [InlineData("xstate_size above user_size", 480, 11008u)]
    [InlineData("extended_size below xstate_size", 468, 12u)]
    public void Sigreturn_with_inconsistent_software_bytes_is_fx_only_as_v6_12_checks_them(string what, int offset, uint value)
    {
        var (kernel, _) = Running();
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 4));
        var frame = kernel.DeliverSignal();
        SetU32(frame, offset, value);
        Assert.True(kernel.RestoreSigframe(frame).IsSuccess, what);
        kernel.UserReadRegisters(XFeature.Avx, out var avx);
        Assert.All(avx, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Sigreturn_restores_with_rfbm_from_the_software_bytes_and_ignores_what_the_hardware_ignores()
    {
        var (kernel, _) = Running();
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 4));
        kernel.UserWriteRegisters(XFeature.Opmask, Bytes(64, 6));
        var frame = kernel.DeliverSignal();
        SetU64(frame, 472, (ulong)(XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Pkru)); // opmask not requested
        frame[Header + 40] = 0x5A; // header bytes 24-63: the standard form's XRSTOR does not look at them
        SetU64(frame, Header, U64(frame, Header) | 1UL << 18); // outside RFBM: ignored

        var result = kernel.RestoreSigframe(frame);

        Assert.True(result.IsSuccess, result.ToString());
        kernel.UserReadRegisters(XFeature.Avx, out var avx);
        Assert.Equal(Bytes(256, 4), avx);
        kernel.UserReadRegisters(XFeature.Opmask, out var opmask);
        Assert.All(opmask, b => Assert.Equal(0, b)); // outside RFBM, inside user_xfeatures: initialized
    }

    [Fact]
    public void Sigreturn_masks_the_frames_features_with_user_xfeatures_so_tile_data_of_an_ungrown_task_is_ignored()
    {
        var (kernel, task) = Running();
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        var frame = kernel.DeliverSignal(); // 2,820 bytes: no room for tile data, which stays armed by XFD
        SetU64(frame, 472, U64(frame, 472) | 1UL << 18);
        SetU64(frame, Header, U64(frame, Header) | 1UL << 18);

        var result = kernel.RestoreSigframe(frame);

        Assert.True(result.IsSuccess, result.ToString()); // RFBM without tile data: no #NM, nothing read beyond the frame
        Assert.False(task.Fpu.IsDynamic);
    }

    [Theory]
    [InlineData("reserved MXCSR bits", 24, 0xFFFF_0000u, "MXCSR")]
    [InlineData("XSTATE_BV bit not in XCR0 (MPX on Sapphire Rapids)", Header, 0x2EFu, "XSTATE_BV")]
    [InlineData("XCOMP_BV without its layout", Header + 8, 0x1u, "header byte")]
    public void Sigreturn_whose_xrstor_faults_clears_the_user_state_and_reports_sigsegv(string what, int offset, uint value, string named)
    {
        var (kernel, task) = Running();
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 4));
        kernel.UserWriteRegisters(XFeature.Pkru, [0x0C, 0, 0, 0, 0, 0, 0, 0]);
        var frame = kernel.DeliverSignal();
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 9)); // the handler's own use
        SetU32(frame, offset, value);

        var result = kernel.RestoreSigframe(frame);

        Assert.False(result.IsSuccess, what);
        Assert.Equal(Signal.SIGSEGV, result.Signal);
        Assert.Contains(named, result.Reason);
        kernel.UserReadRegisters(XFeature.Avx, out var avx);
        Assert.All(avx, b => Assert.Equal(0, b)); // fpu__clear_user_states, not "unchanged"
        Assert.Equal(Kernel.InitPkruValue, Pkru(kernel));
        Assert.Empty(task.PendingSignals);
    }

    [Fact]
    public void Sigreturn_of_a_frame_cut_short_faults()
    {
        var (kernel, _) = Running();
        kernel.UserWriteRegisters(XFeature.Avx, Bytes(256, 4));
        var frame = kernel.DeliverSignal();
        Assert.Equal(Errno.EFAULT, kernel.RestoreSigframe(frame.AsSpan(0, frame.Length - 1)).Errno); // magic2 unreadable
        Assert.Equal(Errno.EFAULT, kernel.RestoreSigframe(frame.AsSpan(0, 100)).Errno);
    }

    // ---- §4 signals reported once, by the step that raised them ----

    [Fact]
    public void A_rejected_sigreturn_reports_sigsegv_itself_and_a_later_first_use_reports_nothing()
    {
        var (kernel, task) = Running();
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        var frame = kernel.DeliverSignal();
        SetU32(frame, 24, 0xFFFF_0000);
        Assert.Equal(Signal.SIGSEGV, kernel.RestoreSigframe(frame).Signal);

        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, Bytes(8192, 3)));
        Assert.True(task.Fpu.IsDynamic);
    }

    [Fact]
    public void A_signal_left_pending_by_a_direct_trap_call_is_not_reported_by_a_later_instruction()
    {
        var (kernel, task) = Running();
        kernel.UserWriteRegisters(XFeature.XTileData, Bytes(8192, 3)); // SIGILL, reported by that step
        kernel.Cpu.Wrmsr(Cpu.MsrIa32XfdErr, 1UL << (int)TileData);
        kernel.LocalIrqDisable();
        Assert.True(kernel.HandleXfdEvent()); // no permission: SIGILL left pending for the task
        kernel.LocalIrqEnable();
        Assert.Contains(Signal.SIGILL, task.PendingSignals);

        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, Bytes(8192, 3)));
    }
}
