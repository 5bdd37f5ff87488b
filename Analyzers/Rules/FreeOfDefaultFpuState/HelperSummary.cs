using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;

/// <summary>
/// What a method of this compilation does that matters to FPU0002 at its call sites, read from its body by the same
/// flow analysis: the state it may return or leave in an out parameter, whether it may write a state field through
/// what it receives, and what its bool result proves. Paths are rooted at its parameters or <c>this</c> (or, for a
/// local function, at what it captures), to be put in terms of a call's arguments.
/// </summary>
internal sealed class HelperSummary
{
    /// <summary>The answer when a helper cannot be read (too deep, recursive, cut short): it may return a default
    /// state and may write every state it can reach, and it proves nothing.</summary>
    public static readonly HelperSummary Unknown = new(
        new HeldState(ownerPath: null, defaultName: null, isDefault: false, path: null), ImmutableDictionary<int, HeldState>.Empty, writesState: true, whenTrue: null, whenFalse: null);

    public HelperSummary(HeldState? returns, ImmutableDictionary<int, HeldState> outs, bool writesState, ImmutableHashSet<AccessPath>? whenTrue, ImmutableHashSet<AccessPath>? whenFalse,
        ImmutableArray<HeldElement> elements = default, int height = 0, ImmutableHashSet<AccessPath>? atExit = null, ImmutableDictionary<AccessPath, AccessPath>? installed = null,
        ImmutableHashSet<ISymbol>? writtenRoots = null, ImmutableHashSet<AccessPath>? defaultWhenTrue = null, ImmutableHashSet<AccessPath>? defaultWhenFalse = null)
    {
        DefaultWhenTrue = defaultWhenTrue;
        DefaultWhenFalse = defaultWhenFalse;
        WrittenRoots = writtenRoots;
        AtExit = atExit ?? ImmutableHashSet<AccessPath>.Empty;
        Installed = installed ?? ImmutableDictionary<AccessPath, AccessPath>.Empty;
        Height = height;
        Elements = elements.IsDefault ? ImmutableArray<HeldElement>.Empty : elements;
        Returns = returns;
        Outs = outs;
        WritesState = writesState;
        WhenTrue = whenTrue;
        WhenFalse = whenFalse;
    }

    /// <summary>The state its result may be; null when it never returns one that may be the default.</summary>
    public HeldState? Returns { get; }

    /// <summary>
    /// When it returns a tuple: the elements that may hold a state, each named by its element fields from the
    /// result down (<c>Item2</c>, or <c>Item1.Item2</c> in a nested tuple). Empty for <see cref="Unknown"/>, whose
    /// every element of a reference type may hold one.
    /// </summary>
    public ImmutableArray<HeldElement> Elements { get; }

    public bool IsUnknown => ReferenceEquals(this, Unknown);

    /// <summary>
    /// How many helpers deep its reading went below it (0: it called none with a summary). A caller at a depth
    /// where reading it afresh would reach the bound does not take it from the compilation's summaries: the answer
    /// does not depend on which method was analysed first.
    /// </summary>
    public int Height { get; }

    /// <summary>By parameter ordinal: the state an out or ref parameter may hold when it returns.</summary>
    public ImmutableDictionary<int, HeldState> Outs { get; }

    public bool WritesState { get; }

    /// <summary>
    /// What it may write a state field through, when it writes one: its parameters, <c>this</c> (its type), variables a
    /// local function captured, static fields. Null: anything it receives (it wrote through a local of its own, or it
    /// could not be read).
    /// </summary>
    public ImmutableHashSet<ISymbol>? WrittenRoots { get; }

    /// <summary>Whether it may write a state field through what it receives for the parameter (null: its receiver).</summary>
    public bool MayWriteThrough(IParameterSymbol? parameter)
    {
        if (!WritesState || WrittenRoots is not { } roots)
        {
            return WritesState;
        }

        return parameter is null
            ? roots.Any(r => r is ITypeSymbol)
            : roots.Any(r => r is IParameterSymbol written && written.Ordinal == parameter.Ordinal
                && SymbolEqualityComparer.Default.Equals(written.ContainingSymbol.OriginalDefinition, ((parameter.ContainingSymbol as IMethodSymbol)?.ReducedFrom ?? parameter.ContainingSymbol).OriginalDefinition));
    }

    /// <summary>What is proven not to be the default when it returns, on every path (a buffer it swapped in, a guard it checked).</summary>
    public ImmutableHashSet<AccessPath> AtExit { get; }

    /// <summary>
    /// State members that hold, when it returns, a value it received (a parameter, or a member of one) and installed
    /// with the swap helper: what its caller passed decides whether they may be the default.
    /// </summary>
    public ImmutableDictionary<AccessPath, AccessPath> Installed { get; }

    /// <summary>What a true result proves not to be the default (null: nothing).</summary>
    public ImmutableHashSet<AccessPath>? WhenTrue { get; }

    /// <summary>What a false result proves not to be the default (null: nothing).</summary>
    public ImmutableHashSet<AccessPath>? WhenFalse { get; }

    /// <summary>
    /// State members a true result proves to be their own owner's default member (<c>f.State</c> for
    /// <c>OnDefault(f) => f.State == f.DefaultState</c>; null: nothing): a caller that knows better does not take that way.
    /// </summary>
    public ImmutableHashSet<AccessPath>? DefaultWhenTrue { get; }

    /// <summary>State members a false result proves to be their own owner's default member (null: nothing).</summary>
    public ImmutableHashSet<AccessPath>? DefaultWhenFalse { get; }
}

/// <summary>A state a helper hands back: whose (a path in the helper's terms, when known) and which default member.</summary>
internal sealed class HeldState
{
    public HeldState(AccessPath? ownerPath, string? defaultName, bool isDefault, AccessPath? path)
    {
        Path = path;
        OwnerPath = ownerPath;
        DefaultName = defaultName;
        IsDefault = isDefault;
    }

    public AccessPath? OwnerPath { get; }

    /// <summary>The state member handed back, in the helper's terms, when known.</summary>
    public AccessPath? Path { get; }

    public string? DefaultName { get; }

    public bool IsDefault { get; }
}

/// <summary>An element of a tuple a helper returns that may hold a state: its element fields from the result down.</summary>
internal sealed class HeldElement
{
    public HeldElement(ImmutableArray<ISymbol> elements, HeldState held)
    {
        ElementFields = elements;
        Held = held;
    }

    public ImmutableArray<ISymbol> ElementFields { get; }

    public HeldState Held { get; }
}

/// <summary>Summaries per compilation; a summary computed under a bound or a cycle is not kept (it depends on the caller).</summary>
internal sealed class HelperSummaries
{
    /// <summary>How many helpers deep a summary may read before it answers <see cref="HelperSummary.Unknown"/>.</summary>
    public const int MaxDepth = 4;

    private readonly ConcurrentDictionary<ISymbol, HelperSummary> _known = new(SymbolEqualityComparer.Default);

    public bool TryGet(IMethodSymbol method, out HelperSummary summary) => _known.TryGetValue(method, out summary!);

    public void Keep(IMethodSymbol method, HelperSummary summary) => _known.TryAdd(method, summary);
}
