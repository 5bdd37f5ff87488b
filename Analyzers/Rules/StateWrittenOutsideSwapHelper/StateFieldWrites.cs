using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper;

/// <summary>Which member references write the member, and where writing FPU state fields is allowed.</summary>
internal static class StateFieldWrites
{
    /// <summary>
    /// The expressions a node writes, each stripped of parentheses: an assignment's target (simple, compound,
    /// ??=, each element of a deconstruction or tuple target), the operand of ++/--, a ref argument to a ref
    /// parameter or an out argument (Interlocked.* included), a value bound to a writable ref local. Read from
    /// syntax, with the semantic model only to tell a ref parameter from a ref readonly one and a ref local from
    /// a ref readonly one: no operation tree is built.
    /// </summary>
    public static IEnumerable<ExpressionSyntax> Targets(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        var targets = node switch
        {
            AssignmentExpressionSyntax { RawKind: not (int)SyntaxKind.SimpleAssignmentExpression and not (int)SyntaxKind.CoalesceAssignmentExpression } compound
                when ChangesReferencedObject(compound, compound.Left, model, cancellationToken) => Enumerable.Empty<ExpressionSyntax>(),
            AssignmentExpressionSyntax assignment => Elements(assignment.Left),
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix
                => ChangesReferencedObject(prefix, prefix.Operand, model, cancellationToken) ? Enumerable.Empty<ExpressionSyntax>() : Elements(prefix.Operand),
            PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix
                => ChangesReferencedObject(postfix, postfix.Operand, model, cancellationToken) ? Enumerable.Empty<ExpressionSyntax>() : Elements(postfix.Operand),
            ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.OutKeyword } argument => Elements(argument.Expression),
            ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword } argument when ParameterRefKind(argument, model, cancellationToken) == RefKind.Ref => Elements(argument.Expression),
            ArgumentSyntax argument when IsUnsafeAsRef(argument, model, cancellationToken) => Elements(argument.Expression),
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation when WritesReceiver(invocation, model, cancellationToken) => new[] { access.Expression },
            RefExpressionSyntax { Expression: not ConditionalExpressionSyntax } reference when IsWritableReference(reference, model, cancellationToken) => Elements(reference.Expression),
            _ => Enumerable.Empty<ExpressionSyntax>(),
        };
        return targets.SelectMany(target => WithStructOwners(target, model, cancellationToken));
    }

    // C# 14's instance compound-assignment and increment operators (void operator +=(...), void operator ++())
    // change the object they are called on. On a reference type that is the object the member refers to, and the
    // member keeps the same reference: like a write of the buffer's contents (fpu.State.Bytes[0] = 0), not a write
    // of the member. On a struct the operator gets the member itself by reference and writes it. Where the
    // compiler picked a static operator (or a built-in one) the result is assigned back: a write.
    private static bool ChangesReferencedObject(ExpressionSyntax operation, ExpressionSyntax target, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(operation, cancellationToken).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator, IsStatic: false }
        && model.GetTypeInfo(target, cancellationToken).Type is { IsReferenceType: true };

    // A call that takes its receiver by writable reference: an extension method with a 'this ref' parameter, or a
    // method of a struct that is not readonly, called on the value itself (f.Header.Reset()).
    private static bool WritesReceiver(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method
        && (method.ReducedFrom is { } extension
            ? extension.Parameters.FirstOrDefault()?.RefKind == RefKind.Ref
            : !method.IsStatic && !method.IsReadOnly && method.ContainingType is { IsValueType: true, IsReadOnly: false });

    /// <summary>The name of <c>System.Runtime.CompilerServices.Unsafe.AsRef</c>, which makes a writable reference of a readonly one.</summary>
    public const string UnsafeAsRef = "AsRef";

    private static bool IsUnsafeAsRef(ArgumentSyntax argument, SemanticModel model, CancellationToken cancellationToken) =>
        argument.Parent?.Parent is InvocationExpressionSyntax invocation && BlockSyntaxFacts.CalledName(invocation) == UnsafeAsRef
        && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { ContainingType: { Name: "Unsafe", ContainingNamespace: var ns } }
        && ns.ToDisplayString() == "System.Runtime.CompilerServices";

    // A reference is writable when it binds a ref local (ref, not ref readonly), is ref-assigned to a writable ref
    // local, field or parameter, is returned by ref from a method that returns a writable reference, or is the
    // target of an assignment, ++/-- or a ref argument (through a ref conditional, ref (c ? ref a : ref b)).
    private static bool IsWritableReference(RefExpressionSyntax reference, SemanticModel model, CancellationToken cancellationToken)
    {
        SyntaxNode outermost = reference;
        while (outermost.Parent is ParenthesizedExpressionSyntax or RefExpressionSyntax
            || (outermost.Parent is ConditionalExpressionSyntax choice && choice.Condition != outermost))
        {
            outermost = outermost.Parent;
        }

        switch (outermost.Parent)
        {
            case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }:
                return model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol { RefKind: RefKind.Ref };
            case AssignmentExpressionSyntax assignment when assignment.Right == outermost:
                return model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is ILocalSymbol { RefKind: RefKind.Ref } or IFieldSymbol { RefKind: RefKind.Ref } or IParameterSymbol { RefKind: RefKind.Ref or RefKind.Out };
            case AssignmentExpressionSyntax assignment when assignment.Left == outermost:
                return true;
            case PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax:
                return true;
            case ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword }:
                return true;
            case ReturnStatementSyntax or ArrowExpressionClauseSyntax or LambdaExpressionSyntax:
                return model.GetEnclosingSymbol(outermost.SpanStart, cancellationToken) is IMethodSymbol { RefKind: RefKind.Ref };
            default:
                return false;
        }
    }

    /// <summary>
    /// The names of the state members this compilation declares whose type is an inline array or a struct that
    /// holds one (in a field, at any depth): only through those can a writable <c>Span&lt;T&gt;</c> view of a
    /// state field be made without a <c>ref</c> in sight. Usually none, and then no view is looked for.
    /// </summary>
    public static ImmutableHashSet<string> NamesHoldingInlineArrays(Compilation compilation, System.Func<string, bool> isStateName, CancellationToken cancellationToken)
    {
        var names = ImmutableHashSet.CreateBuilder<string>(System.StringComparer.Ordinal);
        foreach (var member in compilation.GetSymbolsWithName(isStateName, SymbolFilter.Member, cancellationToken))
        {
            var type = member switch
            {
                IFieldSymbol field => field.Type,
                IPropertySymbol property => property.Type,
                _ => null,
            };
            if (type is not null && IsStateMember(member) && HoldsInlineArray(type))
            {
                names.Add(member.Name);
            }
        }

        return names.ToImmutable();
    }

    // A work list over the struct's instance fields, each type once: structs nest without a bound in source
    // (a cycle is a compile error, but the analyzer still sees it), so no recursion and a cap on the types read.
    private static bool HoldsInlineArray(ITypeSymbol type)
    {
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<ITypeSymbol>();
        pending.Push(type);
        while (pending.Count > 0 && seen.Count < MaxStructsRead)
        {
            var next = pending.Pop();
            if (next.TypeKind != TypeKind.Struct || next.SpecialType != SpecialType.None || !seen.Add(next))
            {
                continue;
            }

            if (IsInlineArray(next))
            {
                return true;
            }

            foreach (var field in next.GetMembers().OfType<IFieldSymbol>())
            {
                if (!field.IsStatic)
                {
                    pending.Push(field.Type);
                }
            }
        }

        return pending.Count > 0; // Cut short: counted as holding one, so a view is still looked for.
    }

    private const int MaxStructsRead = 256;

    private static bool IsInlineArray(ITypeSymbol? type) =>
        type is { TypeKind: TypeKind.Struct }
        && type.GetAttributes().Any(a => a.AttributeClass is { Name: "InlineArrayAttribute", ContainingNamespace: var ns } && ns.ToDisplayString() == "System.Runtime.CompilerServices");

    private static bool IsSpan(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "Span", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>
    /// The expressions a writable view writes, for a name of a member that holds an inline array: the whole
    /// access it ends (<c>fpu.Registers</c>, <c>fpu.Header.Registers</c>) when that inline array becomes a
    /// <c>Span&lt;T&gt;</c> (implicitly, by a cast or by a range, <c>fpu.Registers[1..]</c>) or is walked by a
    /// <c>foreach (ref var e in ...)</c>. Code holding the span writes the array through it, later and anywhere:
    /// as for a ref local, the view is the write, reported where it is made. A <c>ReadOnlySpan&lt;T&gt;</c> is a read.
    /// </summary>
    public static IEnumerable<ExpressionSyntax> ViewTargets(SimpleNameSyntax name, SemanticModel model, CancellationToken cancellationToken)
    {
        ExpressionSyntax top = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
        while (top.Parent is MemberAccessExpressionSyntax outer && outer.Expression == top)
        {
            top = outer;
        }

        var use = top;
        while (use.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            use = parenthesized;
        }

        var info = model.GetTypeInfo(top, cancellationToken);
        if (!IsInlineArray(info.Type))
        {
            return Enumerable.Empty<ExpressionSyntax>();
        }

        var view = IsSpan(model.GetTypeInfo(use, cancellationToken).ConvertedType) || use.Parent switch
        {
            // The span as it is used: one made only to be read (ReadOnlySpan<ulong> r = fpu.Registers[1..]) is a read.
            CastExpressionSyntax cast => IsSpan(model.GetTypeInfo(cast, cancellationToken).ConvertedType),
            ElementAccessExpressionSyntax element when element.Expression == use => IsSpan(model.GetTypeInfo(element, cancellationToken).ConvertedType),
            ForEachStatementSyntax { Type: RefTypeSyntax reference } loop when loop.Expression == use => !reference.ReadOnlyKeyword.IsKind(SyntaxKind.ReadOnlyKeyword),
            _ => false,
        };
        return view ? WithStructOwners(top, model, cancellationToken) : Enumerable.Empty<ExpressionSyntax>();
    }

    // Writing a field or an element of a value held by value writes that value too: f.Header.XComp = 0 writes
    // f.Header when Header is a struct, f.Registers[0] = 1 writes f.Registers when it is an inline array.
    private static IEnumerable<ExpressionSyntax> WithStructOwners(ExpressionSyntax target, SemanticModel model, CancellationToken cancellationToken)
    {
        yield return target;
        while (Receiver(target) is { } receiver && model.GetTypeInfo(receiver, cancellationToken).Type is { IsValueType: true, TypeKind: not TypeKind.TypeParameter })
        {
            yield return receiver;
            target = receiver;
        }
    }

    private static ExpressionSyntax? Receiver(ExpressionSyntax target)
    {
        var receiver = target switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            ElementAccessExpressionSyntax element => element.Expression,
            _ => null,
        };
        while (receiver is ParenthesizedExpressionSyntax parenthesized)
        {
            receiver = parenthesized.Expression;
        }

        return receiver;
    }

    // A tuple target writes each of its elements (nested ones too); a declaration (var (a, b) = ...) writes new
    // locals only. A work stack, not recursion: tuples nest as deep as the parser allows.
    private static IEnumerable<ExpressionSyntax> Elements(ExpressionSyntax target)
    {
        var pending = new Stack<ExpressionSyntax>();
        pending.Push(target);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            while (next is ParenthesizedExpressionSyntax parenthesized)
            {
                next = parenthesized.Expression;
            }

            switch (next)
            {
                case TupleExpressionSyntax tuple:
                    for (var i = tuple.Arguments.Count - 1; i >= 0; i--)
                    {
                        pending.Push(tuple.Arguments[i].Expression);
                    }

                    break;
                case DeclarationExpressionSyntax:
                    break;
                default:
                    yield return next;
                    break;
            }
        }
    }

    // A local function named anywhere in its scope other than as the callee of a call is made a delegate there.
    private static bool IsHandedOut(IMethodSymbol localFunction)
    {
        if (localFunction.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not LocalFunctionStatementSyntax { Parent: { } scope })
        {
            return false;
        }

        var name = localFunction.Name;
        return scope.DescendantNodes().OfType<IdentifierNameSyntax>().Any(use => use.Identifier.ValueText == name
            && !(use.Parent is InvocationExpressionSyntax call && call.Expression == use));
    }

    private static bool IsInvokedWhereCreated(IMethodSymbol lambda)
    {
        if (lambda.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not SyntaxNode syntax)
        {
            return false;
        }

        var use = syntax;
        while (use.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            use = use.Parent;
        }

        switch (use.Parent)
        {
            case InvocationExpressionSyntax invocation when invocation.Expression == use:
                return true;
            case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: LocalDeclarationStatementSyntax { Parent: { } scope } } declarator }:
                var name = declarator.Identifier.ValueText;
                return scope.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(call => call.Expression switch
                {
                    IdentifierNameSyntax called => called.Identifier.ValueText == name,
                    MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Invoke", Expression: IdentifierNameSyntax target } => target.Identifier.ValueText == name,
                    MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Invoke" } => call.Parent is ConditionalAccessExpressionSyntax { Expression: IdentifierNameSyntax target } && target.Identifier.ValueText == name,
                    _ => false,
                });
            default:
                return false;
        }
    }

    // The parameter a ref argument is passed to: by its name when it has one, else by its position.
    private static RefKind? ParameterRefKind(ArgumentSyntax argument, SemanticModel model, CancellationToken cancellationToken)
    {
        if (argument.Parent is not BaseArgumentListSyntax list || list.Parent is not { } call
            || model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        if (argument.NameColon is { } name)
        {
            return method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText)?.RefKind;
        }

        var position = list.Arguments.IndexOf(argument);
        return position < method.Parameters.Length ? method.Parameters[position].RefKind : null;
    }

    /// <summary>
    /// Whether the member is an FPU state field: it carries [FpuStateField] (on either part of a partial property,
    /// whose attributes the compiler merges), or it is a property whose backing field carries it
    /// (<c>[field: FpuStateField]</c>): the property is the only way to that field from outside its accessors.
    /// </summary>
    public static bool IsStateMember(ISymbol member)
    {
        member = member.OriginalDefinition;
        if (member is not (IFieldSymbol or IPropertySymbol))
        {
            return false;
        }

        if (ContractAttributes.Has(member, ContractAttributes.FpuStateField))
        {
            return true;
        }

        return member is IPropertySymbol property && BackingFieldOf(property) is { } backing
            && ContractAttributes.Has(backing, ContractAttributes.FpuStateField);
    }

    /// <summary>
    /// The property whose own backing store a field is: an auto-property's, or the one C# 14's <c>field</c> names
    /// in the property's accessors. Writing it there is the property being set, part of the property: the write of
    /// the state property is where the setter is called, and that is where it is reported.
    /// </summary>
    public static IPropertySymbol? PropertyBackedBy(ISymbol member) => member is IFieldSymbol { AssociatedSymbol: IPropertySymbol property } ? property : null;

    private static IFieldSymbol? BackingFieldOf(IPropertySymbol property)
    {
        foreach (var candidate in property.ContainingType?.GetMembers() ?? ImmutableArray<ISymbol>.Empty)
        {
            if (candidate is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether code in <paramref name="containingSymbol"/> may write <paramref name="member"/>: inside a swap
    /// helper, or a constructor or initializer of the member's own type (an object or with initializer there too).
    /// A local function the method only calls counts as part of it, and so does a lambda it invokes itself (called
    /// where it is written, or kept in a local that the method calls); one it stores or passes on does not.
    /// </summary>
    public static bool IsAllowedWriter(ISymbol? containingSymbol, ISymbol member, ExpressionSyntax target)
    {
        // An object or with initializer in the member's own type sets up a new object, as its constructor does.
        if (target.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax { RawKind: (int)SyntaxKind.ObjectInitializerExpression or (int)SyntaxKind.WithInitializerExpression } } assignment
            && assignment.Left == target
            && SymbolEqualityComparer.Default.Equals(containingSymbol?.ContainingType?.OriginalDefinition, member.ContainingType?.OriginalDefinition))
        {
            return true;
        }

        var symbol = containingSymbol;
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function)
        {
            if (function.MethodKind == MethodKind.AnonymousFunction ? !IsInvokedWhereCreated(function) : IsHandedOut(function))
            {
                return false; // Stored or handed elsewhere, it runs outside the method that made it.
            }

            symbol = symbol.ContainingSymbol;
        }

        var declaringType = member.ContainingType?.OriginalDefinition;
        switch (symbol)
        {
            case IMethodSymbol method when ContractAttributes.Has(method, ContractAttributes.FpuStateSwapHelper):
                return true;
            case IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor:
                return SymbolEqualityComparer.Default.Equals(constructor.ContainingType.OriginalDefinition, declaringType);
            case IFieldSymbol or IPropertySymbol:
                return SymbolEqualityComparer.Default.Equals(symbol.ContainingType?.OriginalDefinition, declaringType);
            default:
                return false;
        }
    }
}
