using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace FpuGuard.Robustness;

/// <summary>A statement of a generated program; the oracle interprets the same tree the code is printed from.</summary>
public abstract record Statement;

public sealed record Enter(int Kind) : Statement;
public sealed record Exit(int Kind) : Statement;
public sealed record UsingLock(IReadOnlyList<Statement> Body) : Statement;
public sealed record Sleep : Statement;
public sealed record CallHelper(int Index) : Statement;
public sealed record CallLocal(int Index) : Statement;
public sealed record If(int Condition, IReadOnlyList<Statement> Then, IReadOnlyList<Statement> Else) : Statement;
public sealed record ReturnIf(int Condition) : Statement;
public sealed record TryFinally(IReadOnlyList<Statement> Try, IReadOnlyList<Statement> Finally) : Statement;
public sealed record Loop(IReadOnlyList<Statement> Body) : Statement;
public sealed record FreeState : Statement;
public sealed record FreeGuarded : Statement;
public sealed record FreeDefault : Statement;
public sealed record FreeAlias : Statement;
/// <summary><c>fpu.StateSize = 64;</c>, or in a lambda that is created and never invoked: <c>System.Action w = () =&gt; fpu.StateSize = 64;</c>.</summary>
public sealed record WriteState(bool InLambda = false) : Statement;
public sealed record Swap : Statement;
public sealed record LambdaCreated : Statement;

/// <summary>
/// The FPU0002 forms a program uses beyond the plain, aliased, guarded and default frees (each in about half the programs):
/// pattern variables, tuples, conditional arguments, guards through predicates of the program, a bool local holding a
/// guard, and swaps that install another buffer (also through the receiver-form wrapper <c>fpu.SwapFpState(...)</c>).
/// </summary>
[Flags]
public enum StateForms
{
    None = 0,
    Patterns = 1,
    Tuples = 2,
    Conditionals = 4,
    Predicates = 8,
    BoolLocal = 16,
    Swaps = 32,
}

/// <summary>
/// A free of what a pattern variable bound from <c>fpu.State</c> (Form 0–4: <c>is { } p</c>, <c>is var p</c>,
/// <c>fpu is { State: var p }</c>, a switch statement's case, a switch expression's arm) or the same guarded by a comparison
/// with the default state (5–8: <c>&amp;&amp; p != fpu.DefaultState</c>, <c>!ReferenceEquals</c>, a <c>when</c> clause on a
/// case or an arm).
/// </summary>
public sealed record FreePattern(int Form) : Statement
{
    public const int Forms = 9;

    /// <summary>Whether the free runs, and whether it frees the default state, when the state is (not) the default.</summary>
    public (bool Runs, bool FreesDefault) Decide(bool stateIsDefault) => Form switch
    {
        < 5 => (true, stateIsDefault),
        < 8 => (!stateIsDefault, false),
        _ => (true, false),
    };
}

/// <summary>
/// A free through a tuple: 0 <c>var (x, y) = (fpu.State, c0); Vfree(x);</c>; 1–3 the element of a tuple local declared at
/// the top of M (<c>tup.Item1</c>, the deconstructed <c>da</c>, the named <c>named.Buffer</c>); 4 <c>tup.Item1</c> guarded; 5 the
/// other element of a tuple holding the state (<c>t.Spare</c>); 6 a nested tuple's element (<c>t.Item1.Item1</c>).
/// </summary>
public sealed record FreeTuple(int Form) : Statement
{
    public const int Forms = 7;
}

/// <summary>
/// An assignment of a tuple local declared at the top of M: 0 <c>tup = (fpu.State, c1);</c>, 1 <c>(da, db) = (fpu.State, db);</c>,
/// 2 <c>(da, db) = (new XStateBuffer(64), 0);</c>, 3 <c>named = (new XStateBuffer(64), fpu.StateSize);</c>, 4 <c>named = (fpu.State, 0);</c>,
/// 5 <c>tup = (fpu.DefaultState, c2);</c>.
/// </summary>
public sealed record AssignTuple(int Form) : Statement
{
    public const int Forms = 6;

    /// <summary>The value local it writes (see <see cref="ValueLocal"/>).</summary>
    public int Local => Form switch { 0 or 5 => ValueLocal.T0, 1 or 2 => ValueLocal.A0, _ => ValueLocal.N0 };
}

/// <summary>
/// A free of a conditional argument: 0 <c>Vfree(cX ? fpu.State : new XStateBuffer(64))</c>, 1 the same the other way round,
/// 2 <c>XStateBuffer? q = cX ? null : new XStateBuffer(64); Vfree(q ?? fpu.State);</c>, 3 <c>Vfree(fpu?.State)</c>,
/// 4 <c>Vfree((cX ? null : fpu)?.State)</c>.
/// </summary>
public sealed record FreeConditional(int Form, int Condition) : Statement
{
    public const int Forms = 5;

    /// <summary>Whether the free is of the state (else of another buffer, or null) when the condition has this value.</summary>
    public bool FreesState(bool condition) => Form switch { 0 or 2 => condition, 1 or 4 => !condition, _ => true };
}

