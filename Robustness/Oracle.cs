using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.Robustness;

/// <summary>
/// Decides every generated program exactly: runs the entry method for each of the 16 assignments of its
/// conditions and records where a sleeping call executes with a context held (FPU0001; vfree may sleep), where a
/// free sees the default state (FPU0002: the entry's state may be the default); and where the program's text writes a
/// state field (FPU0003, a rule about code rather than runs: every write, whether or not a run reaches it).
/// <para>
/// The run is a collecting semantics: a statement maps a set of context states (the nesting count of each kind) to
/// the states that leave it normally, by a return, and by an exception (with the state at the throw, which filters
/// see, and the state after the finally blocks run on the way out). What may throw: an explicit throw
/// (<c>if (cN) throw</c>) exactly when its condition holds; and every call other than one that only enters or leaves a
/// context (taking the lock, disabling preemption or interrupts, their exits and the lock scope's Dispose cannot fail),
/// before it completes: a Runtime call (Vzalloc throws in atomic context, Vfree on a bad free, either when memory is
/// short), a call of a helper, local function, accessor, operator or delegate, a delegate's allocation. Both outcomes
/// are explored. A field write through <c>fpu</c> may throw too (the parameter may be null: nullable annotations are
/// not checked at run time). Branches on the bool parameters, the loops' counters and returns do not throw.
/// </para>
/// <para>
/// Exceptions are dispatched in two passes as .NET does: the filters of the enclosing catch clauses run first, with the
/// state at the throw, until one may accept; then the finally blocks run, innermost first, and the handler runs with
/// the state they leave. A filter's method that sleeps may also throw (the filter is then false). An exception that
/// leaves the entry is taken to be caught by its caller (so its finally blocks run). A callee's own context changes are
/// not seen by its caller, whether it returns or throws (its imbalance is FPU0004's business): a call leaves the
/// caller's state as it was.
/// </para>
/// <para>
/// A call (of a helper, accessor, operator, delegate) made with a context held is a violation at the call when the
/// callee may sleep outside its own regions; a sleep inside a callee's own region is a violation there, whether or not
/// anything calls it. A call of a local function is a violation at the call when some run of it, to any depth of its
/// recursion, sleeps with the caller's context held (outside the function's own regions): decided exactly over the
/// pairs (function, whether a context is held), which bound the call depth.
/// </para>
/// </summary>
/// <summary>
/// Ways the analyzers' model differs from the program's semantics, which the oracle can imitate to sort the mismatches it
/// finds (never to decide them): the conservative throw points the engine documents, and the analyzer bugs written up in
/// ANALYZER_BUGS.md.
/// </summary>
[System.Flags]
public enum AnalyzerModel
{
    Exact = 0,

    /// <summary>Every statement that is not a context call may throw before it runs: branches on bool parameters, returns, loop counters (documented).</summary>
    ConservativeThrowPoints = 1,

    /// <summary>An exception caught by an unfiltered catch still goes on to the enclosing finally and catch blocks (bug 4).</summary>
    CatchAllPropagates = 2,

    /// <summary>An exception leaving a using-lock scope's body skips its Dispose: the lock stays held (bug 1).</summary>
    UsingKeepsLockOnThrow = 4,

    /// <summary>An exception in a filter's method leaves the filter, with the state at the original throw, to the enclosing finally and catch blocks (bug 2).</summary>
    FilterExceptionEscapes = 8,

    /// <summary>A call of a method (not a lambda or local function) whose only sleep is in its own region counts as a sleeping call (bug 3).</summary>
    CalleeRegionCountsAtCall = 16,

    /// <summary>
    /// After a swap the state may be the default, whatever buffer was installed (FPU0002 documents that passing the owner to the
    /// swap helper ends what a guard proved; FPU0001 does not know which branch a guard on the state takes).
    /// </summary>
    SwapForgetsState = 32,

    /// <summary>FPU0002 is not path-sensitive on conditions (documented): a branch on a bool parameter may go either way (for sorting FPU0002 only).</summary>
    ConditionsIgnored = 64,

    /// <summary>FPU0001 does not know what the state holds: a test of it (a guard, a guarded pattern) may go either way (for sorting FPU0001 only).</summary>
    StateBlind = 128,

