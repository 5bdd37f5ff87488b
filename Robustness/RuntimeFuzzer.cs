using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using FpuGuard.Runtime;

namespace FpuGuard.Robustness;

/// <summary>
/// Hostile user input to the kernel model, seeded and reproducible (case i uses seed + i): random and mutated
/// ptrace images and signal frames, and injected allocation failures during first use.
/// Checked: nothing throws; a rejected ptrace image changes nothing and its reason names the field, an accepted
/// one is read back as written; a signal frame is accepted exactly when v6.12's checks and the hardware's XRSTOR
/// rules accept it, and then the registers hold what those rules say (a rejected one leaves the user state in
/// its init configuration, with SIGSEGV); no other task's state ever changes.
/// </summary>
public static class RuntimeFuzzer
{
    private static readonly string[] FieldWords = { "XCOMP_BV", "header byte", "XSTATE_BV", "MXCSR", "bytes", "magic", "xstate_size", "extended_size", "xfeatures", "vzalloc", "frame" };

    public static RunReport Run(int cases, int seed)
    {
        var report = new RunReport();
        for (var i = 0; i < cases; i++)
        {
            var random = new Random(unchecked(seed + i));
            try
            {
                switch (i % 4)
                {
                    case 0: Ptrace(random, report, mutate: true); break;
                    case 1: Ptrace(random, report, mutate: false); break;
                    case 2: Sigreturn(random, report); break;
                    default: AllocationFailure(random, report); break;
                }
            }
            catch (Exception exception)
            {
                report.Failures.Add($"case {i} (seed {unchecked(seed + i)}): {exception.GetType().Name}: {exception.Message}");
            }

            report.Cases++;
        }

        return report;
    }

