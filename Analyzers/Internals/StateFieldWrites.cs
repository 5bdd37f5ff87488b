using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>Which member references write the member, and where writing FPU state fields is allowed.</summary>
internal static class StateFieldWrites
{
    /// <summary>
    /// Whether the reference is written: an assignment target (simple, compound, ??=, deconstruction or
    /// tuple element), ++/--, a ref or out argument (Interlocked.* included), or bound to a writable ref local.
    /// </summary>
    public static bool IsWrite(IOperation reference)
    {
        var current = reference;
        var parent = reference.Parent;
        while (parent is ITupleOperation)
        {
            current = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case IAssignmentOperation assignment:
                return assignment.Target == current;
            case IIncrementOrDecrementOperation increment:
                return increment.Target == current;
            case IArgumentOperation argument:
                return argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out;
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return declarator.Symbol.RefKind == RefKind.Ref;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether code in <paramref name="containingSymbol"/> may write <paramref name="member"/>: inside a swap
    /// helper, or a constructor or initializer of the member's own type (lambdas and local functions count as
    /// part of the method that contains them).
    /// </summary>
    public static bool IsAllowedWriter(ISymbol? containingSymbol, ISymbol member)
    {
        var symbol = containingSymbol;
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
        {
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