/// <summary>
/// What a guard tests: a predicate of the program (<c>IsValloc(fpu)</c>, <c>!OnDefault(fpu)</c>, the local function
/// <c>Dynamic()</c>, <c>Allocated(fpu.State, fpu)</c>), each true when the state is not the default, or the bool local
/// <c>dyn</c>. Negated: the test the other way round (<c>!IsValloc(fpu)</c>, <c>!dyn</c>), true when the state may be the default.
/// </summary>
public enum GuardKind { IsValloc, NotOnDefault, Dynamic, Allocated, BoolLocal }

public sealed record Guard(GuardKind Kind, bool Negated)
{
    public string Text => (Kind, Negated) switch
    {
        (GuardKind.IsValloc, false) => "IsValloc(fpu)",
        (GuardKind.IsValloc, true) => "!IsValloc(fpu)",
        (GuardKind.NotOnDefault, false) => "!OnDefault(fpu)",
        (GuardKind.NotOnDefault, true) => "OnDefault(fpu)",
        (GuardKind.Dynamic, false) => "Dynamic()",
        (GuardKind.Dynamic, true) => "!Dynamic()",
        (GuardKind.Allocated, false) => "Allocated(fpu.State, fpu)",
        (GuardKind.Allocated, true) => "!Allocated(fpu.State, fpu)",
        (_, false) => "dyn",
        (_, true) => "!dyn",
    };

    /// <summary>Whether testing it calls a method (which may throw).</summary>
    public bool Calls => Kind != GuardKind.BoolLocal;
}

/// <summary><c>if (guard) k.Memory.Vfree(fpu.State);</c></summary>
public sealed record GuardedFree(Guard Guard) : Statement;

/// <summary><c>if (guard) { ... }</c>, with a free of fpu.State somewhere in the block.</summary>
public sealed record GuardedBlock(Guard Guard, IReadOnlyList<Statement> Then) : Statement;

/// <summary><c>if (!guard) return;</c> (the guard's negation written as such: <c>if (!IsValloc(fpu)) return;</c>, <c>if (OnDefault(fpu)) return;</c>).</summary>
public sealed record GuardedReturn(Guard Guard) : Statement;

/// <summary><c>dyn = fpu.State != fpu.DefaultState;</c> (Condition -1), or <c>dyn = cN;</c>: the bool local declared at the top of M.</summary>
public sealed record AssignBool(int Condition) : Statement;

/// <summary>
/// A swap that installs another buffer: a new one (<c>new XStateBuffer(fpu.StateSize)</c>) or the default
/// (<c>fpu.DefaultState</c>, with its size), through <c>Kernel.SwapFpState(fpu, ...)</c> or the program's receiver-form
/// wrapper <c>fpu.SwapFpState(...)</c>; FreeOld: <c>var o = ...; k.Memory.Vfree(o);</c> (the swap returns null for the default).
/// </summary>
public sealed record SwapTo(bool Default, bool Receiver, bool FreeOld) : Statement;

/// <summary>The value locals M declares at its top for the tuple and bool-local forms: bits of the oracle's state.</summary>
public static class ValueLocal
{
    /// <summary><c>tup.Item1</c> holds the default state.</summary>
    public const int T0 = 0;

    /// <summary><c>da</c> holds the default state.</summary>
    public const int A0 = 1;

    /// <summary><c>named.Buffer</c> holds the default state.</summary>
    public const int N0 = 2;

    /// <summary><c>dyn</c> is true.</summary>
    public const int G0 = 3;
}

/// <summary><c>if (cN) throw new System.InvalidOperationException();</c></summary>
public sealed record ThrowIf(int Condition) : Statement;

/// <summary>
/// A catch clause, <c>catch (System.Exception)</c>, with a filter unless Filter is -1: <c>when (F{Filter}(k))</c>, or with
/// a condition after or before the call, <c>when (F0(k) &amp;&amp; c2)</c>, <c>when (c2 &amp;&amp; F0(k))</c> (then F0 runs only when c2 holds).
/// The condition is written in the filter, not returned by F, so that what decides the filter is visible to the analysis.
/// </summary>
public sealed record Catch(int Filter, IReadOnlyList<Statement> Body, int FilterCondition = -1, bool ConditionFirst = false) : Statement;

/// <summary><c>try { } catch ... [finally { }]</c>: every catch but the last has a filter (C# allows no catch after an unfiltered catch-all).</summary>
public sealed record TryCatch(IReadOnlyList<Statement> Try, IReadOnlyList<Catch> Catches, IReadOnlyList<Statement>? Finally) : Statement;

/// <summary><c>_ = P{Index};</c> (the getter runs).</summary>
public sealed record ReadProperty(int Index) : Statement;

/// <summary><c>P{Index} = 1;</c> (the setter runs).</summary>
public sealed record WriteProperty(int Index) : Statement;

/// <summary><c>P{Index} += 1;</c> (the getter, then the setter).</summary>
public sealed record CompoundProperty(int Index) : Statement;

/// <summary><c>_ = b[0];</c> or <c>b[0] = 1;</c> on the generated class Box's indexer.</summary>
public sealed record UseIndexer(bool Write) : Statement;

/// <summary>A user-defined operator of the generated struct V: <c>v = v + v;</c>, <c>v = 1;</c> (implicit conversion), <c>v++;</c>, <c>v += v;</c> (operator +).</summary>
public sealed record UseOperator(OperatorKind Kind) : Statement;