    private static (Kernel Kernel, KernelTask Target, KernelTask Bystander) Setup(Random random)
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var target = kernel.CreateProcess("target");
        var bystander = kernel.CreateProcess("bystander");
        foreach (var task in new[] { bystander, target })
        {
            kernel.SwitchTo(task);
            kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData);
            foreach (var feature in kernel.Cpu.Xcr0.Features().Where(_ => random.Next(2) == 0))
            {
                var bytes = new byte[kernel.Cpu.GetRegisterFileSize(feature)];
                random.NextBytes(bytes);
                kernel.UserWriteRegisters(feature, bytes);
            }
        }

        return (kernel, target, bystander);
    }

    private static void Ptrace(Random random, RunReport report, bool mutate)
    {
        var (kernel, target, bystander) = Setup(random);
        kernel.SwitchTo(kernel.Idle);
        var before = kernel.XStateRegsGet(target);
        var bystanderBefore = kernel.XStateRegsGet(bystander);
        byte[] image;
        if (mutate)
        {
            image = (byte[])before.Clone();
            Mutate(random, image);
        }
        else
        {
            image = new byte[random.Next(3) == 0 ? random.Next(0, 12000) : before.Length];
            random.NextBytes(image);
        }

        var result = kernel.XStateRegsSet(target, image);
        var after = kernel.XStateRegsGet(target);
        Check(report, result, before, after, image, kernel, "ptrace");
        Require(report, kernel.XStateRegsGet(bystander).SequenceEqual(bystanderBefore), "ptrace changed another task's state");
    }

    private static void Sigreturn(Random random, RunReport report)
    {
        var (kernel, target, bystander) = Setup(random);
        kernel.SwitchTo(target);
        var frame = kernel.DeliverSignal();
        Mutate(random, frame);
        if (random.Next(5) == 0)
        {
            Array.Resize(ref frame, random.Next(0, frame.Length + 64));
        }

        var expected = HardwareRestore(kernel, target.Fpu.FpState.UserXFeatures, target.Fpu.FpState.UserSize, frame);
        var result = kernel.RestoreSigframe(frame);
        if (result.IsSuccess)
        {
            Require(report, expected is not { Faults: true }, $"the kernel accepted a frame the hardware rules reject: {expected?.Why}");
            Require(report, result.Signal == Signal.None, $"an accepted frame raised {result.Signal}");
            if (expected is { Faults: false })
            {
                RequireRegisters(report, kernel, expected.Registers, expected.Mxcsr, "an accepted frame");
            }
        }
        else
        {
            Require(report, expected is not { Faults: false }, $"the kernel rejected a frame the hardware rules accept: {result}");
            Require(report, FieldWords.Any(w => result.Reason!.Contains(w, StringComparison.Ordinal)), $"reason names no field: {result}");
            Require(report, result.Signal == Signal.SIGSEGV, $"a rejected frame raised {result.Signal}, not SIGSEGV");
            var cleared = target.Fpu.FpState.UserXFeatures.Features().ToDictionary(f => f, f => InitImage(kernel, f));
            BinaryPrimitives.WriteUInt32LittleEndian(cleared[XFeature.Pkru], Kernel.InitPkruValue);
            var pkruPad = kernel.Cpu.ReadRegisters(XFeature.Pkru).AsSpan(4).ToArray();
            pkruPad.CopyTo(cleared[XFeature.Pkru], 4); // WRPKRU writes 32 bits; the model's padding is not state
            RequireRegisters(report, kernel, cleared, Cpu.MxcsrInit, "a rejected frame (fpu__clear_user_states)");
        }

        kernel.SwitchTo(kernel.Idle);
        var bystanderImage = kernel.XStateRegsGet(bystander);
        kernel.SwitchTo(bystander);
        kernel.SwitchTo(kernel.Idle);
        Require(report, kernel.XStateRegsGet(bystander).SequenceEqual(bystanderImage), "sigreturn changed another task's state");
    }

    private sealed record Expectation(bool Faults, string Why, Dictionary<XFeature, byte[]> Registers, uint Mxcsr);

    // What a 64-bit sigreturn must leave in the registers, from the frame alone: v6.12's software checks
    // (check_xstate_in_sigframe: fx_only or a fault), then the SDM's rules for a standard-form XRSTOR with
    // RFBM = fx_sw_bytes.xfeatures & user_xfeatures, and init state for the other user features. Null when
    // the frame asks for the compacted form, which this reference does not lay out.
    private static Expectation? HardwareRestore(Kernel kernel, XFeatureMask user, int userSize, byte[] frame)
    {
        var none = new Dictionary<XFeature, byte[]>();
        if (frame.Length < 512)
        {
            return new Expectation(true, "fx_sw_bytes beyond the frame", none, 0);
        }

        var magic1 = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(464));
        var extendedSize = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(468));
        var swXFeatures = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(472));
        var xstateSize = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(480));
        var fxOnly = magic1 != Kernel.FpXstateMagic1 || xstateSize < 576 || xstateSize > userSize || xstateSize > extendedSize;
        if (!fxOnly)
        {
            if (frame.Length < xstateSize + 4)
            {
                return new Expectation(true, "magic2 beyond the frame", none, 0);
            }

            fxOnly = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan((int)xstateSize)) != Kernel.FpXstateMagic2;
        }

        var rfbm = (fxOnly ? XFeatureMask.FpSse : swXFeatures) & user;
        var xstateBv = fxOnly ? XFeatureMask.FpSse : (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(512));
        if (!fxOnly)
        {
            var xcompBv = BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(520));
            if ((xcompBv & 1UL << 63) != 0)
            {
                return null;
            }

            if ((xstateBv & ~kernel.Cpu.Xcr0) != 0)
            {
                return new Expectation(true, "XSTATE_BV outside XCR0", none, 0);
            }

            if (frame.AsSpan(520, 16).IndexOfAnyExcept((byte)0) >= 0)
            {
                return new Expectation(true, "header bytes 8-23 not zero", none, 0);
            }
        }

        var mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(24));
        if ((rfbm & (XFeatureMask.Sse | XFeatureMask.Avx)) != 0 && (mxcsr & ~Cpu.MxcsrMask) != 0)
        {
            return new Expectation(true, "reserved MXCSR bits", none, 0);
        }

        var registers = new Dictionary<XFeature, byte[]>();
        foreach (var feature in user.Features())
        {
            if (!(rfbm & xstateBv).Has(feature))
            {
                registers[feature] = InitImage(kernel, feature);
                continue;
            }

            switch (feature)
            {
                case XFeature.X87:
                    registers[feature] = frame.AsSpan(0, 24).ToArray().Concat(frame.AsSpan(32, 128).ToArray()).ToArray();
                    break;
                case XFeature.Sse:
                    registers[feature] = frame.AsSpan(160, 256).ToArray();
                    break;
                default:
                    var component = kernel.Layout.GetComponent(feature);
                    if (component.StandardOffset + component.Size > frame.Length)
                    {
                        return new Expectation(true, $"{feature} beyond the frame", none, 0);
                    }

                    registers[feature] = frame.AsSpan(component.StandardOffset, component.Size).ToArray();
                    break;
            }
        }

        // MXCSR: loaded from the frame (RFBM has SSE or YMM); the init restore of the rest is XRSTORS on Sapphire
        // Rapids, which resets MXCSR only when SSE is among the features it initializes.
        return new Expectation(false, "", registers, rfbm.Has(XFeature.Sse) ? mxcsr : Cpu.MxcsrInit);
    }

    private static byte[] InitImage(Kernel kernel, XFeature feature)
    {
        var image = new byte[kernel.Cpu.GetRegisterFileSize(feature)];
        if (feature == XFeature.X87)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(image, Cpu.FcwInit);
        }

        return image;
    }

    private static void RequireRegisters(RunReport report, Kernel kernel, Dictionary<XFeature, byte[]> expected, uint mxcsr, string what)
    {
        foreach (var (feature, value) in expected)
        {
            var actual = kernel.Cpu.ReadRegisters(feature);
            Require(report, actual.AsSpan().SequenceEqual(value), $"after {what}, {feature} is {Convert.ToHexString(actual)[..Math.Min(32, actual.Length * 2)]}..., the hardware rules say {Convert.ToHexString(value)[..Math.Min(32, value.Length * 2)]}...");
        }

        Require(report, kernel.Cpu.Mxcsr == mxcsr, $"after {what}, MXCSR is 0x{kernel.Cpu.Mxcsr:X8}, the hardware rules say 0x{mxcsr:X8}");
    }

    private static void AllocationFailure(Random random, RunReport report)
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var task = kernel.CreateProcess("grows");
        kernel.SwitchTo(task);
        kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData);
        var avx = new byte[256];
        random.NextBytes(avx);
        kernel.UserWriteRegisters(XFeature.Avx, avx);
        kernel.Memory.FailNthAllocation(1);
        if (random.Next(2) == 0)
        {
            Require(report, kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]) == Signal.SIGSEGV, "first use with a failing allocation did not get SIGSEGV");
        }
        else
        {
            // ptrace never grows a tracee (v6.12): tile data for an ungrown buffer is EINVAL, nothing allocated.
            kernel.SwitchTo(kernel.Idle);
            var image = kernel.XStateRegsGet(task);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(512), BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(512)) | (ulong)XFeatureMask.XTileData);
            Require(report, kernel.XStateRegsSet(task, image).Errno == Errno.EINVAL, "ptrace set of tile data for an ungrown tracee was not EINVAL");
            Require(report, kernel.Memory.AllocationAttempts == 0, "ptrace set tried to grow a tracee");
            kernel.SwitchTo(task);
        }

        kernel.Memory.ClearFaultInjection();
        Require(report, !task.Fpu.IsDynamic && kernel.Memory.LiveAllocations == 0, "a failed reallocation left a buffer behind");
        kernel.UserReadRegisters(XFeature.Avx, out var after);
        Require(report, after.SequenceEqual(avx), "a failed reallocation lost the old state");
    }

    private static void Check(RunReport report, KernelResult result, byte[] before, byte[] after, byte[] image, Kernel kernel, string what)
    {
        if (!result.IsSuccess)
        {
            Require(report, after.SequenceEqual(before), $"a rejected {what} image changed the state: {result}");
            Require(report, FieldWords.Any(w => result.Reason!.Contains(w, StringComparison.Ordinal)), $"reason names no field: {result}");
            return;
        }

        var declared = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(512)) & ~XFeatureMask.FpSse;
        foreach (var feature in declared.Features())
        {
            var component = kernel.Layout.GetComponent(feature);
            Require(report, image.AsSpan(component.StandardOffset, component.Size).SequenceEqual(after.AsSpan(component.StandardOffset, component.Size)), $"{feature} not read back as written");
        }
    }

    private static void Mutate(Random random, byte[] image)
    {
        var edits = random.Next(1, 9);
        for (var e = 0; e < edits && image.Length > 0; e++)
        {
            switch (random.Next(4))
            {
                case 0: image[random.Next(image.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1 when image.Length >= 576: image[512 + random.Next(64)] = (byte)random.Next(256); break; // the header
                case 2 when image.Length >= 512: image[464 + random.Next(48)] = (byte)random.Next(256); break; // fx_sw_bytes
                default: image[random.Next(Math.Min(image.Length, 32))] = (byte)random.Next(256); break; // x87 / MXCSR
            }
        }
    }

    private static void Require(RunReport report, bool condition, string failure)
    {
        if (!condition)
        {
            report.Failures.Add(failure);
        }
    }
}
