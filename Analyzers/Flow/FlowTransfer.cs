using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace FpuGuard.Analyzers.Flow;

/// <summary>
/// A rule's domain and transfer for the <see cref="DataFlowAnalysis{TState}"/> engine: how states join where
/// paths meet, what one operation does to a state, and what a branch learns from its condition. The engine
/// walks the control-flow graph, the exception regions and each block's operations (children before their
/// parent, in evaluation order); the transfer only answers for one operation at a time.
/// </summary>
internal abstract class FlowTransfer<TState>
{
    /// <summary>True in the engine's last pass, run once over every reachable block with its settled state: the
    /// time to report. Before that the engine may visit a block many times.</summary>
    public bool Reporting { get; internal set; }

    /// <summary>The graph whose blocks are being visited (a lambda's or local function's graph is its own).</summary>
    public ControlFlowGraph Graph { get; internal set; } = null!;

    /// <summary>The state where two paths meet.</summary>
    public abstract TState Join(TState a, TState b);

    /// <summary>Whether two states are the same for the analysis (the fixpoint test).</summary>
    public abstract bool Same(TState a, TState b);

    /// <summary>What one operation does to the state; its children have been visited already.</summary>
    public abstract TState Visit(IOperation operation, TState state);

    /// <summary>
    /// Whether the operation's children are visited (false for an operation whose children the transfer visits
    /// itself, or that are not run there).
    /// </summary>
    public virtual bool VisitChildren(IOperation operation) => true;

    /// <summary>
    /// The state on one way out of a block: <paramref name="conditionHolds"/> is the value the block's condition
    /// has on this way (null for a block with no condition). False when the way cannot be taken.
    /// </summary>
    public virtual bool Follow(BasicBlock block, bool? conditionHolds, ref TState state) => true;

    /// <summary>Called in the reporting pass with the state reaching the graph's exit (a normal return).</summary>
    public virtual void AtExit(TState state)
    {
    }
}
