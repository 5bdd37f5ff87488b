using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Flow;

/// <summary>
/// The executable roots of a code block (a member's declaration), each with a control-flow graph: a method,
/// accessor, operator or constructor body, an expression-bodied property's getter, a field or property
/// initializer. The rules register code-block actions, not operation-block actions, so that the driver does not
/// bind and build operation trees for every method of the compilation: a rule asks for a block's operations
/// only after its syntax showed the block may concern it. A parameter's default value is not a root (it is a
/// constant).
/// </summary>
internal static class FlowRoots
{
    public static ImmutableArray<IOperation> Of(SyntaxNode codeBlock, ISymbol owner, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (codeBlock)
        {
            // A field's code block is its whole declaration, for each of its variables: take only this one's.
            case BaseFieldDeclarationSyntax field:
                return field.Declaration.Variables
                    .Where(v => v.Initializer is not null && v.Identifier.ValueText == owner.Name)
                    .Select(v => model.GetOperation(v.Initializer!, cancellationToken))
                    .Where(IsRoot)
                    .ToImmutableArray()!;
            case PropertyDeclarationSyntax property:
                return property.Initializer is { } propertyInitializer
                    ? Single(model.GetOperation(propertyInitializer, cancellationToken))
                    : ImmutableArray<IOperation>.Empty;
            default:
                return Single(model.GetOperation(codeBlock, cancellationToken));
        }
    }

    /// <summary>The root's control-flow graph (the root is one <see cref="Of"/> returned).</summary>
    public static ControlFlowGraph Graph(IOperation root, CancellationToken cancellationToken) => root switch
    {
        IMethodBodyOperation method => ControlFlowGraph.Create(method, cancellationToken),
        IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor, cancellationToken),
        IBlockOperation block => ControlFlowGraph.Create(block, cancellationToken),
        IFieldInitializerOperation field => ControlFlowGraph.Create(field, cancellationToken),
        IPropertyInitializerOperation property => ControlFlowGraph.Create(property, cancellationToken),
        _ => throw new System.ArgumentException($"a {root.Kind} operation has no control-flow graph", nameof(root)),
    };

    private static ImmutableArray<IOperation> Single(IOperation? operation) =>
        IsRoot(operation) ? ImmutableArray.Create(operation!) : ImmutableArray<IOperation>.Empty;

    private static bool IsRoot(IOperation? operation) =>
        operation is { Parent: null, Kind: OperationKind.MethodBody or OperationKind.ConstructorBody or OperationKind.Block
            or OperationKind.FieldInitializer or OperationKind.PropertyInitializer };
}