    /// <summary>
    /// A call of a helper that receives the Kernel and the Fpu and calls a Runtime method on the Kernel (k.Memory.Vzalloc) is
    /// taken to write the Fpu's state: after it the state may be the default, whatever a guard proved (bug 6).
    /// </summary>
    HelperCallEndsGuards = 256,

    /// <summary>FPU0002's transfer takes every operation as a throw point, context calls too (documented; for sorting FPU0002 only).</summary>
    ContextCallsThrow = 512,

    /// <summary>A guard on fpu.State does not cover <c>Vfree((c ? null : fpu)?.State)</c>: it is taken as unguarded (bug 7; for sorting FPU0002 only).</summary>
    ConditionalOwnerUnguarded = 1024,

    All = 2047,
}

public static class Oracle
{
    /// <summary>
    /// The violations; with a <paramref name="model"/> other than Exact, not the program's semantics but an imitation of
    /// the analyzers' model, used only to sort mismatches (see <see cref="AnalyzerModel"/>).
    /// </summary>
    public static HashSet<(string Rule, int Line)> Violations(RandomProgram program, AnalyzerModel model = AnalyzerModel.Exact)
    {
        var violations = new HashSet<(string, int)>();
        for (var assignment = 0; assignment < 1 << RandomProgram.Conditions; assignment++)
        {
            var run = new Run(program, assignment, violations, model);
            run.Execute(program.Entry);
            for (var local = 0; local < program.Locals.Count; local++)
            {
                run.OwnRegions(program.Locals[local], held: false);
            }
        }

        // FPU0003 is about code, not runs (docs/rules/FPU0003.md: every write of a state field outside the swap helper
        // and the declaring type's constructors): every state-field write in the program's text is a violation, also in a
        // catch block no exception reaches or in a lambda never invoked. The programs hold no swap helper and no
        // constructor of Fpu (the Runtime's are not part of them), so no write is exempt.
        foreach (var (statement, line) in program.Lines)
        {
            if (statement is WriteState)
            {
                violations.Add(("FPU0003", line));
            }
        }

        // Members are analysed on their own: a sleep inside a region of theirs is a violation there.
        foreach (var body in program.Members.Bodies)
        {
            foreach (var region in body.Statements.OfType<UsingLock>())
            {
                foreach (var sleep in region.Body.OfType<Sleep>())
                {
                    violations.Add(("FPU0001", program.Lines[sleep]));
                }
            }
        }

        return violations;
    }

    /// <summary>
    /// The nesting count of each kind of context; whether fpu.State is the embedded default buffer; and the value locals of
    /// the tuple and bool-local forms (a bit each, <see cref="ValueLocal"/>: whether the buffer it holds is the default,
    /// whether the bool is true).
    /// </summary>
    private readonly record struct Context(int Lock, int Preempt, int Irq, bool StateIsDefault = false, int Values = 0)
    {
        public bool Held => Lock > 0 || Preempt > 0 || Irq > 0;

        public bool Value(int local) => (Values & (1 << local)) != 0;

        public Context With(int local, bool value) => this with { Values = value ? Values | (1 << local) : Values & ~(1 << local) };

        /// <summary>The states M starts in: fpu.State is the default or not, and the locals declared at the top of M hold it.</summary>
        public static IEnumerable<Context> Initial => new[] { true, false }.Select(isDefault => new Context(0, 0, 0, isDefault, 0)
            .With(ValueLocal.T0, isDefault).With(ValueLocal.A0, isDefault).With(ValueLocal.N0, isDefault).With(ValueLocal.G0, !isDefault));

        public Context Enter(int kind) => kind switch { 0 => this with { Lock = Lock + 1 }, 1 => this with { Preempt = Preempt + 1 }, _ => this with { Irq = Irq + 1 } };

        public Context Exit(int kind) => kind switch
        {
            0 => this with { Lock = System.Math.Max(0, Lock - 1) },
            1 => this with { Preempt = System.Math.Max(0, Preempt - 1) },
            _ => this with { Irq = System.Math.Max(0, Irq - 1) },
        };
    }