public enum OperatorKind { Add, Convert, Increment, CompoundAdd }

/// <summary>An invocation of the delegate local d{Index}, assigned once at the top of M: <c>d0();</c>, <c>d0.Invoke();</c> or <c>d0?.Invoke();</c>.</summary>
public sealed record InvokeDelegate(int Index, int Form) : Statement;

/// <summary>
/// A body that runs when something is called: a property accessor, the indexer's accessors, an operator, a delegate's
/// lambda or method group. Its statements are sleeps and using-lock regions with sleeps in them (no conditions).
/// </summary>
public sealed record CalleeBody(IReadOnlyList<Statement> Statements)
{
    /// <summary>A call of it sleeps with the caller's context: a sleep outside its own regions.</summary>
    public bool Sleeps => Statements.Any(s => s is Sleep);
}

/// <summary>A filter method F{i}(k): sleeps first or not, then returns true (a sleep may throw instead: the filter is then false).</summary>
public sealed record FilterMethod(bool Sleeps);

/// <summary>A delegate local d{i}: from a lambda, or from the method group G{i}.</summary>
public sealed record DelegateLocal(bool MethodGroup, CalleeBody Body);

/// <summary>
/// The members a program's entry may use beyond the contract vocabulary: properties P0 and P1, the indexer of the class
/// Box, the operators of the struct V, delegate locals and exception filters.
/// </summary>
public sealed class Members
{
    public List<(CalleeBody Get, CalleeBody Set)> Properties { get; } = new();

    public (CalleeBody Get, CalleeBody Set)? Indexer { get; set; }

    public Dictionary<OperatorKind, CalleeBody> Operators { get; } = new();

    public List<DelegateLocal> Delegates { get; } = new();

    public List<FilterMethod> Filters { get; } = new();

    /// <summary>The FPU0002 forms the entry may use (and the predicates and the swap wrapper they need).</summary>
    public StateForms Forms { get; set; }

    public IEnumerable<CalleeBody> Bodies =>
        Properties.SelectMany(p => new[] { p.Get, p.Set })
            .Concat(Indexer is { } i ? new[] { i.Get, i.Set } : Array.Empty<CalleeBody>())
            .Concat(Operators.Where(o => o.Key != OperatorKind.CompoundAdd).Select(o => o.Value))
            .Concat(Delegates.Select(d => d.Body));

    public CalleeBody Operator(OperatorKind kind) => Operators[kind == OperatorKind.CompoundAdd ? OperatorKind.Add : kind];
}

/// <summary>
/// A generated program: an entry method over the contract vocabulary, helpers that may sleep through chains and recursion,
/// local functions of the entry, and members whose bodies run when the entry uses them (properties, an indexer, operators,
/// delegate locals, exception filters).
/// </summary>
public sealed class RandomProgram
{
    public const int Conditions = 4;
    private static readonly string[] EnterCalls = { "k.FpregsLock();", "k.PreemptDisable();", "k.LocalIrqDisable();" };
    private static readonly string[] ExitCalls = { "k.FpregsUnlock();", "k.PreemptEnable();", "k.LocalIrqEnable();" };
    private static readonly string[] InvokeForms = { "{0}();", "{0}.Invoke();", "{0}?.Invoke();" };

    public RandomProgram(IReadOnlyList<Statement> entry, IReadOnlyList<IReadOnlyList<Statement>> helpers, IReadOnlyList<IReadOnlyList<Statement>>? locals = null, Members? members = null)
    {
        Entry = entry;
        Helpers = helpers;
        Locals = locals ?? Array.Empty<IReadOnlyList<Statement>>();
        Members = members ?? new Members();
        HasLoops = All(entry).Concat(helpers.SelectMany(All)).Concat(Locals.SelectMany(All)).Any(s => s is Loop);
        var all = All(entry).ToList();
        HasExceptions = all.Any(s => s is TryCatch or ThrowIf) || helpers.SelectMany(All).Any(s => s is ThrowIf);
        UsedForms = UsedStateForms(all);
        HasMembers = all.Any(s => s is ReadProperty or WriteProperty or CompoundProperty or UseIndexer or UseOperator or InvokeDelegate) || Members.Bodies.Any(b => b.Statements.Count > 0);
    }

    public IReadOnlyList<Statement> Entry { get; }

    public IReadOnlyList<IReadOnlyList<Statement>> Helpers { get; }

    /// <summary>Local functions of the entry (L0, L1, ...): they call themselves and each other, in and out of using-lock regions.</summary>
    public IReadOnlyList<IReadOnlyList<Statement>> Locals { get; }

    /// <summary>Properties, the indexer, operators, delegate locals and filters the entry may use.</summary>
    public Members Members { get; }

    public bool HasLoops { get; }

    /// <summary>Whether the program throws explicitly (ThrowIf) or catches (try/catch, filters).</summary>
    public bool HasExceptions { get; }

    /// <summary>Whether the entry uses properties, the indexer, operators or delegates, or their bodies sleep.</summary>
    public bool HasMembers { get; }

    /// <summary>The FPU0002 forms the entry uses.</summary>
    public StateForms UsedForms { get; }

