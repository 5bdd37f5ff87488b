using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>The operation blocks of a method that have a control-flow graph, one per executable root.</summary>
internal static class FlowRoots
{
    public static IEnumerable<IOperation> Of(ImmutableArray<IOperation> blocks)
    {
        var roots = new HashSet<IOperation>();
        foreach (var block in blocks)
        {
            var root = block;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            if (block.Kind is OperationKind.MethodBody or OperationKind.ConstructorBody or OperationKind.Block
                or OperationKind.FieldInitializer or OperationKind.PropertyInitializer
                && roots.Add(root))
            {
                yield return block;
            }
        }
    }
}
