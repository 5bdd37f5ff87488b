using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.CodeFixes.Internals;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Rules.AtomicContext;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace FpuGuard.Analyzers.CodeFixes.Rules.AtomicContext;

/// <summary>
/// FPU0001 fixes, as the review asked: "move the call before the region" (allocate first, then lock) for the
/// register lock or preemption, and "enable interrupts around the call" in a handler that requires them
/// disabled. Never an atomic allocation; no fix where moving or wrapping could change what the code computes.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MaySleepInAtomicContextFixer)), Shared]
public sealed class MaySleepInAtomicContextFixer : PlanCodeFixProvider
{
    private const string MoveKey = "FPU0001.MoveBeforeRegion";
    private const string EnableKey = "FPU0001.EnableInterrupts";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.MaySleepInAtomicContext);

    private protected override IEnumerable<string> Keys => new[] { MoveKey, EnableKey };

    private protected override CodeFixPlan? Plan(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string key, FixBatch batch, CancellationToken cancellationToken, out string title)
    {
        title = "";
        var held = Kinds(diagnostic, AtomicContextAnalyzer.HeldProperty);
        var required = Kinds(diagnostic, AtomicContextAnalyzer.RequiredProperty);
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (node is not (InvocationExpressionSyntax or ObjectCreationExpressionSyntax) || SleepingStatement(model, node) is not { } statement)
        {
            return null;
        }

        // Where the callee sleeps under a context it takes itself, the call sleeps there wherever it is made.
        var heldByCallee = Kinds(diagnostic, AtomicContextAnalyzer.HeldByCalleeProperty);
        var contracts = new MethodContracts();
        if (key == MoveKey && !held.Contains(AtomicContextKind.InterruptsDisabled) && held.Count > 0 && !held.Overlaps(required) && heldByCallee.Count == 0
            && !CalledInRegion(model, node, batch, cancellationToken))
        {
            title = "Move the call before the atomic region";
            return PlanMove(model, statement, held, MostHeld(diagnostic), contracts, batch, cancellationToken);
        }

        if (key == EnableKey && held.SetEquals(new[] { AtomicContextKind.InterruptsDisabled }) && required.Contains(AtomicContextKind.InterruptsDisabled) && heldByCallee.Count == 0)
        {
            return PlanEnableInterrupts(model, statement, contracts, cancellationToken, out title);
        }

        return null;
    }

    // The methods some atomic region runs (the analyzer's call graph, over the whole compilation).
    private protected override async Task<object?> PrepareAsync(Document document, CancellationToken cancellationToken) =>
        await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false) is { } compilation
            ? await AtomicContextAnalyzer.MethodsCalledInRegionsAsync(compilation, document.Project.AnalyzerOptions, cancellationToken).ConfigureAwait(false)
            : null;

    // Whether the member the call is in (through its lambdas and local functions; for an initializer, its type's
    // constructors) runs, called from some atomic region, with a context held: moving the sleep out of the member's
    // own region would not take it out of the caller's, where it would then be reported. Unknown counts as called.
    private static bool CalledInRegion(SemanticModel model, SyntaxNode node, FixBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Prepared is not ImmutableHashSet<Location> called)
        {
            return true;
        }

        var member = model.GetEnclosingSymbol(node.SpanStart, cancellationToken);
        while (member is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction })
        {
            member = member.ContainingSymbol;
        }

        var methods = member switch
        {
            IMethodSymbol method => new[] { method },
            IFieldSymbol or IPropertySymbol when member.ContainingType is { } type => (member.IsStatic ? type.StaticConstructors : type.InstanceConstructors).ToArray(),
            _ => null,
        };
        return methods is null || methods.Any(m => m.Locations.Any(called.Contains));
    }

    private static HashSet<AtomicContextKind> Kinds(Diagnostic diagnostic, string property) =>
        diagnostic.Properties.TryGetValue(property, out var value) && value is not null
            ? new HashSet<AtomicContextKind>(value.Split(',').Where(v => v.Length > 0).Select(v => (AtomicContextKind)Enum.Parse(typeof(AtomicContextKind), v)))
            : new HashSet<AtomicContextKind>();

    // The analyzer's count of each kind held at the call, at most, on every path it runs on; null when not known.
    private static Dictionary<AtomicContextKind, int>? MostHeld(Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(AtomicContextAnalyzer.MostHeldProperty, out var value) || value is null)
        {
            return null;
        }

        var counts = new Dictionary<AtomicContextKind, int>();
        foreach (var entry in value.Split(',').Where(v => v.Length > 0))
        {
            var colon = entry.IndexOf(':');
            if (colon < 0 || !Enum.TryParse<AtomicContextKind>(entry.Substring(0, colon), out var kind)
                || !int.TryParse(entry.Substring(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count))
            {
                return null;
            }

            counts[kind] = count;
        }

        return counts;
    }

    // The statement is the call itself, an assignment of the call to a name (a local, parameter or discard, which the
    // data-flow check sees), or a declaration whose initializer is the call (through parentheses,
    // casts and the null-forgiving operator, which only pass its value on).
    private static StatementSyntax? SleepingStatement(SemanticModel model, SyntaxNode call)
    {
        var value = call;
        while (value.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression })
        {
            value = value.Parent;
        }

        return value.Parent switch
        {
            ExpressionStatementSyntax statement when value == call => statement,
            AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax name, Parent: ExpressionStatementSyntax statement } assignment
                when assignment.Right == value && model.GetSymbolInfo(name).Symbol is ILocalSymbol or IParameterSymbol { RefKind: RefKind.None } or IDiscardSymbol => statement,
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration } } }
                when declaration.UsingKeyword.IsKind(SyntaxKind.None) && declaration.Modifiers.Count == 0 => declaration,
            _ => null,
        };
    }

    private static CodeFixPlan? PlanMove(SemanticModel model, StatementSyntax statement, HashSet<AtomicContextKind> held, Dictionary<AtomicContextKind, int>? mostHeld, MethodContracts contracts, FixBatch batch, CancellationToken cancellationToken)
    {
        if (statement.Parent is not BlockSyntax block)
        {
            return null;
        }

        // The region starts at an entering statement earlier in this block, or at the using statement around it.
        var index = block.Statements.IndexOf(statement);
        StatementSyntax? start = null;
        SyntaxNode? entry = null;
        var between = new List<StatementSyntax>();
        for (var i = index - 1; i >= 0; i--)
        {
            if (Enters(model, block.Statements[i], held, contracts, cancellationToken))
            {
                start = block.Statements[i];
                entry = start;
                break;
            }

            between.Insert(0, block.Statements[i]);
        }

        if (start is null && block.Parent is UsingStatementSyntax { Statement: var body } usingStatement && body == block
            && (usingStatement.Expression ?? (SyntaxNode?)usingStatement.Declaration) is { } resource
            && Enters(model, resource, held, contracts, cancellationToken) && usingStatement.Parent is BlockSyntax)
        {
            start = usingStatement;
            entry = resource;
        }

        if (start is null || entry is null || !between.All(s => batch.Moved.Contains(s) || IsInert(model, s, cancellationToken))
            || !Independent(model, statement, between.Where(s => !batch.Moved.Contains(s)).ToList(), entry, cancellationToken)
            || !EntersAll(model, entry, held, contracts, cancellationToken)
            || !(NothingHeldBeforeEntry(model, statement, entry, held, mostHeld, contracts, cancellationToken) || OnlyRegionBefore(model, statement, start, contracts, cancellationToken))
            || (start.Parent != block && !CanHoist(model, statement, (BlockSyntax)start.Parent!, cancellationToken))
            || InTryBlock(start))
        {
            return null;
        }

        batch.Moved.Add(statement);
        var regionMarks = EmptyRegions.Marks(model, start, block, held, contracts, cancellationToken);
        var moved = statement.WithAdditionalAnnotations(Formatter.Annotation);
        return new CodeFixPlan(ImmutableArray.Create<SyntaxNode>(statement, start), editor =>
        {
            foreach (var (node, mark) in regionMarks)
            {
                editor.ReplaceNode(node, (current, _) => current.WithAdditionalAnnotations(mark));
            }

            editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
            editor.InsertBefore(start, moved);
        });
    }

    // A statement the call may move past: it declares locals from values without side effects, or does nothing.
    private static bool IsInert(SemanticModel model, StatementSyntax statement, CancellationToken cancellationToken) => statement switch
    {
        EmptyStatementSyntax => true,
        LocalDeclarationStatementSyntax { UsingKeyword.RawKind: (int)SyntaxKind.None, AwaitKeyword.RawKind: (int)SyntaxKind.None } declaration =>
            declaration.Declaration.Variables.All(v => v.Initializer is null || SideEffects.None(model, v.Initializer.Value, cancellationToken)),
        _ => false,
    };

    // Hoisting a declaration out of the using block widens its scope to the block around the using: no other
    // declaration of its name may be there.
    private static bool CanHoist(SemanticModel model, StatementSyntax statement, BlockSyntax outer, CancellationToken cancellationToken)
    {
        if (statement is not LocalDeclarationStatementSyntax declaration)
        {
            return true;
        }

        var name = declaration.Declaration.Variables[0].Identifier.ValueText;
        var declarator = declaration.Declaration.Variables[0];
        return !outer.DescendantNodes().Any(node => node != declarator && node switch
        {
            VariableDeclaratorSyntax other => other.Identifier.ValueText == name,
            SingleVariableDesignationSyntax designation => designation.Identifier.ValueText == name,
            ForEachStatementSyntax forEach => forEach.Identifier.ValueText == name,
            CatchDeclarationSyntax caught => caught.Identifier.ValueText == name,
            ParameterSyntax parameter => parameter.Identifier.ValueText == name,
            LocalFunctionStatementSyntax function => function.Identifier.ValueText == name,
            _ => false,
        }) && model.LookupSymbols(outer.SpanStart, name: name).IsEmpty;
    }

    private static bool EntersAll(SemanticModel model, SyntaxNode start, HashSet<AtomicContextKind> held, MethodContracts contracts, CancellationToken cancellationToken)
    {
        var entered = start.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()
            .Select(i => model.GetSymbolInfo(i, cancellationToken).Symbol).OfType<IMethodSymbol>()
            .SelectMany(m => contracts.Of(m).Enters);
        return held.IsSubsetOf(new HashSet<AtomicContextKind>(entered));
    }

    // Inside a try, the moved call would throw before the entry instead of after it: its catch or finally (which may
    // leave the context) would then run with the context not entered.
    private static bool InTryBlock(SyntaxNode start)
    {
        for (var node = start; node.Parent is { } parent && parent is not (BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax); node = parent)
        {
            if (parent is TryStatementSyntax tryStatement && tryStatement.Block == node)
            {
                return true;
            }
        }

        return false;
    }

    // Nothing is held where the call lands, on any path: the analysis says that at the call each held kind is held at
    // most once and no other kind at all, on every path the call runs on (in a local function, also in every run of it
    // the analysis follows: from the member, other local functions, its own recursion), and the region's entry, which every path to the call runs just before it, enters each held kind
    // unconditionally and leaves none: so before the entry nothing is held. Decided per region, from the flow analysis,
    // this does not depend on another region earlier in the method (which a fix may remove): FixAll, planned on the
    // original document, offers what fixing one diagnostic at a time and re-analysing offers.
    private static bool NothingHeldBeforeEntry(SemanticModel model, StatementSyntax statement, SyntaxNode entry, HashSet<AtomicContextKind> held,
        Dictionary<AtomicContextKind, int>? mostHeld, MethodContracts contracts, CancellationToken cancellationToken)
    {
        if (mostHeld is null || mostHeld.Any(m => m.Value > (held.Contains(m.Key) ? 1 : 0)))
        {
            return false;
        }

        var entered = new HashSet<AtomicContextKind>();
        foreach (var invocation in entry.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
            {
                continue;
            }

            var contract = contracts.Of(method);
            if (contract.Exits.Length > 0 || contract.Asserts.Length > 0)
            {
                return false;
            }

            if (contract.Enters.Length > 0 && AlwaysRuns(invocation, entry))
            {
                entered.UnionWith(contract.Enters);
            }
        }

        return held.IsSubsetOf(entered) && RunsOnlyWhereTheMemberSeesIt(model, statement, cancellationToken);
    }

    // The call runs whenever the entry does: nothing between them branches (no ?., ?:, &&, ||, ??, lambda).
    private static bool AlwaysRuns(SyntaxNode invocation, SyntaxNode entry)
    {
        for (var node = invocation; node != entry; node = node.Parent!)
        {
            if (node.Parent is not (ExpressionStatementSyntax or LocalDeclarationStatementSyntax or VariableDeclarationSyntax or VariableDeclaratorSyntax
                or EqualsValueClauseSyntax or ArgumentSyntax or ArgumentListSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax
                or ParenthesizedExpressionSyntax or CastExpressionSyntax or AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression }
                or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression }))
            {
                return false;
            }
        }

        return true;
    }

    // The counts cover every run of the call the analysis follows: the member's, and a local function's wherever a
    // function of the member calls it. A local function must be called only by name, by the member or by local
    // functions that are themselves (a method group could run it where the analysis does not look), and be neither async
    // nor an iterator (its body would run after its caller moved on). A lambda may run anywhere it is passed: no.
    private static bool RunsOnlyWhereTheMemberSeesIt(SemanticModel model, SyntaxNode statement, CancellationToken cancellationToken)
    {
        var function = EnclosingFunction(statement);
        return function is LocalFunctionStatementSyntax local ? CalledOnlyByName(model, local, new HashSet<SyntaxNode>(), cancellationToken) : function is not AnonymousFunctionExpressionSyntax;
    }

    private static SyntaxNode? EnclosingFunction(SyntaxNode node) =>
        node.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax or MemberDeclarationSyntax);

    private static bool CalledOnlyByName(SemanticModel model, LocalFunctionStatementSyntax local, HashSet<SyntaxNode> seen, CancellationToken cancellationToken)
    {
        if (!seen.Add(local))
        {
            return true; // Being checked further up: recursion.
        }

        if (local.Modifiers.Any(SyntaxKind.AsyncKeyword) || local.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) || n == local).OfType<YieldStatementSyntax>().Any()
            || model.GetDeclaredSymbol(local, cancellationToken) is not IMethodSymbol symbol || local.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault() is not { } member)
        {
            return false;
        }

        bool Known(SyntaxNode where) => EnclosingFunction(where) switch
        {
            LocalFunctionStatementSyntax caller => caller == local || CalledOnlyByName(model, caller, seen, cancellationToken),
            AnonymousFunctionExpressionSyntax => false,
            _ => true,
        };

        return Known(local) && member.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(name => name.Identifier.ValueText == local.Identifier.ValueText && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, symbol))
            .All(name => name.Parent is InvocationExpressionSyntax invocation && invocation.Expression == name && Known(name));
    }

    // Before the region start nothing else in the method touches a context, and no loop or lambda encloses the
    // call: then nothing is held where the call lands, on any path.
    private static bool OnlyRegionBefore(SemanticModel model, StatementSyntax statement, StatementSyntax start, MethodContracts contracts, CancellationToken cancellationToken)
    {
        for (SyntaxNode node = statement; node.Parent is { } parent; node = parent)
        {
            switch (parent)
            {
                case BlockSyntax block:
                    foreach (var earlier in block.Statements.TakeWhile(s => s != node))
                    {
                        if (earlier != start && ChangesContext(model, earlier, contracts, cancellationToken))
                        {
                            return false;
                        }
                    }

                    break;
                case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                case FinallyClauseSyntax or CatchClauseSyntax: // its try ran first, and may have entered a context
                    return false;
                case UsingStatementSyntax usingStatement when usingStatement != start && ChangesContext(model, usingStatement.Expression ?? (SyntaxNode)usingStatement.Declaration!, contracts, cancellationToken):
                    return false;
                case BaseMethodDeclarationSyntax or AccessorDeclarationSyntax:
                    return true;
            }
        }

        return true;
    }

    private static bool Enters(SemanticModel model, SyntaxNode node, HashSet<AtomicContextKind> held, MethodContracts contracts, CancellationToken cancellationToken) =>
        node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Any(invocation =>
            model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method && contracts.Of(method).Enters.Any(held.Contains));

    private static bool ChangesContext(SemanticModel model, SyntaxNode node, MethodContracts contracts, CancellationToken cancellationToken) =>
        node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Any(invocation =>
            model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method && contracts.Of(method).ChangesContext);

    // Moving the statement before the region must not change what it reads, nor what the statements it moves
    // past (the region's entry included) read or write.
    private static bool Independent(SemanticModel model, StatementSyntax statement, List<StatementSyntax> between, SyntaxNode entry, CancellationToken cancellationToken)
    {
        var moved = model.AnalyzeDataFlow(statement);
        if (moved is null || !moved.Succeeded)
        {
            return false;
        }

        var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var skipped in between.Cast<SyntaxNode>().Append(entry))
        {
            var flow = skipped switch
            {
                StatementSyntax skippedStatement => model.AnalyzeDataFlow(skippedStatement),
                ExpressionSyntax expression => model.AnalyzeDataFlow(expression),
                _ => null,
            };
            if (flow is { Succeeded: true })
            {
                written.UnionWith(flow.WrittenInside);
                written.UnionWith(flow.VariablesDeclared);
                read.UnionWith(flow.ReadInside);
            }
            else if (skipped is VariableDeclarationSyntax usingDeclaration)
            {
                foreach (var variable in usingDeclaration.Variables)
                {
                    if (model.GetDeclaredSymbol(variable, cancellationToken) is { } symbol)
                    {
                        written.Add(symbol);
                    }

                    if (variable.Initializer is { } initializer && model.AnalyzeDataFlow(initializer.Value) is { Succeeded: true } initializerFlow)
                    {
                        written.UnionWith(initializerFlow.WrittenInside);
                        read.UnionWith(initializerFlow.ReadInside);
                    }
                    else if (variable.Initializer is not null)
                    {
                        return false;
                    }
                }
            }
            else
            {
                return false;
            }
        }

        return !moved.ReadInside.Any(written.Contains)
            && !moved.WrittenInside.Any(read.Contains) && !moved.WrittenInside.Any(written.Contains)
            && !moved.VariablesDeclared.Any(read.Contains);
    }

    private static CodeFixPlan? PlanEnableInterrupts(SemanticModel model, StatementSyntax statement, MethodContracts contracts, CancellationToken cancellationToken, out string title)
    {
        title = "";
        if (statement.Parent is not BlockSyntax || model.GetEnclosingSymbol(statement.SpanStart, cancellationToken) is not IMethodSymbol method)
        {
            return null;
        }

        var places = new[] { method.ContainingType }.Concat(method.Parameters.Select(p => p.Type).OfType<INamedTypeSymbol>());
        var scanner = new ContractMethods();
        foreach (var type in places.Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default))
        {
            var exits = scanner.Near(type, ContractAttributes.ExitsAtomicContext).FirstOrDefault(m => m.Parameters.IsEmpty && contracts.Of(m).Exits.Contains(AtomicContextKind.InterruptsDisabled));
            var enters = exits is null ? null : scanner.Near(type, ContractAttributes.EntersAtomicContext).FirstOrDefault(m =>
                m.Parameters.IsEmpty && contracts.Of(m).Enters.Contains(AtomicContextKind.InterruptsDisabled) && SymbolEqualityComparer.Default.Equals(m.ContainingType, exits.ContainingType));
            if (exits is null || enters is null)
            {
                continue;
            }

            ExpressionSyntax? receiver = exits.IsStatic ? null : ReceiverFinder.Find(model, statement.SpanStart, exits.ContainingType, Enumerable.Empty<ExpressionSyntax>());
            if (!exits.IsStatic && receiver is null)
            {
                continue;
            }

            title = $"Enable interrupts around the call ({exits.Name} … {enters.Name})";
            var before = Call(receiver, exits).WithLeadingTrivia(statement.GetLeadingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
            var after = Call(receiver, enters).WithAdditionalAnnotations(Formatter.Annotation);
            return new CodeFixPlan(ImmutableArray.Create<SyntaxNode>(statement), editor =>
            {
                editor.InsertBefore(statement, before);
                editor.InsertAfter(statement, after);
            });
        }

        return null;
    }

    private static StatementSyntax Call(ExpressionSyntax? receiver, IMethodSymbol method)
    {
        var qualifier = receiver?.WithoutTrivia() ?? SyntaxFactory.ParseTypeName(method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        var target = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, qualifier, SyntaxFactory.IdentifierName(method.Name));
        return SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(target)).WithAdditionalAnnotations(Simplifier.Annotation);
    }
}
