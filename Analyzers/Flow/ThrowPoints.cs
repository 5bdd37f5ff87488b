using System.Collections.Generic;
using FpuGuard.Analyzers.Contracts;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Flow;

/// <summary>
/// Which operations may throw, for every rule: where an exception may leave a block, and so which states a
/// <c>catch</c>, a filter or a <c>finally</c> of its try may start from. An operation may throw when something in
/// its tree runs code or can fail: a call (methods, constructors, accessors, user-defined operators and
/// conversions, event accessors, delegate invocations, the members patterns call), an allocation (object,
/// array, delegate, string and boxing), an access through a reference that may be null or an array index, an
/// integer division, checked arithmetic, a narrowing or unboxing conversion, an await, a dynamic operation, and
/// any operation kind this list does not know. Reading and writing locals and parameters, constants, branching
/// on them, comparing references and unchecked arithmetic cannot; nor can a call of a method that only returns a literal
/// (<c>static bool Always() =&gt; true;</c>). A call that only enters or leaves an atomic
/// context (an [EntersAtomicContext] or [ExitsAtomicContext] member) cannot fail either, as spin_lock and preempt_disable
/// cannot: an exception comes from the work between them, with the context held.
/// </summary>
internal static class ThrowPoints
{
    private static readonly MethodContracts Contracts = new();

    /// <summary>Whether evaluating the operation (with its children) may throw before it completes.</summary>
    public static bool MayThrow(IOperation root)
    {
        var pending = new Stack<IOperation>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if (ItselfMayThrow(operation))
            {
                return true;
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }

        return false;
    }

    private static bool ItselfMayThrow(IOperation operation) => operation switch
    {
        IInvocationOperation invocation => !EntersOrExits(Target(invocation)) && !ConditionAtoms.OnlyReturnsConstant(invocation),
        ILocalReferenceOperation or IParameterReferenceOperation or IInstanceReferenceOperation or ILiteralOperation
            or IDefaultValueOperation or ITypeOfOperation or ISizeOfOperation or INameOfOperation or IDiscardOperation
            or IFlowCaptureOperation or IFlowCaptureReferenceOperation or IIsNullOperation or ICaughtExceptionOperation
            or IExpressionStatementOperation or IReturnOperation or IParenthesizedOperation or IVariableDeclarationGroupOperation
            or IVariableDeclarationOperation or IVariableDeclaratorOperation or IVariableInitializerOperation
            or ISimpleAssignmentOperation or IDeconstructionAssignmentOperation or ITupleOperation or IArgumentOperation
            or IMethodReferenceOperation or IEventReferenceOperation or IIsTypeOperation or IDeclarationExpressionOperation
            or IEmptyOperation or ILocalFunctionOperation or IStaticLocalInitializationSemaphoreOperation
            or IConditionalAccessInstanceOperation or IConstantPatternOperation or IDeclarationPatternOperation
            or ITypePatternOperation or IDiscardPatternOperation or INegatedPatternOperation or IBinaryPatternOperation
            or IRelationalPatternOperation or IIsPatternOperation or IPatternCaseClauseOperation or IPropertySubpatternOperation => false,
        IFieldReferenceOperation field => MayBeNull(field.Instance),
        IPropertyReferenceOperation or IEventAssignmentOperation or IObjectCreationOperation or IArrayCreationOperation
            or IAnonymousObjectCreationOperation or IDelegateCreationOperation or IFlowAnonymousFunctionOperation
            or IAnonymousFunctionOperation or IInterpolatedStringOperation or IArrayElementReferenceOperation
            or IAwaitOperation or IThrowOperation => true,
        IBinaryOperation binary => binary.OperatorMethod is not null || binary.IsChecked
            || binary.OperatorKind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder or BinaryOperatorKind.IntegerDivide
            || binary.Type?.SpecialType == SpecialType.System_String,
        IUnaryOperation unary => unary.OperatorMethod is not null || unary.IsChecked,
        IIncrementOrDecrementOperation increment => increment.OperatorMethod is not null || increment.IsChecked,
        ICompoundAssignmentOperation compound => compound.OperatorMethod is not null || compound.InConversion.MethodSymbol is not null
            || compound.OutConversion.MethodSymbol is not null || compound.IsChecked
            || compound.OperatorKind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder or BinaryOperatorKind.IntegerDivide
            || compound.Type?.SpecialType == SpecialType.System_String,
        IConversionOperation conversion => conversion.OperatorMethod is not null || conversion.IsTryCast is false && ConversionMayFail(conversion),
        IRecursivePatternOperation pattern => pattern.DeconstructSymbol is not null, // A null input fails the pattern; it does not throw.
        _ => true,
    };

    private static bool EntersOrExits(IMethodSymbol method) => Contracts.Of(method) is { } contract && contract.Enters.Length + contract.Exits.Length > 0;

    private static IMethodSymbol Target(IInvocationOperation invocation)
    {
        var instance = invocation.Instance;
        while (instance is IConversionOperation { OperatorMethod: null } conversion)
        {
            instance = conversion.Operand;
        }

        return MethodContracts.Called(invocation.TargetMethod, instance?.Type);
    }

    // Identity, implicit numeric and reference conversions cannot fail; boxing allocates, and a narrowing,
    // explicit reference or unboxing conversion checks its operand.
    private static bool ConversionMayFail(IConversionOperation conversion)
    {
        var kind = conversion.GetConversion();
        if (kind.IsBoxing || kind.IsUnboxing || conversion.IsChecked)
        {
            return true;
        }

        return !kind.IsImplicit && !kind.IsIdentity && !kind.IsNumeric && !kind.IsEnumeration;
    }

    // An instance member read through `this` or a value-type receiver cannot fault; through a reference it may be null.
    private static bool MayBeNull(IOperation? instance) => instance switch
    {
        null or IInstanceReferenceOperation => false,
        _ => instance.Type is not { IsValueType: true },
    };
}
