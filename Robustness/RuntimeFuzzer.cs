using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using FpuGuard.Runtime;

namespace FpuGuard.Robustness;

/// <summary>
/// Hostile user input to the kernel model, seeded and reproducible (case i uses seed + i): random and mutated
/// ptrace images and signal frames, and injected allocation failures during first use and ptrace growth.
/// Checked: nothing throws; a rejected input changes nothing and its reason names the field; an accepted one
/// is read back as written; no other task's state ever changes.
/// </summary>
public static class RuntimeFuzzer
{
    private static readonly string[] FieldWords = { "XCOMP_BV", "header byte", "XSTATE_BV", "MXCSR", "bytes", "magic", "xstate_size", "extended_size", "xfeatures", "vzalloc" };

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

        kernel.SyncFpstate(target);
        var state = target.Fpu.State.Bytes.ToArray();
        var result = kernel.RestoreSigframe(frame);
        if (!result.IsSuccess)
        {
            Require(report, target.Fpu.State.Bytes.SequenceEqual(state), $"a rejected frame changed the state: {result}");
            Require(report, FieldWords.Any(w => result.Reason!.Contains(w, StringComparison.Ordinal)), $"reason names no field: {result}");
            Require(report, target.PendingSignals.Contains(Signal.SIGSEGV), "a rejected frame sent no SIGSEGV");
        }

        kernel.SwitchTo(kernel.Idle);
        var bystanderImage = kernel.XStateRegsGet(bystander);
        kernel.SwitchTo(bystander);
        kernel.SwitchTo(kernel.Idle);
        Require(report, kernel.XStateRegsGet(bystander).SequenceEqual(bystanderImage), "sigreturn changed another task's state");
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
            kernel.SwitchTo(kernel.Idle);
            var image = kernel.XStateRegsGet(task);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(512), BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(512)) | (ulong)XFeatureMask.XTileData);
            Require(report, kernel.XStateRegsSet(task, image).Errno == Errno.ENOMEM, "ptrace growth with a failing allocation did not fail with ENOMEM");
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