    private static StateForms UsedStateForms(IEnumerable<Statement> statements)
    {
        var forms = StateForms.None;
        foreach (var statement in statements)
        {
            forms |= statement switch
            {
                FreePattern => StateForms.Patterns,
                FreeTuple or AssignTuple => StateForms.Tuples,
                FreeConditional => StateForms.Conditionals,
                AssignBool => StateForms.BoolLocal,
                GuardedFree { Guard.Kind: GuardKind.BoolLocal } or GuardedReturn { Guard.Kind: GuardKind.BoolLocal } or GuardedBlock { Guard.Kind: GuardKind.BoolLocal } => StateForms.BoolLocal,
                GuardedFree or GuardedReturn or GuardedBlock => StateForms.Predicates,
                SwapTo => StateForms.Swaps,
                _ => StateForms.None,
            };
        }

        return forms;
    }

    /// <summary>The statement each source line holds, filled in by <see cref="ToSource"/>.</summary>
    public Dictionary<Statement, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

    public static RandomProgram Generate(Random random, bool allowLoops)
    {
        var helpers = new List<IReadOnlyList<Statement>>();
        var helperCount = random.Next(0, 4);
        for (var i = 0; i < helperCount; i++)
        {
            helpers.Add(Block(random, depth: 0, helperIndex: i, helperCount, allowLoops, members: null));
        }

        var members = GenerateMembers(random);
        var entry = Block(random, depth: 0, helperIndex: -1, helperCount, allowLoops, members);
        var locals = new List<IReadOnlyList<Statement>>();
        if (random.Next(3) == 0)
        {
            var localCount = random.Next(1, 4);
            for (var i = 0; i < localCount; i++)
            {
                locals.Add(LocalBlock(random, depth: 0, localCount, allowLoops));
            }

            // The entry calls them here and there, in and out of its regions.
            for (var calls = random.Next(1, 3); calls > 0; calls--)
            {
                InsertCall(random, entry, new CallLocal(random.Next(localCount)));
            }
        }

        return new RandomProgram(entry, helpers, locals, members);
    }

    // Each kind of member in about half the programs; bodies sleep, hold their own regions, or do nothing.
    private static Members GenerateMembers(Random random)
    {
        var members = new Members();
        CalleeBody Body()
        {
            var statements = new List<Statement>();
            for (var i = random.Next(0, 3); i > 0; i--)
            {
                statements.Add(random.Next(3) == 0 ? new UsingLock(new List<Statement> { new Sleep() }) : new Sleep());
            }

            return new CalleeBody(statements);
        }

        if (random.Next(2) == 0)
        {
            for (var i = random.Next(1, 3); i > 0; i--)
            {
                members.Properties.Add((Body(), Body()));
            }
        }

        if (random.Next(3) == 0)
        {
            members.Indexer = (Body(), Body());
        }

        if (random.Next(2) == 0)
        {
            foreach (var kind in new[] { OperatorKind.Add, OperatorKind.Convert, OperatorKind.Increment })
            {
                members.Operators[kind] = Body();
            }
        }

        if (random.Next(2) == 0)
        {
            for (var i = random.Next(1, 3); i > 0; i--)
            {
                members.Delegates.Add(new DelegateLocal(random.Next(3) == 0, Body()));
            }
        }

        for (var i = random.Next(0, 3); i > 0; i--)
        {
            members.Filters.Add(new FilterMethod(random.Next(3) != 0));
        }

        foreach (var form in new[] { StateForms.Patterns, StateForms.Tuples, StateForms.Conditionals, StateForms.Predicates, StateForms.BoolLocal, StateForms.Swaps })
        {
            if (random.Next(2) == 0)
            {
                members.Forms |= form;
            }
        }

        return members;
    }

    private static List<Statement> Block(Random random, int depth, int helperIndex, int helperCount, bool allowLoops, Members? members)
    {
        var statements = new List<Statement>();
        var length = random.Next(1, depth == 0 ? 7 : 4);
        for (var i = 0; i < length; i++)
        {
            statements.Add(One(random, depth, helperIndex, helperCount, allowLoops, members));
        }

        return statements;
    }

    // A local function's body: sleeps, calls of any local function (itself included: recursion, mutual recursion),
    // using-lock regions, branches and early returns; balanced, so that a call leaves the caller's contexts as they were.
    private static List<Statement> LocalBlock(Random random, int depth, int localCount, bool allowLoops)
    {
        var statements = new List<Statement>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            statements.Add(random.Next(depth < 2 ? 8 : 5) switch
            {
                0 => new Sleep(),
                1 or 2 => new CallLocal(random.Next(localCount)),
                3 => new ReturnIf(random.Next(Conditions)),
                4 => new LambdaCreated(),
                5 => new UsingLock(LocalBlock(random, depth + 1, localCount, allowLoops)),
                6 => new If(random.Next(Conditions), LocalBlock(random, depth + 1, localCount, allowLoops), new List<Statement>()),
                _ => allowLoops ? new Loop(LocalBlock(random, depth + 1, localCount, allowLoops)) : new UsingLock(LocalBlock(random, depth + 1, localCount, allowLoops)),
            });
        }