    /// <summary>How statements may end: normally, by a return, by an exception (the state at the throw, the state now).</summary>
    private sealed class Outcome
    {
        public HashSet<Context> Normal { get; } = new();

        public HashSet<Context> Returned { get; } = new();

        public HashSet<(Context AtThrow, Context Now)> Thrown { get; } = new();

        public void Add(Outcome other, bool normal = true)
        {
            if (normal)
            {
                Normal.UnionWith(other.Normal);
            }

            Returned.UnionWith(other.Returned);
            Thrown.UnionWith(other.Thrown);
        }
    }

    private sealed class Run
    {
        private static readonly IReadOnlyList<TryCatch> NoHandlers = new List<TryCatch>();
        private readonly RandomProgram _program;
        private readonly int _assignment;
        private readonly HashSet<(string, int)> _violations;
        private readonly AnalyzerModel _model;

        public Run(RandomProgram program, int assignment, HashSet<(string, int)> violations, AnalyzerModel model)
        {
            _program = program;
            _assignment = assignment;
            _violations = violations;
            _model = model;
        }

        private bool Imitates(AnalyzerModel flag) => (_model & flag) != 0;

        private bool Condition(int index) => (_assignment & (1 << index)) != 0;

        // The values a branch on a condition may take: the run's, or both under the imitation that ignores conditions.
        private bool[] Branches(int index) => Imitates(AnalyzerModel.ConditionsIgnored) ? new[] { true, false } : new[] { Condition(index) };

        // The values a test of the state may take: its own, or both under the state-blind imitation.
        private bool[] Tests(bool exact) => Imitates(AnalyzerModel.StateBlind) ? new[] { true, false } : new[] { exact };

        // The outcomes of a guard's test, each with the state it leaves: exact; or, under ConditionsIgnored (FPU0002 does not
        // correlate tests), either way, where the branch on which an un-negated guard holds knows the state is not the default
        // (what the analysis keeps of a guard) and the other knows nothing.
        private IEnumerable<(bool Holds, Context State)> Guards(Guard guard, Context state)
        {
            if (!Imitates(AnalyzerModel.ConditionsIgnored))
            {
                return Tests(Holds(guard, state)).Select(holds => (holds, state));
            }

            return new[] { (true, guard.Negated ? state : state with { StateIsDefault = false }), (false, state) };
        }

        public void Execute(IReadOnlyList<Statement> statements) => Execute(statements, Context.Initial, NoHandlers);

        /// <summary>Runs statements from each of the states; handlers are the try statements (innermost last) whose try block encloses them.</summary>
        private Outcome Execute(IReadOnlyList<Statement> statements, IEnumerable<Context> from, IReadOnlyList<TryCatch> handlers)
        {
            var outcome = new Outcome();
            var states = new HashSet<Context>(from);
            foreach (var statement in statements)
            {
                var next = new HashSet<Context>();
                foreach (var state in states)
                {
                    var step = Step(statement, state, handlers);
                    outcome.Add(step, normal: false);
                    next.UnionWith(step.Normal);
                }

                states = next;
                if (states.Count == 0)
                {
                    break;
                }
            }

            outcome.Normal.UnionWith(states);
            return outcome;
        }

        private Outcome Step(Statement statement, Context state, IReadOnlyList<TryCatch> handlers)
        {
            var outcome = StepExactly(statement, state, handlers);
            if (Imitates(AnalyzerModel.ConservativeThrowPoints)
                && statement is If or ReturnIf or ThrowIf or Loop or AssignBool or GuardedFree { Guard.Calls: false } or GuardedReturn { Guard.Calls: false } or GuardedBlock { Guard.Calls: false })
            {
                // The analyzers' model: a branch's condition, a loop's counter may throw before it runs.
                outcome.Thrown.Add(Throw(state, handlers));
                if (statement is Loop)
                {
                    foreach (var after in outcome.Normal)
                    {
                        outcome.Thrown.Add(Throw(after, handlers));
                    }
                }
            }

            return outcome;
        }

