using System;
using FpuGuard.Runtime;

namespace AmxDriver;

/// <summary>Runs the driver's correct paths on the Sapphire Rapids model, saying what each step shows.</summary>
public static class Program
{
    public static int Main()
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        var kernel = new Kernel(layout);
        var task = kernel.CreateProcess("amx-app");
        kernel.SwitchTo(task);
        Console.WriteLine("AMX first use, on the Sapphire Rapids model:");
        Console.WriteLine($"  FPU buffer at start:           {task.Fpu.StateSize} bytes  (the task's embedded default buffer, compacted XSAVES format, holding {task.Fpu.StateMask.ToHex()}: {Tiles(task.Fpu)})");

        var denied = kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]);
        Console.WriteLine($"  tile write, no permission:     {denied}  (the signal the task gets: AMX needs arch_prctl permission first)");

        var permission = kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData);
        Console.WriteLine($"  ARCH_REQ_XCOMP_PERM(18):       {permission}  (0 is success: tile data permitted; nothing is allocated yet)");

        var firstUse = kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]);
        Console.WriteLine($"  tile write, with permission:   {(firstUse == Signal.None ? "no signal" : firstUse.ToString())}  (the write raised #NM, the kernel grew the buffer, and the write was retried)");
        Console.WriteLine($"  FPU buffer now:                {task.Fpu.StateSize} bytes  (a new buffer, compacted format, holding {task.Fpu.StateMask.ToHex()}: {Tiles(task.Fpu)})");

        kernel.SwitchTo(kernel.Idle);
        Console.WriteLine($"  ptrace NT_X86_XSTATE image:    {kernel.XStateRegsGet(task).Length} bytes  (standard format, the user ABI: each user feature the kernel supports at its fixed CPUID offset, so it need not equal the buffer's size)");

        var live = kernel.Memory.LiveAllocations;
        XStateBuffers.Free(kernel, task.Fpu);
        Console.WriteLine($"  live allocations:              {live} before freeing the task's buffer, {kernel.Memory.LiveAllocations} after  (the free checks for the embedded default buffer, which was never allocated)");
        return 0;
    }

    private static string Tiles(Fpu fpu) => fpu.StateMask.Has(XFeature.XTileData) ? "tile data included" : "no room for tile data";
}