        return statements;
    }

    // Into a random block of the statements (the top level, or a using, if, try, catch or loop body).
    private static void InsertCall(Random random, List<Statement> statements, Statement call)
    {
        var bodies = new List<List<Statement>> { statements };
        foreach (var statement in All(statements))
        {
            switch (statement)
            {
                case UsingLock { Body: List<Statement> body }: bodies.Add(body); break;
                case If { Then: List<Statement> then }: bodies.Add(then); break;
                case GuardedBlock { Then: List<Statement> then }: bodies.Add(then); break;
                case TryFinally { Try: List<Statement> body }: bodies.Add(body); break;
                case TryCatch { Try: List<Statement> body }: bodies.Add(body); break;
                case Catch { Body: List<Statement> body }: bodies.Add(body); break;
                case Loop { Body: List<Statement> body }: bodies.Add(body); break;
            }
        }

        var target = bodies[random.Next(bodies.Count)];
        target.Insert(random.Next(target.Count + 1), call);
    }

    // Helpers (members is null) draw from sleeps, calls, branches, lambdas, loops and explicit throws; the entry from everything.
    private static Statement One(Random random, int depth, int helperIndex, int helperCount, bool allowLoops, Members? members)
    {
        var inHelper = members is null;
        List<Statement> Nested() => Block(random, depth + 1, helperIndex, helperCount, allowLoops, members);
        var compound = depth < 2;
        while (true)
        {
            switch (random.Next(inHelper ? 7 : 39))
            {
                case 0: return new Sleep();
                case 1 when helperCount > 0 && (!inHelper || helperIndex + 1 < helperCount || random.Next(3) == 0):
                    // Helpers call later helpers (chains) or themselves (recursion); the entry calls any.
                    var target = inHelper ? (random.Next(3) == 0 ? helperIndex : random.Next(helperIndex + 1, Math.Max(helperIndex + 2, helperCount))) : random.Next(helperCount);
                    if (target < helperCount)
                    {
                        return new CallHelper(target);
                    }

                    continue;
                case 2 when compound: return new If(random.Next(RandomProgram.Conditions), Nested(), random.Next(2) == 0 ? Nested() : new List<Statement>());
                case 3: return new LambdaCreated();
                case 4 when compound && allowLoops: return new Loop(Nested());
                case 5 when compound && !inHelper: return new TryFinally(Nested(), Block(random, 2, helperIndex, helperCount, false, members).Where(s => s is not (ReturnIf or GuardedReturn)).ToList());
                case 6 when inHelper: return new ThrowIf(random.Next(Conditions));
                case 6: return new Enter(random.Next(3));
                case 7: return new Exit(random.Next(3));
                case 8 when compound: return new UsingLock(Nested());
                case 9: return new ReturnIf(random.Next(RandomProgram.Conditions));
                case 10: return new FreeState();
                case 11: return new FreeGuarded();
                case 12: return new FreeDefault();
                case 13: return new FreeAlias();
                case 14: return new WriteState(random.Next(4) == 0);
                case 15: return new Swap();
                case 16: return new Sleep();
                case 17: return new Enter(random.Next(3));
                case 18 or 19: return new ThrowIf(random.Next(Conditions));
                case 20 or 21 when compound: return NewTryCatch(random, Nested, () => Block(random, 2, helperIndex, helperCount, false, members), members!);
                case 22 when members!.Properties.Count > 0:
                    var property = random.Next(members.Properties.Count);
                    return random.Next(3) switch { 0 => new ReadProperty(property), 1 => new WriteProperty(property), _ => new CompoundProperty(property) };
                case 23 when members!.Indexer is not null: return new UseIndexer(random.Next(2) == 0);
                case 24 when members!.Operators.Count > 0: return new UseOperator((OperatorKind)random.Next(4));
                case 25 or 26 when members!.Delegates.Count > 0: return new InvokeDelegate(random.Next(members.Delegates.Count), random.Next(InvokeForms.Length));
                case 27 or 28 when members!.Forms.HasFlag(StateForms.Patterns): return new FreePattern(random.Next(FreePattern.Forms));
                case 29 or 30 when members!.Forms.HasFlag(StateForms.Tuples):
                    return random.Next(2) == 0 ? new FreeTuple(random.Next(FreeTuple.Forms)) : new AssignTuple(random.Next(AssignTuple.Forms));
                case 31 or 32 when members!.Forms.HasFlag(StateForms.Conditionals): return new FreeConditional(random.Next(FreeConditional.Forms), random.Next(Conditions));
                case 33 or 34 when members!.Forms.HasFlag(StateForms.Predicates):
                    return Guarded(random, new Guard((GuardKind)random.Next(4), random.Next(4) == 0), compound, Nested);
                case 35 or 36 when members!.Forms.HasFlag(StateForms.BoolLocal):
                    return random.Next(3) == 0
                        ? new AssignBool(random.Next(3) == 0 ? random.Next(Conditions) : -1)
                        : Guarded(random, new Guard(GuardKind.BoolLocal, random.Next(4) == 0), compound, Nested);
                case 37 or 38 when members!.Forms.HasFlag(StateForms.Swaps): return new SwapTo(random.Next(3) == 0, random.Next(2) == 0, random.Next(2) == 0);
                default: continue;
            }
        }
    }

    // A free under the guard, an early return unless it holds, or a block under it with a free of fpu.State somewhere in it
    // (after what comes before it in the block: swaps, helper calls, reassignments of g0...).
    private static Statement Guarded(Random random, Guard guard, bool compound, Func<List<Statement>> nested)
    {
        switch (random.Next(compound ? 3 : 2))
        {
            case 0: return new GuardedFree(guard);
            case 1: return new GuardedReturn(guard);
            default:
                var then = nested();
                then.Insert(random.Next(then.Count + 1), new FreeState());
                return new GuardedBlock(guard, then);
        }
    }

    // One or two catch clauses, all but the last filtered; a finally in half of them (no return in it: C# forbids one).
    private static TryCatch NewTryCatch(Random random, Func<List<Statement>> nested, Func<List<Statement>> small, Members members)
    {
        var count = members.Filters.Count == 0 ? 1 : random.Next(1, 3);
        var catches = new List<Catch>();
        for (var i = 0; i < count; i++)
        {
            var filtered = members.Filters.Count > 0 && (i < count - 1 || random.Next(2) == 0);
            catches.Add(new Catch(filtered ? random.Next(members.Filters.Count) : -1, random.Next(4) == 0 ? new List<Statement>() : nested(), random.Next(-1, Conditions), random.Next(2) == 0));
        }

        var @finally = random.Next(2) == 0 ? null : small().Where(s => s is not (ReturnIf or GuardedReturn)).ToList();
        return new TryCatch(nested(), catches, @finally);
    }

    /// <summary>Every statement of a block, nested ones included.</summary>
    public static IEnumerable<Statement> Flatten(IReadOnlyList<Statement> block) => All(block);

    private static IEnumerable<Statement> All(IReadOnlyList<Statement> block) => block.SelectMany(s => s switch
    {
        UsingLock u => new[] { s }.Concat(All(u.Body)),
        If i => new[] { s }.Concat(All(i.Then)).Concat(All(i.Else)),
        GuardedBlock g => new[] { s }.Concat(All(g.Then)),
        TryFinally t => new[] { s }.Concat(All(t.Try)).Concat(All(t.Finally)),
        TryCatch t => new[] { s }.Concat(All(t.Try)).Concat(t.Catches.SelectMany(c => new[] { (Statement)c }.Concat(All(c.Body)))).Concat(t.Finally is null ? Enumerable.Empty<Statement>() : All(t.Finally)),
        Loop l => new[] { s }.Concat(All(l.Body)),
        _ => new[] { s },
    });

    public string ToSource()
    {
        Lines.Clear();
        var builder = new StringBuilder();
        var line = 1;
        var names = 0;
        void Emit(string text)
        {
            builder.Append(text).Append('\n');
            line++;
        }

        void Block(IReadOnlyList<Statement> statements)
        {
            foreach (var statement in statements)
            {
                Lines[statement] = line;
                switch (statement)
                {
                    case Enter e: Emit(EnterCalls[e.Kind]); break;
                    case Exit e: Emit(ExitCalls[e.Kind]); break;
                    case UsingLock u: Emit("using (k.LockFpregs())"); Emit("{"); Block(u.Body); Emit("}"); break;
                    case Sleep: Emit("k.Memory.Vzalloc(64);"); break;
                    case CallHelper c: Emit($"H{c.Index}(k, fpu, c0, c1, c2, c3);"); break;
                    case CallLocal c: Emit($"L{c.Index}();"); break;
                    case If i:
                        Emit($"if (c{i.Condition})"); Emit("{"); Block(i.Then); Emit("}");
                        if (i.Else.Count > 0) { Emit("else"); Emit("{"); Block(i.Else); Emit("}"); }
                        break;
                    case ReturnIf r: Emit($"if (c{r.Condition}) return;"); break;
                    case ThrowIf r: Emit($"if (c{r.Condition}) throw new System.InvalidOperationException();"); break;
                    case TryFinally t: Emit("try"); Emit("{"); Block(t.Try); Emit("}"); Emit("finally"); Emit("{"); Block(t.Finally); Emit("}"); break;
                    case TryCatch t:
                        Emit("try"); Emit("{"); Block(t.Try); Emit("}");
                        foreach (var c in t.Catches)
                        {
                            Lines[c] = line;
                            Emit(c.Filter < 0 ? "catch (System.Exception)"
                                : c.FilterCondition < 0 ? $"catch (System.Exception) when (F{c.Filter}(k))"
                                : c.ConditionFirst ? $"catch (System.Exception) when (c{c.FilterCondition} && F{c.Filter}(k))"
                                : $"catch (System.Exception) when (F{c.Filter}(k) && c{c.FilterCondition})");
                            Emit("{"); Block(c.Body); Emit("}");
                        }

                        if (t.Finally is not null) { Emit("finally"); Emit("{"); Block(t.Finally); Emit("}"); }
                        break;
                    case Loop l:
                        var counter = names++;
                        Emit($"for (var i{counter} = 0; i{counter} < 2;)"); Emit("{"); Block(l.Body); Emit($"i{counter}++;"); Emit("}");
                        break;
                    case FreeState: Emit("k.Memory.Vfree(fpu.State);"); break;
                    case FreeGuarded: Emit("if (fpu.State != fpu.DefaultState) k.Memory.Vfree(fpu.State);"); break;
                    case FreeDefault: Emit("k.Memory.Vfree(fpu.DefaultState);"); break;
                    case FreeAlias: Emit($"var s{names} = fpu.State; k.Memory.Vfree(s{names++});"); break;
                    case WriteState w: Emit(w.InLambda ? $"System.Action w{names++} = () => fpu.StateSize = 64;" : "fpu.StateSize = 64;"); break;
                    case Swap: Emit("Kernel.SwapFpState(fpu, fpu.State, fpu.StateMask, fpu.StateSize);"); break;
                    case LambdaCreated: Emit($"System.Action a{names++} = () => k.Memory.Vzalloc(64);"); break;
                    case ReadProperty p: Emit($"_ = P{p.Index};"); break;
                    case WriteProperty p: Emit($"P{p.Index} = 1;"); break;
                    case CompoundProperty p: Emit($"P{p.Index} += 1;"); break;
                    case UseIndexer x: Emit(x.Write ? "b[0] = 1;" : "_ = b[0];"); break;
                    case UseOperator o:
                        Emit(o.Kind switch { OperatorKind.Add => "v = v + v;", OperatorKind.Convert => "v = 1;", OperatorKind.Increment => "v++;", _ => "v += v;" });
                        break;
                    case InvokeDelegate d: Emit(string.Format(System.Globalization.CultureInfo.InvariantCulture, InvokeForms[d.Form], $"d{d.Index}")); break;
                    case FreePattern f:
                        var pv = $"p{names++}";
                        Emit(f.Form switch
                        {
                            0 => $"if (fpu.State is {{ }} {pv}) k.Memory.Vfree({pv});",
                            1 => $"if (fpu.State is var {pv}) k.Memory.Vfree({pv});",
                            2 => $"if (fpu is {{ State: var {pv} }}) k.Memory.Vfree({pv});",
                            3 => $"switch (fpu.State) {{ case {{ }} {pv}: k.Memory.Vfree({pv}); break; }}",
                            4 => $"k.Memory.Vfree(fpu.State switch {{ {{ }} {pv} => {pv}, _ => null }});",
                            5 => $"if (fpu.State is {{ }} {pv} && {pv} != fpu.DefaultState) k.Memory.Vfree({pv});",
                            6 => $"if (fpu is {{ State: var {pv} }} && !ReferenceEquals({pv}, fpu.DefaultState)) k.Memory.Vfree({pv});",
                            7 => $"switch (fpu.State) {{ case {{ }} {pv} when {pv} != fpu.DefaultState: k.Memory.Vfree({pv}); break; }}",
                            _ => $"k.Memory.Vfree(fpu.State switch {{ {{ }} {pv} when {pv} != fpu.DefaultState => {pv}, _ => null }});",
                        });
                        break;
                    case FreeTuple f:
                        var n = names++;
                        Emit(f.Form switch
                        {
                            0 => $"var (x{n}, y{n}) = (fpu.State, c0); k.Memory.Vfree(x{n});",
                            1 => "k.Memory.Vfree(tup.Item1);",
                            2 => "k.Memory.Vfree(da);",
                            3 => "k.Memory.Vfree(named.Buffer);",
                            4 => "if (tup.Item1 != fpu.DefaultState) k.Memory.Vfree(tup.Item1);",
                            5 => $"var t{n} = (Spare: new XStateBuffer(64), Buffer: fpu.State); k.Memory.Vfree(t{n}.Spare);",
                            _ => $"var t{n} = ((fpu.State, 0), c1); k.Memory.Vfree(t{n}.Item1.Item1);",
                        });
                        break;
                    case AssignTuple a:
                        Emit(a.Form switch
                        {
                            0 => "tup = (fpu.State, c1);",
                            1 => "(da, db) = (fpu.State, db);",
                            2 => "(da, db) = (new XStateBuffer(64), 0);",
                            3 => "named = (new XStateBuffer(64), fpu.StateSize);",
                            4 => "named = (fpu.State, 0);",
                            _ => "tup = (fpu.DefaultState, c2);",
                        });
                        break;
                    case FreeConditional f:
                        var q = $"q{names++}";
                        Emit(f.Form switch
                        {
                            0 => $"k.Memory.Vfree(c{f.Condition} ? fpu.State : new XStateBuffer(64));",
                            1 => $"k.Memory.Vfree(c{f.Condition} ? new XStateBuffer(64) : fpu.State);",
                            2 => $"XStateBuffer? {q} = c{f.Condition} ? null : new XStateBuffer(64); k.Memory.Vfree({q} ?? fpu.State);",
                            3 => "k.Memory.Vfree(fpu?.State);",
                            _ => $"k.Memory.Vfree((c{f.Condition} ? null : fpu)?.State);",
                        });
                        break;
                    case GuardedFree g: Emit($"if ({g.Guard.Text}) k.Memory.Vfree(fpu.State);"); break;
                    case GuardedReturn g: Emit($"if ({(g.Guard with { Negated = !g.Guard.Negated }).Text}) return;"); break;
                    case GuardedBlock g: Emit($"if ({g.Guard.Text})"); Emit("{"); Block(g.Then); Emit("}"); break;
                    case AssignBool a: Emit(a.Condition < 0 ? "dyn = fpu.State != fpu.DefaultState;" : $"dyn = c{a.Condition};"); break;
                    case SwapTo w:
                        var buffer = w.Default ? "fpu.DefaultState" : "new XStateBuffer(fpu.StateSize)";
                        var size = w.Default ? "fpu.DefaultState.Size" : "fpu.StateSize";
                        var swap = w.Receiver ? $"fpu.SwapFpState({buffer}, fpu.StateMask, {size})" : $"Kernel.SwapFpState(fpu, {buffer}, fpu.StateMask, {size})";
                        Emit(w.FreeOld ? $"var o{names} = {swap}; k.Memory.Vfree(o{names++});" : $"{swap};");
                        break;
                }
            }
        }

        void Accessors(string header, CalleeBody get, CalleeBody set)
        {
            Emit(header); Emit("{");
            Emit("get"); Emit("{"); Block(get.Statements); Emit("return 0;"); Emit("}");
            Emit("set"); Emit("{"); Block(set.Statements); Emit("}");
            Emit("}");
        }

        Emit("using FpuGuard.Runtime;");
        Emit("static class Generated");
        Emit("{");
        Emit("static Kernel k = null!;");
        Emit("static void M(Kernel k, Fpu fpu, bool c0, bool c1, bool c2, bool c3)");
        Emit("{");
        if (Members.Operators.Count > 0)
        {
            Emit("var v = default(V);");
        }

        if (Members.Indexer is not null)
        {
            Emit("var b = new Box();");
        }

        var forms = Members.Forms | UsedForms;
        if (forms.HasFlag(StateForms.Tuples))
        {
            Emit("var tup = (fpu.State, c0);");
            Emit("var (da, db) = (fpu.State, fpu.StateSize);");
            Emit("var named = (Buffer: fpu.State, Size: fpu.StateSize);");
        }

        if (forms.HasFlag(StateForms.BoolLocal))
        {
            Emit("var dyn = fpu.State != fpu.DefaultState;");
        }

        for (var i = 0; i < Members.Delegates.Count; i++)
        {
            if (Members.Delegates[i].MethodGroup)
            {
                Emit($"System.Action d{i} = G{i};");
            }
            else
            {
                Emit($"System.Action d{i} = () =>"); Emit("{"); Block(Members.Delegates[i].Body.Statements); Emit("};");
            }
        }

        Block(Entry);
        for (var i = 0; i < Locals.Count; i++)
        {
            Emit($"void L{i}()");
            Emit("{");
            Block(Locals[i]);
            Emit("}");
        }

        if (forms.HasFlag(StateForms.Predicates))
        {
            Emit("bool Dynamic() => !ReferenceEquals(fpu.State, fpu.DefaultState);");
        }

        Emit("}");
        for (var i = 0; i < Helpers.Count; i++)
        {
            Emit($"static void H{i}(Kernel k, Fpu fpu, bool c0, bool c1, bool c2, bool c3)");
            Emit("{");
            Block(Helpers[i]);
            Emit("}");
        }

        for (var i = 0; i < Members.Properties.Count; i++)
        {
            Accessors($"static int P{i}", Members.Properties[i].Get, Members.Properties[i].Set);
        }

        if (Members.Indexer is { } indexer)
        {
            Emit("sealed class Box"); Emit("{");
            Accessors("public int this[int i]", indexer.Get, indexer.Set);
            Emit("}");
        }

        if (Members.Operators.Count > 0)
        {
            Emit("struct V"); Emit("{");
            Emit("public static V operator +(V a, V c)"); Emit("{"); Block(Members.Operators[OperatorKind.Add].Statements); Emit("return a;"); Emit("}");
            Emit("public static implicit operator V(int x)"); Emit("{"); Block(Members.Operators[OperatorKind.Convert].Statements); Emit("return default;"); Emit("}");
            Emit("public static V operator ++(V a)"); Emit("{"); Block(Members.Operators[OperatorKind.Increment].Statements); Emit("return a;"); Emit("}");
            Emit("}");
        }

        for (var i = 0; i < Members.Delegates.Count; i++)
        {
            if (Members.Delegates[i].MethodGroup)
            {
                Emit($"static void G{i}()"); Emit("{"); Block(Members.Delegates[i].Body.Statements); Emit("}");
            }
        }

        if (forms.HasFlag(StateForms.Predicates))
        {
            Emit("static bool IsValloc(Fpu f) => f.State != f.DefaultState;");
            Emit("static bool OnDefault(Fpu f) => ReferenceEquals(f.State, f.DefaultState);");
            Emit("static bool Allocated(XStateBuffer s, Fpu f) => s != f.DefaultState;");
        }

        if (forms.HasFlag(StateForms.Swaps))
        {
            Emit("static XStateBuffer? SwapFpState(this Fpu fpu, XStateBuffer state, XFeatureMask mask, int size) => Kernel.SwapFpState(fpu, state, mask, size);");
        }

        for (var i = 0; i < Members.Filters.Count; i++)
        {
            Emit($"static bool F{i}(Kernel k)"); Emit("{");
            if (Members.Filters[i].Sleeps)
            {
                Emit("k.Memory.Vzalloc(64);");
            }

            Emit("return true;");
            Emit("}");
        }

        Emit("}");
        return builder.ToString();
    }
}