        private Outcome StepExactly(Statement statement, Context state, IReadOnlyList<TryCatch> handlers)
        {
            var line = _program.Lines[statement];
            var outcome = new Outcome();
            switch (statement)
            {
                case Enter e:
                    outcome.Normal.Add(state.Enter(e.Kind));
                    if (Imitates(AnalyzerModel.ContextCallsThrow))
                    {
                        outcome.Thrown.Add(Throw(state, handlers));
                    }

                    break;
                case Exit e:
                    outcome.Normal.Add(state.Exit(e.Kind));
                    if (Imitates(AnalyzerModel.ContextCallsThrow))
                    {
                        outcome.Thrown.Add(Throw(state, handlers));
                    }

                    break;
                case UsingLock u:
                    // using (k.LockFpregs()) { body }: the lock, then try { body } finally { Dispose (the unlock) }.
                    var body = Execute(u.Body, new[] { state.Enter(0) }, handlers);
                    outcome.Normal.UnionWith(body.Normal.Select(s => s.Exit(0)));
                    outcome.Returned.UnionWith(body.Returned.Select(s => s.Exit(0)));
                    outcome.Thrown.UnionWith(body.Thrown.Select(t => (t.AtThrow, Imitates(AnalyzerModel.UsingKeepsLockOnThrow) ? t.Now : t.Now.Exit(0))));
                    break;
                case Sleep:
                    Violation(state.Held, "FPU0001", line);
                    Call(outcome, state, handlers);
                    break;
                case CallHelper c:
                    Violation(state.Held && HelperSleeps(c.Index, new HashSet<int>()), "FPU0001", line);
                    Call(outcome, state, handlers);
                    if (Imitates(AnalyzerModel.HelperCallEndsGuards) && HelperCallsKernel(c.Index, new HashSet<int>()))
                    {
                        outcome.Normal.Add(state with { StateIsDefault = !state.StateIsDefault });
                    }

                    break;
                case CallLocal c:
                    Violation(LocalSleepsHeld(c.Index, state.Held, new HashSet<(int, bool)>()), "FPU0001", line);
                    Call(outcome, state, handlers);
                    break;
                case If i:
                    foreach (var branch in Branches(i.Condition))
                    {
                        outcome.Add(Execute(branch ? i.Then : i.Else, new[] { state }, handlers));
                    }

                    break;
                case ReturnIf r:
                    foreach (var branch in Branches(r.Condition))
                    {
                        (branch ? outcome.Returned : outcome.Normal).Add(state);
                    }

                    break;
                case ThrowIf r:
                    foreach (var branch in Branches(r.Condition))
                    {
                        if (branch)
                        {
                            outcome.Thrown.Add(Throw(state, handlers));
                        }
                        else
                        {
                            outcome.Normal.Add(state);
                        }
                    }

                    break;
                case TryFinally t: return TryStatement(t.Try, new List<Catch>(), t.Finally, state, handlers);
                case TryCatch t: return TryStatement(t.Try, t.Catches, t.Finally, state, handlers, t);
                case Loop l:
                    var first = Execute(l.Body, new[] { state }, handlers);
                    outcome.Add(first, normal: false);
                    outcome.Add(Execute(l.Body, first.Normal, handlers));
                    break;
                case FreeState or FreeAlias: Free(outcome, state, handlers, line, runs: true, freesDefault: state.StateIsDefault); break;
                case FreeDefault: Free(outcome, state, handlers, line, runs: true, freesDefault: true); break;
                case FreeGuarded: Free(outcome, state, handlers, line, runs: Tests(!state.StateIsDefault).Contains(true), freesDefault: false); break;
                case FreePattern f:
                    var (runs, freesDefault) = f.Decide(state.StateIsDefault);
                    Free(outcome, state, handlers, line, runs || Imitates(AnalyzerModel.StateBlind), freesDefault);
                    break;
                case FreeTuple f:
                    switch (f.Form)
                    {
                        case 0 or 6: Free(outcome, state, handlers, line, runs: true, freesDefault: state.StateIsDefault); break;
                        case 1: Free(outcome, state, handlers, line, runs: true, freesDefault: state.Value(ValueLocal.T0)); break;
                        case 2: Free(outcome, state, handlers, line, runs: true, freesDefault: state.Value(ValueLocal.A0)); break;
                        case 3: Free(outcome, state, handlers, line, runs: true, freesDefault: state.Value(ValueLocal.N0)); break;
                        case 4: Free(outcome, state, handlers, line, runs: Tests(!state.Value(ValueLocal.T0)).Contains(true), freesDefault: false); break;
                        default: Free(outcome, state, handlers, line, runs: true, freesDefault: false); break; // the other element
                    }

                    break;
                case AssignTuple a:
                    // Reads fpu (which may be null) or allocates: may throw before the local is written.
                    outcome.Thrown.Add(Throw(state, handlers));
                    outcome.Normal.Add(state.With(a.Local, a.Form switch { 2 or 3 => false, 5 => true, _ => state.StateIsDefault }));
                    break;
                case FreeConditional f:
                    var unguarded = f.Form == 4 && Imitates(AnalyzerModel.ConditionalOwnerUnguarded);
                    Free(outcome, state, handlers, line, runs: true, freesDefault: (state.StateIsDefault || unguarded) && Branches(f.Condition).Any(f.FreesState));
                    break;
                case GuardedFree g:
                    foreach (var (holds, tested) in Guards(g.Guard, state))
                    {
                        if (holds)
                        {
                            Free(outcome, tested, handlers, line, runs: true, freesDefault: tested.StateIsDefault);
                        }
                        else
                        {
                            Test(g.Guard, outcome, tested, handlers);
                        }
                    }

                    break;
                case GuardedReturn g:
                    if (g.Guard.Calls)
                    {
                        outcome.Thrown.Add(Throw(state, handlers));
                    }

                    foreach (var (holds, tested) in Guards(g.Guard, state))
                    {
                        (holds ? outcome.Normal : outcome.Returned).Add(tested);
                    }

                    break;
                case GuardedBlock g:
                    if (g.Guard.Calls)
                    {
                        outcome.Thrown.Add(Throw(state, handlers));
                    }

                    foreach (var (holds, tested) in Guards(g.Guard, state))
                    {
                        if (holds)
                        {
                            outcome.Add(Execute(g.Then, new[] { tested }, handlers));
                        }
                        else
                        {
                            outcome.Normal.Add(tested);
                        }
                    }

                    break;
                case AssignBool a:
                    if (a.Condition < 0)
                    {
                        outcome.Thrown.Add(Throw(state, handlers)); // reads fpu.State (fpu may be null)
                    }

                    foreach (var value in a.Condition < 0 ? new[] { !state.StateIsDefault } : Branches(a.Condition))
                    {
                        outcome.Normal.Add(state.With(ValueLocal.G0, value));
                    }

                    break;
                case SwapTo w:
                    // The swap may throw before it writes anything (a null fpu, a buffer too small, the allocation): the state
                    // is as it was. Else the new buffer is installed; a free of the old one (null when it was the default)
                    // runs after it.
                    outcome.Thrown.Add(Throw(state, handlers));
                    var swapped = Imitates(AnalyzerModel.SwapForgetsState)
                        ? new[] { state with { StateIsDefault = true }, state with { StateIsDefault = false } }
                        : new[] { state with { StateIsDefault = w.Default } };
                    foreach (var after in swapped)
                    {
                        if (w.FreeOld)
                        {
                            Free(outcome, after, handlers, line, runs: true, freesDefault: false);
                        }
                        else
                        {
                            outcome.Normal.Add(after);
                        }
                    }

                    break;
                case WriteState:
                    // FPU0003 is decided on the text (see Violations), not here. A field write through fpu, which may be null
                    // (NullReferenceException); in a lambda, the lambda is created (allocated), not run.
                    Call(outcome, state, handlers);
                    break;
                case ReadProperty p: Member(statement, outcome, state, handlers, line, _program.Members.Properties[p.Index].Get); break;
                case WriteProperty p: Member(statement, outcome, state, handlers, line, _program.Members.Properties[p.Index].Set); break;
                case CompoundProperty p: Member(statement, outcome, state, handlers, line, _program.Members.Properties[p.Index].Get, _program.Members.Properties[p.Index].Set); break;
                case UseIndexer x: Member(statement, outcome, state, handlers, line, x.Write ? _program.Members.Indexer!.Value.Set : _program.Members.Indexer!.Value.Get); break;
                case UseOperator o: Member(statement, outcome, state, handlers, line, _program.Members.Operator(o.Kind)); break;
                case InvokeDelegate d: Member(statement, outcome, state, handlers, line, _program.Members.Delegates[d.Index].Body); break;
                case Swap when Imitates(AnalyzerModel.SwapForgetsState):
                    Call(outcome, state, handlers);
                    outcome.Normal.Add(state with { StateIsDefault = !state.StateIsDefault });
                    break;
                default: Call(outcome, state, handlers); break; // Swap keeps the state; a lambda is created (allocated), not run
            }

            return outcome;
        }

