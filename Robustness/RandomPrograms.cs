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
public sealed record WriteState : Statement;
public sealed record Swap : Statement;
public sealed record LambdaCreated : Statement;

/// <summary>A generated program: an entry method over the contract vocabulary and helpers that may sleep through chains and recursion.</summary>
public sealed class RandomProgram
{
    public const int Conditions = 4;
    private static readonly string[] EnterCalls = { "k.FpregsLock();", "k.PreemptDisable();", "k.LocalIrqDisable();" };
    private static readonly string[] ExitCalls = { "k.FpregsUnlock();", "k.PreemptEnable();", "k.LocalIrqEnable();" };

    public RandomProgram(IReadOnlyList<Statement> entry, IReadOnlyList<IReadOnlyList<Statement>> helpers, IReadOnlyList<IReadOnlyList<Statement>>? locals = null)
    {
        Entry = entry;
        Helpers = helpers;
        Locals = locals ?? Array.Empty<IReadOnlyList<Statement>>();
        HasLoops = All(entry).Concat(helpers.SelectMany(All)).Concat(Locals.SelectMany(All)).Any(s => s is Loop);
    }

    public IReadOnlyList<Statement> Entry { get; }

    public IReadOnlyList<IReadOnlyList<Statement>> Helpers { get; }

    /// <summary>Local functions of the entry (L0, L1, ...): they call themselves and each other, in and out of using-lock regions.</summary>
    public IReadOnlyList<IReadOnlyList<Statement>> Locals { get; }

    public bool HasLoops { get; }

    /// <summary>The statement each source line holds, filled in by <see cref="ToSource"/>.</summary>
    public Dictionary<Statement, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

    public static RandomProgram Generate(Random random, bool allowLoops)
    {
        var helpers = new List<IReadOnlyList<Statement>>();
        var helperCount = random.Next(0, 4);
        for (var i = 0; i < helperCount; i++)
        {
            helpers.Add(Block(random, depth: 0, helperIndex: i, helperCount, allowLoops, inHelper: true));
        }

        var entry = Block(random, depth: 0, helperIndex: -1, helperCount, allowLoops, inHelper: false);
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

        return new RandomProgram(entry, helpers, locals);
    }

    private static List<Statement> Block(Random random, int depth, int helperIndex, int helperCount, bool allowLoops, bool inHelper)
    {
        var statements = new List<Statement>();
        var length = random.Next(1, depth == 0 ? 7 : 4);
        for (var i = 0; i < length; i++)
        {
            statements.Add(One(random, depth, helperIndex, helperCount, allowLoops, inHelper));
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

    // Into a random block of the statements (the top level, or a using, if, try or loop body).
    private static void InsertCall(Random random, List<Statement> statements, Statement call)
    {
        var bodies = new List<List<Statement>> { statements };
        foreach (var statement in All(statements))
        {
            switch (statement)
            {
                case UsingLock { Body: List<Statement> body }: bodies.Add(body); break;
                case If { Then: List<Statement> then }: bodies.Add(then); break;
                case TryFinally { Try: List<Statement> body }: bodies.Add(body); break;
                case Loop { Body: List<Statement> body }: bodies.Add(body); break;
            }
        }

        var target = bodies[random.Next(bodies.Count)];
        target.Insert(random.Next(target.Count + 1), call);
    }

    private static Statement One(Random random, int depth, int helperIndex, int helperCount, bool allowLoops, bool inHelper)
    {
        List<Statement> Nested() => Block(random, depth + 1, helperIndex, helperCount, allowLoops, inHelper);
        var compound = depth < 2;
        while (true)
        {
            switch (random.Next(inHelper ? 6 : 18))
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
                case 5 when compound && !inHelper: return new TryFinally(Nested(), Block(random, 2, helperIndex, helperCount, false, inHelper).Where(s => s is not ReturnIf).ToList());
                case 6: return new Enter(random.Next(3));
                case 7: return new Exit(random.Next(3));
                case 8 when compound: return new UsingLock(Nested());
                case 9: return new ReturnIf(random.Next(RandomProgram.Conditions));
                case 10: return new FreeState();
                case 11: return new FreeGuarded();
                case 12: return new FreeDefault();
                case 13: return new FreeAlias();
                case 14: return new WriteState();
                case 15: return new Swap();
                case 16: return new Sleep();
                case 17: return new Enter(random.Next(3));
                default: continue;
            }
        }
    }

    private static IEnumerable<Statement> All(IReadOnlyList<Statement> block) => block.SelectMany(s => s switch
    {
        UsingLock u => new[] { s }.Concat(All(u.Body)),
        If i => new[] { s }.Concat(All(i.Then)).Concat(All(i.Else)),
        TryFinally t => new[] { s }.Concat(All(t.Try)).Concat(All(t.Finally)),
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
                    case TryFinally t: Emit("try"); Emit("{"); Block(t.Try); Emit("}"); Emit("finally"); Emit("{"); Block(t.Finally); Emit("}"); break;
                    case Loop l:
                        var counter = names++;
                        Emit($"for (var i{counter} = 0; i{counter} < 2;)"); Emit("{"); Block(l.Body); Emit($"i{counter}++;"); Emit("}");
                        break;
                    case FreeState: Emit("k.Memory.Vfree(fpu.State);"); break;
                    case FreeGuarded: Emit("if (fpu.State != fpu.DefaultState) k.Memory.Vfree(fpu.State);"); break;
                    case FreeDefault: Emit("k.Memory.Vfree(fpu.DefaultState);"); break;
                    case FreeAlias: Emit($"var s{names} = fpu.State; k.Memory.Vfree(s{names++});"); break;
                    case WriteState: Emit("fpu.StateSize = 64;"); break;
                    case Swap: Emit("Kernel.SwapFpState(fpu, fpu.State, fpu.StateMask, fpu.StateSize);"); break;
                    case LambdaCreated: Emit($"System.Action a{names++} = () => k.Memory.Vzalloc(64);"); break;
                }
            }
        }

        Emit("using FpuGuard.Runtime;");
        Emit("static class Generated");
        Emit("{");
        Emit("static void M(Kernel k, Fpu fpu, bool c0, bool c1, bool c2, bool c3)");
        Emit("{");
        Block(Entry);
        for (var i = 0; i < Locals.Count; i++)
        {
            Emit($"void L{i}()");
            Emit("{");
            Block(Locals[i]);
            Emit("}");
        }

        Emit("}");
        for (var i = 0; i < Helpers.Count; i++)
        {
            Emit($"static void H{i}(Kernel k, Fpu fpu, bool c0, bool c1, bool c2, bool c3)");
            Emit("{");
            Block(Helpers[i]);
            Emit("}");
        }

        Emit("}");
        return builder.ToString();
    }
}
