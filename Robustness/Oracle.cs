using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.Robustness;

/// <summary>
/// Decides every generated program exactly: runs the entry method for each of the 16 assignments of its
/// conditions (loops run their two iterations, finally blocks run on every way out), and records where a
/// sleeping call executes with a context held (FPU0001, at the entry's call; vfree may sleep), where a free
/// sees the default state (FPU0002: the entry's state may be the default), and where a state field is
/// written (FPU0003). Whether the entry's state is the default is not known, so both are possible: an
/// unguarded free may see it, a guarded one may run. A call of a local function is a violation at the call when
/// some run of it, to any depth of its recursion, sleeps with the caller's context held (outside the function's
/// own regions): decided exactly over the pairs (function, whether a context is held), which bound the call
/// depth. A sleep inside a local function's own region is a violation there, whether or not it is called.
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
            for (var local = 0; local < program.Locals.Count; local++)
            {
                run.OwnRegions(program.Locals[local], held: false);
            }
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

        // Whether a call of the local function, made with a context held, reaches a sleep with the caller's context
        // held: outside the function's own regions (a sleep inside one is reported there, see OwnRegions). Its regions
        // are balanced, so only whether one is held matters: a (function, held) pair on the way again adds nothing,
        // and the recursion ends.
        private bool LocalSleepsHeld(int index, bool held, HashSet<(int, bool)> visiting) =>
            held && visiting.Add((index, held)) && LocalReaches(_program.Locals[index], own: false, visiting) == LocalOutcome.SleptHeld;

        private enum LocalOutcome { Continued, Returned, SleptHeld }

        private LocalOutcome LocalReaches(IReadOnlyList<Statement> statements, bool own, HashSet<(int, bool)> visiting)
        {
            foreach (var statement in statements)
            {
                var outcome = statement switch
                {
                    Sleep when !own => LocalOutcome.SleptHeld,
                    CallLocal c when !own && LocalSleepsHeld(c.Index, true, visiting) => LocalOutcome.SleptHeld,
                    UsingLock u => LocalReaches(u.Body, own: true, visiting),
                    If i => LocalReaches(Condition(i.Condition) ? i.Then : i.Else, own, visiting),
                    Loop l => LocalReaches(l.Body, own, visiting),
                    ReturnIf r when Condition(r.Condition) => LocalOutcome.Returned,
                    _ => LocalOutcome.Continued,
                };
                if (outcome == LocalOutcome.SleptHeld && own)
                {
                    outcome = LocalOutcome.Continued;
                }

                if (outcome != LocalOutcome.Continued)
                {
                    return outcome;
                }
            }

            return LocalOutcome.Continued;
        }

        /// <summary>
        /// A local function's own regions, whether or not anything calls it: a sleep inside one, or a call there of a
        /// local function that sleeps with the caller's context held, is a violation at that line. True when a return
        /// left the function.
        /// </summary>
        public bool OwnRegions(IReadOnlyList<Statement> statements, bool held)
        {
            foreach (var statement in statements)
            {
                var line = _program.Lines.TryGetValue(statement, out var at) ? at : -1;
                var returned = statement switch
                {
                    Sleep => Own(held, line),
                    CallLocal c => Own(held && LocalSleepsHeld(c.Index, true, new HashSet<(int, bool)>()), line),
                    UsingLock u => OwnRegions(u.Body, true),
                    If i => OwnRegions(Condition(i.Condition) ? i.Then : i.Else, held),
                    Loop l => OwnRegions(l.Body, held),
                    ReturnIf r => Condition(r.Condition),
                    _ => false,
                };
                if (returned)
                {
                    return true;
                }
            }

            return false;
        }

        private bool Own(bool happens, int line)
        {
            Violation(happens, "FPU0001", line);
            return false;
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