        // A free: where it runs, FPU0002 when what it frees is the default state, FPU0001 when a context is held (vfree may
        // sleep). The statement reads fpu and calls: it may throw.
        private void Free(Outcome outcome, Context state, IReadOnlyList<TryCatch> handlers, int line, bool runs, bool freesDefault)
        {
            if (runs)
            {
                Violation(freesDefault, "FPU0002", line);
                Violation(state.Held, "FPU0001", line);
            }

            Call(outcome, state, handlers);
        }

        // A guard's value: a predicate of the program is true when the state is not the default; dyn is what it was last given.
        private static bool Holds(Guard guard, Context state) =>
            (guard.Kind == GuardKind.BoolLocal ? state.Value(ValueLocal.G0) : !state.StateIsDefault) != guard.Negated;

        // Testing a guard: a predicate's call may throw; reading dyn cannot.
        private void Test(Guard guard, Outcome outcome, Context state, IReadOnlyList<TryCatch> handlers)
        {
            if (guard.Calls)
            {
                Call(outcome, state, handlers);
            }
            else
            {
                outcome.Normal.Add(state);
            }
        }

        // A call: it returns, or it throws before it completes; the caller's state is as it was either way.
        private void Call(Outcome outcome, Context state, IReadOnlyList<TryCatch> handlers)
        {
            outcome.Normal.Add(state);
            outcome.Thrown.Add(Throw(state, handlers));
        }

