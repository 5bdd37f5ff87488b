using System;
using System.Runtime.CompilerServices;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The bound on recursion over user code. Every walk that recurses over syntax or operations calls
/// <see cref="EnsureStack"/> first: deep code (a long chain of <c>+</c>, a deep <c>else if</c>) then ends the
/// analysis of that one member with <see cref="InsufficientExecutionStackException"/>, which the rule catches at
/// the member's root and answers conservatively, instead of a stack overflow that no one can catch and that takes
/// the compiler down (the compiler server's worker threads have 1 MiB stacks).
/// </summary>
internal static class AnalysisBounds
{
    /// <summary>The reason given when the stack ran short.</summary>
    public const string TooDeep = "the code is nested too deeply to analyse on this thread's stack";

    /// <summary>Throws <see cref="InsufficientExecutionStackException"/> when too little stack is left to go deeper.</summary>
    public static void EnsureStack() => RuntimeHelpers.EnsureSufficientExecutionStack();
}
