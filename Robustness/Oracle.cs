using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.Robustness;

/// <summary>
/// Decides every generated program exactly: runs the entry method for each of the 16 assignments of its
/// conditions (loops run their two iterations, finally blocks run on every way out), and records where a
/// sleeping call executes with a context held (FPU0001, at the entry's call; vfree may sleep), where a free
/// sees the default state (FPU0002: the entry's state may be the default), and where a state field is
/// written (FPU0003). Whether the entry's state is the default is not known, so both are possible: an
/// unguarded free may see it, a guarded one may run. A call of a local function is a violation at the entry's
/// call when some run of it, to any depth of its recursion, sleeps with a context held: decided exactly over the
/// pairs (function, whether a context is held), which bound the call depth.
/// </summary>
public static class Oracle
{
    public static HashSet<(string Rule, int Line)> Violations(RandomProgram program)
    {
        var violations = new HashSet<(string, int)>();
        for (var assignment = 0; assignment < 1 << RandomProgram.Conditions; assignment++)
        {
            var run = new Run(program, assignment, violations);
            run.Execute(program.Entry);
        }

        return violations;
    }

    private sealed class Run
    {
        private readonly RandomProgram _program;
        private readonly int _assignment;
        private readonly HashSet<(string, int)> _violations;
        private readonly int[] _counts = new int[3];

        public Run(RandomProgram program, int assignment, HashSet<(string, int)> violations)
        {
            _program = program;
            _assignment = assignment;
            _violations = violations;
        }

        private bool Condition(int index) => (_assignment & (1 << index)) != 0;

        private bool Held => _counts.Any(c => c > 0);

        /// <summary>Runs statements; true when a return left the method.</summary>
        public bool Execute(IReadOnlyList<Statement> statements)
        {
            foreach (var statement in statements)
            {
                if (Step(statement))
                {
                    return true;
                }
            }

            return false;
        }

        private bool Step(Statement statement)
        {
            var line = _program.Lines[statement];
            switch (statement)
            {
                case Enter e: _counts[e.Kind]++; return false;
                case Exit e: _counts[e.Kind] = System.Math.Max(0, _counts[e.Kind] - 1); return false;
                case UsingLock u:
                    _counts[0]++;
                    var returned = Execute(u.Body);
                    _counts[0] = System.Math.Max(0, _counts[0] - 1);
                    return returned;
                case Sleep:
                    Violation(Held, "FPU0001", line);
                    return false;
                case CallHelper c:
                    Violation(Held && HelperSleeps(c.Index, new HashSet<int>()), "FPU0001", line);
                    return false;
                case CallLocal c:
                    Violation(LocalSleepsHeld(c.Index, Held, new HashSet<(int, bool)>()), "FPU0001", line);
                    return false;
                case If i: return Execute(Condition(i.Condition) ? i.Then : i.Else);
                case ReturnIf r: return Condition(r.Condition);
                case TryFinally t:
                    var left = Execute(t.Try);
                    return Execute(t.Finally) || left;
                case Loop l: return Execute(l.Body) || Execute(l.Body);
                case FreeState or FreeDefault or FreeAlias:
                    Violation(true, "FPU0002", line); // the entry's state may be the default
                    Violation(Held, "FPU0001", line); // vfree may sleep
                    return false;
                case FreeGuarded:
                    Violation(Held, "FPU0001", line); // frees whenever the state is not the default, which it may not be
                    return false;
                case WriteState: Violation(true, "FPU0003", line); return false;
                default: return false; // Swap keeps the state; a lambda is not run
            }
        }

        // Helpers hold no contexts: one sleeps on this assignment if a sleep or a sleeping callee is reachable.
        private bool HelperSleeps(int index, HashSet<int> visiting)
        {
            if (!visiting.Add(index))
            {
                return false; // Recursion adds nothing new.
            }

            return Reaches(_program.Helpers[index], visiting);
        }

        private bool Reaches(IReadOnlyList<Statement> statements, HashSet<int> visiting)
        {
            foreach (var statement in statements)
            {
                switch (statement)
                {
                    case Sleep: return true;
                    case CallHelper c when HelperSleeps(c.Index, visiting): return true;
                    case If i when Reaches(Condition(i.Condition) ? i.Then : i.Else, visiting): return true;
                    case Loop l when Reaches(l.Body, visiting): return true;
                    case ReturnIf r when Condition(r.Condition): return false;
                }
            }

            return false;
        }

        // Whether a call of the local function, made with or without a context held, reaches a sleep with one held.
        // Its regions are balanced, so only whether one is held matters: a (function, held) pair on the way again
        // adds nothing, and the recursion ends.
        private bool LocalSleepsHeld(int index, bool held, HashSet<(int, bool)> visiting) =>
            visiting.Add((index, held)) && LocalReaches(_program.Locals[index], held, visiting) == LocalOutcome.SleptHeld;

        private enum LocalOutcome { Continued, Returned, SleptHeld }

        private LocalOutcome LocalReaches(IReadOnlyList<Statement> statements, bool held, HashSet<(int, bool)> visiting)
        {
            foreach (var statement in statements)
            {
                var outcome = statement switch
                {
                    Sleep when held => LocalOutcome.SleptHeld,
                    CallLocal c when LocalSleepsHeld(c.Index, held, visiting) => LocalOutcome.SleptHeld,
                    UsingLock u => LocalReaches(u.Body, true, visiting),
                    If i => LocalReaches(Condition(i.Condition) ? i.Then : i.Else, held, visiting),
                    Loop l => LocalReaches(l.Body, held, visiting),
                    ReturnIf r when Condition(r.Condition) => LocalOutcome.Returned,
                    _ => LocalOutcome.Continued,
                };
                if (outcome != LocalOutcome.Continued)
                {
                    return outcome;
                }
            }

            return LocalOutcome.Continued;
        }

        private void Violation(bool happens, string rule, int line)
        {
            if (happens)
            {
                _violations.Add((rule, line));
            }
        }
    }
}