        private void Member(Statement statement, Outcome outcome, Context state, IReadOnlyList<TryCatch> handlers, int line, params CalleeBody[] bodies)
        {
            var regionCounts = Imitates(AnalyzerModel.CalleeRegionCountsAtCall) && !(statement is InvokeDelegate d && !_program.Members.Delegates[d.Index].MethodGroup);
            Violation(state.Held && bodies.Any(b => b.Sleeps || (regionCounts && b.Statements.Any(s => s is UsingLock))), "FPU0001", line);
            Call(outcome, state, handlers);
        }

        // The first pass of an exception thrown here: the filters of the enclosing catch clauses run, innermost first, with the
        // state at the throw, until one that may accept it (an unfiltered catch, or a filter that may be true) is reached.
        private (Context, Context) Throw(Context state, IReadOnlyList<TryCatch> handlers)
        {
            for (var i = handlers.Count - 1; i >= 0; i--)
            {
                foreach (var @catch in handlers[i].Catches)
                {
                    if (@catch.Filter < 0)
                    {
                        return (state, state);
                    }

                    if (!Filter(@catch, state).Contains(false))
                    {
                        return (state, state);
                    }
                }
            }

            return (state, state);
        }

        private bool FilterCalls(Catch @catch) => !(@catch.FilterCondition >= 0 && @catch.ConditionFirst && !Condition(@catch.FilterCondition));

        // A filter: its condition when written first decides whether F runs; F returns true, or throws in its vzalloc when it
        // sleeps (the filter is then false); a condition written after it decides the rest. F runs with the state at the throw.
        private HashSet<bool> Filter(Catch @catch, Context atThrow)
        {
            if (@catch.FilterCondition >= 0 && @catch.ConditionFirst && !Condition(@catch.FilterCondition))
            {
                return new HashSet<bool> { false };
            }

            var filter = _program.Members.Filters[@catch.Filter];
            Violation(atThrow.Held && filter.Sleeps, "FPU0001", _program.Lines[@catch]);
            var results = new HashSet<bool> { @catch.FilterCondition < 0 || Condition(@catch.FilterCondition) };
            if (filter.Sleeps)
            {
                results.Add(false);
            }

            return results;
        }

