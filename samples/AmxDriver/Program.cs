using System;
using FpuGuard.Runtime;

namespace AmxDriver;

/// <summary>Runs the driver's correct paths on the Sapphire Rapids model.</summary>
public static class Program
{
    public static int Main()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var task = kernel.CreateProcess("amx-app");
        kernel.SwitchTo(task);
        Console.WriteLine($"without permission, first tile use: {kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192])}");
        Console.WriteLine($"ARCH_REQ_XCOMP_PERM(18): {kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData)}");
        Console.WriteLine($"first tile use: {kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192])}; buffer {task.Fpu.StateSize} bytes");
        kernel.SwitchTo(kernel.Idle);
        Console.WriteLine($"ptrace get: {kernel.XStateRegsGet(task).Length} bytes");
        XStateBuffers.Free(kernel, task.Fpu);
        Console.WriteLine($"freed; live allocations: {kernel.Memory.LiveAllocations}");
        return 0;
    }
}
