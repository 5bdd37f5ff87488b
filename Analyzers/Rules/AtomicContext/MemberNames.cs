using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// How FPU0001 and FPU0004 name a method in their messages: as C# spells it, not by its metadata name (a getter is
/// <c>P.get</c>, not <c>get_P</c>; a lambda has no name at all, so it is named by where it is written).
/// </summary>
internal static class MemberNames
{
    public static string Of(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.AnonymousFunction => "lambda at line " + Line(method),
        MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove or MethodKind.EventRaise
            when method.AssociatedSymbol is { } owner => $"{OwnerName(owner)}.{Accessor(method)}",
        MethodKind.Constructor or MethodKind.StaticConstructor => $"{method.ContainingType.Name}.{method.ContainingType.Name}",
        MethodKind.Destructor => $"~{method.ContainingType.Name}",
        MethodKind.Conversion => $"{(method.Name == WellKnownMemberNames.ExplicitConversionName ? "explicit" : "implicit")} operator {method.ReturnType.Name}",
        MethodKind.UserDefinedOperator when SyntaxFacts.GetOperatorKind(method.Name) is var kind && kind != SyntaxKind.None => "operator " + SyntaxFacts.GetText(kind),
        _ => method.Name,
    };

    private static string OwnerName(ISymbol owner) => owner is IPropertySymbol { IsIndexer: true } ? "this[]" : owner.Name;

    private static string Accessor(IMethodSymbol accessor) => accessor.MethodKind switch
    {
        MethodKind.PropertyGet => "get",
        MethodKind.PropertySet => accessor.IsInitOnly ? "init" : "set",
        MethodKind.EventAdd => "add",
        MethodKind.EventRemove => "remove",
        _ => "raise",
    };

    private static int Line(IMethodSymbol method) =>
        (method.Locations.FirstOrDefault(l => l.IsInSource)?.GetLineSpan().StartLinePosition.Line ?? -1) + 1;
}