        private Outcome TryStatement(IReadOnlyList<Statement> @try, IReadOnlyList<Catch> catches, IReadOnlyList<Statement>? @finally, Context state, IReadOnlyList<TryCatch> handlers, TryCatch? self = null)
        {
            var inner = self is null ? handlers : handlers.Append(self).ToList();
            var body = Execute(@try, new[] { state }, inner);
            var beforeFinally = new Outcome();
            beforeFinally.Normal.UnionWith(body.Normal);
            beforeFinally.Returned.UnionWith(body.Returned);
            foreach (var (atThrow, now) in body.Thrown)
            {
                // The second pass: the first catch that accepts it runs its handler (filters were run by the first pass with
                // the state at the throw; they run again here with the same state, recording nothing new).
                var handled = false;
                foreach (var @catch in catches)
                {
                    var accepts = new HashSet<bool> { true };
                    if (@catch.Filter >= 0)
                    {
                        accepts = Filter(@catch, atThrow);
                        if (Imitates(AnalyzerModel.FilterExceptionEscapes) && FilterCalls(@catch) && _program.Members.Filters[@catch.Filter].Sleeps)
                        {
                            beforeFinally.Thrown.Add(Throw(atThrow, handlers));
                        }
                    }

                    if (accepts.Contains(true))
                    {
                        beforeFinally.Add(Execute(@catch.Body, new[] { now }, handlers));
                    }

                    if (!accepts.Contains(false))
                    {
                        handled = true;
                        break;
                    }
                }

                if (!handled || Imitates(AnalyzerModel.CatchAllPropagates))
                {
                    beforeFinally.Thrown.Add((atThrow, now));
                }
            }

            if (@finally is null)
            {
                return beforeFinally;
            }

            // The finally runs on every way out; an exception it throws replaces the one in flight.
            var outcome = new Outcome();
            var normal = Execute(@finally, beforeFinally.Normal, handlers);
            outcome.Add(normal);
            foreach (var returned in beforeFinally.Returned)
            {
                var after = Execute(@finally, new[] { returned }, handlers);
                outcome.Returned.UnionWith(after.Normal);
                outcome.Thrown.UnionWith(after.Thrown);
            }

            foreach (var (atThrow, now) in beforeFinally.Thrown)
            {
                var after = Execute(@finally, new[] { now }, handlers);
                outcome.Thrown.UnionWith(after.Normal.Select(s => (atThrow, s)));
                outcome.Thrown.UnionWith(after.Thrown);
            }

            return outcome;
        }

        // Whether a helper's text calls k.Memory.Vzalloc, itself or through the helpers it calls, on any assignment.
        private bool HelperCallsKernel(int index, HashSet<int> visiting) =>
            visiting.Add(index) && RandomProgram.Flatten(_program.Helpers[index]).Any(s => s is Sleep || (s is CallHelper c && HelperCallsKernel(c.Index, visiting)));

        // Helpers hold no contexts: one sleeps on this assignment if a sleep or a sleeping callee is reachable.
        private bool HelperSleeps(int index, HashSet<int> visiting)
        {
            if (!visiting.Add(index))
            {
                return false; // Recursion adds nothing new.
            }

            return Reaches(_program.Helpers[index], visiting) == HelperOutcome.Slept;
        }

        private enum HelperOutcome { Continued, Left, Slept }

        // A return or throw nested in a branch or loop leaves the helper: nothing after the branch runs either.
        private HelperOutcome Reaches(IReadOnlyList<Statement> statements, HashSet<int> visiting)
        {
            foreach (var statement in statements)
            {
                var outcome = statement switch
                {
                    Sleep => HelperOutcome.Slept,
                    CallHelper c when HelperSleeps(c.Index, visiting) => HelperOutcome.Slept,
                    If i => Reaches(Condition(i.Condition) ? i.Then : i.Else, visiting),
                    Loop l => Reaches(l.Body, visiting),
                    ReturnIf r when Condition(r.Condition) => HelperOutcome.Left,
                    ThrowIf r when Condition(r.Condition) => HelperOutcome.Left,
                    _ => HelperOutcome.Continued,
                };
                if (outcome != HelperOutcome.Continued)
                {
                    return outcome;
                }
            }

            return HelperOutcome.Continued;
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
