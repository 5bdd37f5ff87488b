using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

/// <summary>
/// Independent review of FPU0001/FPU0004, written from docs/rules/FPU0001.md and FPU0004.md only: ordinary code
/// around the kernel API combining constructs (exceptions, jumps, loops, delegates, members, patterns).
/// Each case: the members of class D (the method under test is M), and optional extra types.
/// </summary>
public class AtomicContextReviewTests
{
    private static string Src(string members, string types = "") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using FpuGuard.Runtime;

        partial class D
        {
            readonly Kernel k;
            public D(Kernel k) { this.k = k; }
            [MaySleep] public static void Nap() { }
            [MaySleep] public static int NapValue() => 0;
            [MaySleep] public static bool NapCheck() => true;
            [MaySleep] public static string NapString() => "";
            public static void Work() { }
            static int s_cell;
            [MaySleep] public static ref int RefNap() => ref s_cell;
        {{members}}
        }
        {{types}}
        """;

    private static Task Verify(string members, string types = "") => VerifyCS.VerifyAnalyzerAsync(Src(members, types));

    // ------------------------------------------------------------------ try / catch / finally
    [Theory]
    [InlineData("catch releases and rethrows; sleep in try is under the lock",
        "void M() { k.FpregsLock(); try { {|FPU0001:Nap()|}; } catch { k.FpregsUnlock(); throw; } k.FpregsUnlock(); }")]
    [InlineData("catch swallows with the lock maybe held: sleep in catch, and M returns held",
        "void {|FPU0004:M|}() { try { k.FpregsLock(); Work(); k.FpregsUnlock(); } catch { {|FPU0001:Nap()|}; } }")]
    [InlineData("exception filter runs with the state at the throw, inside the region",
        "void M() { k.FpregsLock(); try { Work(); } catch (Exception) when ({|FPU0001:NapCheck()|}) { } finally { k.FpregsUnlock(); } }")]
    [InlineData("filter runs before the nested finally that unlocks",
        "void M() { try { k.FpregsLock(); try { Work(); } finally { k.FpregsUnlock(); } } catch (Exception) when ({|FPU0001:NapCheck()|}) { } }")]
    [InlineData("sleep in a finally before its unlock",
        "void M() { k.FpregsLock(); try { Work(); } finally { {|FPU0001:Nap()|}; k.FpregsUnlock(); } }")]
    [InlineData("sleep in a catch nested in a using scope",
        "void M() { using (k.LockFpregs()) { try { Work(); } catch { {|FPU0001:Nap()|}; } } }")]
    [InlineData("nested try: early return skips the sleep, the outer finally unlocks",
        "void M(bool flag) { k.FpregsLock(); try { try { if (flag) return; {|FPU0001:Nap()|}; } finally { Work(); } } finally { k.FpregsUnlock(); } }")]
    [InlineData("return value computed by a sleep inside a using scope",
        "int M() { using (k.LockFpregs()) { return {|FPU0001:NapValue()|}; } }")]
    [InlineData("flag idiom: the sleep inside the try is under the lock",
        "void M() { bool locked = false; try { k.FpregsLock(); locked = true; {|FPU0001:Nap()|}; } finally { if (locked) k.FpregsUnlock(); } }")]
    [InlineData("lock statement around a register-lock region",
        "readonly object gate = new object(); void M() { lock (gate) { k.FpregsLock(); {|FPU0001:Nap()|}; k.FpregsUnlock(); } }")]
    public Task FPU0001_with_exception_handling(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("catch rethrows; sleep after the try is outside",
        "void M() { try { k.FpregsLock(); Work(); k.FpregsUnlock(); } catch { throw; } Nap(); }")]
    [InlineData("flag idiom in a catch: unlock if locked, then sleep",
        "void M() { bool locked = false; try { k.FpregsLock(); locked = true; Work(); k.FpregsUnlock(); locked = false; } catch { if (locked) k.FpregsUnlock(); Nap(); } }")]
    [InlineData("filter: lock and unlock cannot throw, the throwing call is outside",
        "void M() { try { k.FpregsLock(); k.FpregsUnlock(); Work(); } catch (Exception) when (NapCheck()) { } }")]
    [InlineData("return inside try, finally unlocks, sleep after",
        "void M(bool flag) { k.FpregsLock(); try { if (flag) return; Work(); } finally { k.FpregsUnlock(); } Nap(); }")]
    [InlineData("unlock then sleep in finally",
        "void M() { k.FpregsLock(); try { Work(); } finally { k.FpregsUnlock(); Nap(); } }")]
    [InlineData("flag idiom: sleep after the finally",
        "void M() { bool locked = false; try { k.FpregsLock(); locked = true; Work(); } finally { if (locked) k.FpregsUnlock(); } Nap(); }")]
    [InlineData("throw in region, catch always holds the lock and unlocks",
        "void M(bool flag) { try { k.FpregsLock(); if (flag) throw new InvalidOperationException(); k.FpregsUnlock(); } catch (InvalidOperationException) { k.FpregsUnlock(); } Nap(); }")]
    [InlineData("Monitor lock statement is no atomic context",
        "readonly object gate = new object(); void M() { lock (gate) { Nap(); } }")]
    [InlineData("filter that sleeps outside every region",
        "void M() { try { Work(); } catch (Exception) when (NapCheck()) { Nap(); } }")]
    public Task Silent_with_exception_handling(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("return inside try whose finally does not unlock",
        "void {|FPU0004:M|}(bool flag) { k.FpregsLock(); try { if (flag) return; } finally { Work(); } k.FpregsUnlock(); }")]
    [InlineData("catch swallows a thrown exception while held",
        "void {|FPU0004:M|}(bool flag) { try { k.FpregsLock(); if (flag) throw new InvalidOperationException(); k.FpregsUnlock(); } catch (InvalidOperationException) { } }")]
    [InlineData("unlock in a catch where nothing was taken",
        "void M() { try { Work(); } catch { {|FPU0004:k.FpregsUnlock()|}; } }")]
    [InlineData("flag idiom inverted leaves the lock held",
        "void {|FPU0004:M|}() { bool locked = false; try { k.FpregsLock(); locked = true; Work(); } finally { if (!locked) k.FpregsUnlock(); } }")]
    [InlineData("early return from a using-declaration scope is balanced, but the plain lock before it is not",
        "void {|FPU0004:M|}(bool flag) { k.PreemptDisable(); using var g = k.LockFpregs(); if (flag) return; k.PreemptEnable(); }")]
    public Task FPU0004_with_exception_handling(string name, string members) { _ = name; return Verify(members); }

    // ------------------------------------------------------------------ goto / switch / loops
    [Theory]
    [InlineData("goto over the sleep still reaches it on the other path",
        "void M(bool flag) { k.FpregsLock(); if (flag) goto done; {|FPU0001:Nap()|}; done: k.FpregsUnlock(); }")]
    [InlineData("switch statement arm sleeps under a using scope",
        "void M(int n) { using (k.LockFpregs()) { switch (n) { case 0: Work(); break; case 1: {|FPU0001:Nap()|}; break; } } }")]
    [InlineData("switch expression arm sleeps in a region",
        "void M(int n) { using (k.LockFpregs()) { _ = n switch { 0 => 1, _ => {|FPU0001:NapValue()|} }; } }")]
    [InlineData("continue skips the unlock, the sleep after the loop may be held",
        "void {|FPU0004:M|}(int n) { while (n-- > 0) { k.FpregsLock(); if (n > 3) continue; k.FpregsUnlock(); } {|FPU0001:Nap()|}; }")]
    [InlineData("break skips the unlock",
        "void {|FPU0004:M|}(int n) { for (var i = 0; i < n; i++) { k.FpregsLock(); if (i == 3) break; k.FpregsUnlock(); } {|FPU0001:Nap()|}; }")]
    [InlineData("do-while body sleeps with preemption disabled",
        "void M(int n) { do { k.PreemptDisable(); {|FPU0001:Nap()|}; k.PreemptEnable(); } while (n-- > 0); }")]
    [InlineData("foreach over a list: body sleeps under the lock",
        "void M(List<int> xs) { using (k.LockFpregs()) { foreach (var x in xs) {|FPU0001:Nap()|}; } }")]
    [InlineData("lock taken at the end of an iteration is held at the next iteration's sleep (and the loop count is unknown: both imbalances)",
        "void {|FPU0004:M|}(int n) { for (var i = 0; i < n; i++) { {|FPU0001:Nap()|}; k.PreemptDisable(); } {|FPU0004:k.PreemptEnable()|}; }")]
    public Task FPU0001_with_jumps_and_loops(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("goto back after unlocking",
        "void M(int n) { retry: k.FpregsLock(); if (n-- > 0) { k.FpregsUnlock(); Nap(); goto retry; } k.FpregsUnlock(); }")]
    [InlineData("every switch arm unlocks before sleeping",
        "void M(int n) { k.FpregsLock(); switch (n) { case 0: k.FpregsUnlock(); Nap(); break; default: k.FpregsUnlock(); break; } }")]
    [InlineData("break out of a using scope in a loop",
        "void M(int n) { for (var i = 0; i < n; i++) { using (k.LockFpregs()) { if (i == 3) break; Work(); } } Nap(); }")]
    [InlineData("continue out of a try/finally in a loop",
        "void M(int n) { while (n-- > 0) { k.FpregsLock(); try { if (n > 3) continue; Work(); } finally { k.FpregsUnlock(); } Nap(); } }")]
    [InlineData("switch expression arms not sleeping in the region",
        "void M(int n) { int v; using (k.LockFpregs()) { v = n switch { 0 => 1, _ => 2 }; } _ = v + NapValue(); }")]
    public Task Silent_with_jumps_and_loops(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("switch case that forgets the unlock",
        "void {|FPU0004:M|}(int n) { k.FpregsLock(); switch (n) { case 0: k.FpregsUnlock(); break; case 1: break; default: k.FpregsUnlock(); break; } }")]
    [InlineData("goto skipping the unlock",
        "void {|FPU0004:M|}(bool flag) { k.FpregsLock(); if (flag) goto end; k.FpregsUnlock(); end: ; }")]
    [InlineData("early return from a foreach holding preemption",
        "void {|FPU0004:M|}(List<int> xs) { k.PreemptDisable(); foreach (var x in xs) { if (x == 0) return; } k.PreemptEnable(); }")]
    [InlineData("unlock in a loop body, lock outside: the second iteration exits what it does not hold",
        "void {|FPU0004:M|}(int n) { k.FpregsLock(); while (n-- > 0) { {|FPU0004:k.FpregsUnlock()|}; } }")]
    public Task FPU0004_with_jumps_and_loops(string name, string members) { _ = name; return Verify(members); }

    // ------------------------------------------------------------------ using declarations, bool correlation
    [Theory]
    [InlineData("using declaration in an if block: held until the block ends",
        "void M(bool flag) { if (flag) { using var g = k.LockFpregs(); {|FPU0001:Nap()|}; } Nap(); }")]
    [InlineData("conditional expression sleeps in a region",
        "void M(bool flag) { using (k.LockFpregs()) { _ = flag ? 0 : {|FPU0001:NapValue()|}; } }")]
    [InlineData("?? right operand sleeps in a region",
        "string M(string s) { using (k.LockFpregs()) { return s ?? {|FPU0001:NapString()|}; } }")]
    [InlineData("??= right operand sleeps in a region",
        "string M(string s) { using (k.LockFpregs()) { s ??= {|FPU0001:NapString()|}; } return s; }")]
    [InlineData("tuple element sleeps in a region",
        "void M() { using (k.LockFpregs()) { var t = (1, {|FPU0001:NapValue()|}); _ = t; } }")]
    [InlineData("ref local from a sleeping ref-returning call",
        "void M() { using (k.LockFpregs()) { ref int r = ref {|FPU0001:RefNap()|}; r = 1; } }")]
    [InlineData("checked arithmetic over a sleeping call",
        "int M(int x) { using (k.LockFpregs()) { checked { return {|FPU0001:NapValue()|} + x; } } }")]
    [InlineData("interrupts disabled, sleep three calls deep",
        "void M() { k.LocalIrqDisable(); {|FPU0001:A()|}; k.LocalIrqEnable(); } void A() => B(); void B() => C(); void C() { if (s_cell > 0) Nap(); }")]
    [InlineData("recursion that sleeps at its base case",
        "void M() { using (k.LockFpregs()) { {|FPU0001:Rec(3)|}; } } static void Rec(int n) { if (n == 0) Nap(); else Rec(n - 1); }")]
    [InlineData("generic method whose body sleeps",
        "void M() { using (k.LockFpregs()) { {|FPU0001:G(1)|}; } } static T G<T>(T x) { Nap(); return x; }")]
    [InlineData("asserted context from an [AssertsAtomicContext] helper",
        "[AssertsAtomicContext(AtomicContextKind.FpuRegisterLock)] static void AssertHeld() { } [RequiresAtomicContext(AtomicContextKind.FpuRegisterLock)] void M() { AssertHeld(); {|FPU0001:Nap()|}; }")]
    [InlineData("own [EntersAtomicContext] helper wrapping the kernel lock",
        "[EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] void Take() => k.FpregsLock(); [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] void Give() => k.FpregsUnlock(); void M() { Take(); {|FPU0001:Nap()|}; Give(); }")]
    [InlineData("[RequiresAtomicContext] handler sleeps before re-enabling interrupts",
        "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)] void M() { {|FPU0001:Nap()|}; k.LocalIrqEnable(); Work(); k.LocalIrqDisable(); }")]
    public Task FPU0001_with_expressions(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("using declaration scope ends with its block",
        "void M(bool flag) { if (flag) { using var g = k.LockFpregs(); Work(); } Nap(); }")]
    [InlineData("conditional expression correlated with the bool parameter that took the lock",
        "void M(bool flag) { if (flag) k.FpregsLock(); _ = flag ? 0 : NapValue(); if (flag) k.FpregsUnlock(); }")]
    [InlineData("bool local decided once, lock and sleep on opposite branches",
        "void M(int n) { bool fast = n > 0; if (fast) k.PreemptDisable(); if (!fast) Nap(); if (fast) k.PreemptEnable(); }")]
    [InlineData("nameof, typeof and default call nothing",
        "void M() { using (k.LockFpregs()) { _ = nameof(Nap); _ = typeof(D); _ = default(int); _ = nameof(NapValue); } }")]
    [InlineData("[DoesNotSleep] cuts inference",
        "[DoesNotSleep] static void Safe(bool f) { if (f) Nap(); } void M(bool flag) { using (k.LockFpregs()) { Safe(flag); } }")]
    [InlineData("handler leaves interrupts around the allocation",
        "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)] void M() { k.LocalIrqEnable(); Nap(); k.LocalIrqDisable(); }")]
    [InlineData("a deep callee that sleeps only inside its own region is reported there, not at the call",
        "void M() { k.LocalIrqDisable(); A(); k.LocalIrqEnable(); } void A() => B(); void B() { k.PreemptEnable(); {|FPU0001:Nap()|}; k.PreemptDisable(); }",
        true)]
    public Task Silent_with_expressions(string name, string members, bool ownRegion = false)
    {
        _ = name;
        // the ownRegion case: B leaves and re-enters preemption: it is [RequiresAtomicContext] below.
        if (ownRegion) members = members.Replace("void B()", "[RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)] void B()").Replace("{|FPU0001:Nap()|}", "Nap()").Replace("void M() { k.LocalIrqDisable(); A(); k.LocalIrqEnable(); }", "void M() { A(); }").Replace("void A() => B();", "void A() { k.PreemptDisable(); B(); k.PreemptEnable(); }");
        return Verify(members);
    }

    [Theory]
    [InlineData("bool correlation broken by a second, different test",
        "void {|FPU0004:M|}(bool flag, bool other) { if (flag) k.PreemptDisable(); if (other) {|FPU0004:k.PreemptEnable()|}; }")]
    [InlineData("lock in a helper without [EntersAtomicContext]",
        "void {|FPU0004:Take|}() => k.FpregsLock(); void M() { Take(); Work(); }")]
    public Task FPU0004_with_contracts(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("[EntersAtomicContext]/[ExitsAtomicContext] helpers are allowed their imbalance",
        "[EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] void Take() => k.FpregsLock(); [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] void Give() => k.FpregsUnlock(); void M() { Take(); Work(); Give(); Nap(); }")]
    [InlineData("flag idiom with two kinds",
        "void M() { bool a = false, b = false; try { k.PreemptDisable(); a = true; k.LocalIrqDisable(); b = true; Work(); } finally { if (b) k.LocalIrqEnable(); if (a) k.PreemptEnable(); } Nap(); }")]
    public Task Silent_with_contracts(string name, string members) { _ = name; return Verify(members); }

    // ------------------------------------------------------------------ delegates, local functions, async, iterators
    [Theory]
    [InlineData("lambda local invoked in a region",
        "void M() { Action f = () => Nap(); using (k.LockFpregs()) { {|FPU0001:f()|}; } }")]
    [InlineData("local function two deep",
        "void M(bool flag) { using (k.LockFpregs()) { {|FPU0001:A()|}; } void A() => B(); void B() { if (flag) Nap(); } }")]
    [InlineData("static local function",
        "void M() { k.PreemptDisable(); {|FPU0001:Helper()|}; k.PreemptEnable(); static void Helper() => Nap(); }")]
    [InlineData("method group delegate local",
        "void M() { Action f = Nap; k.PreemptDisable(); {|FPU0001:f.Invoke()|}; k.PreemptEnable(); }")]
    [InlineData("region inside a lambda reported once there, not at its invocations",
        "void M() { Action f = () => { k.FpregsLock(); {|FPU0001:Nap()|}; k.FpregsUnlock(); }; f(); f(); }")]
    [InlineData("await in a region of an async lambda",
        "void M() { Func<Task> f = async () => { using (k.LockFpregs()) { {|FPU0001:await Task.Yield()|}; } }; _ = f; }")]
    [InlineData("async method sleeping before its first await, called in a region",
        "async Task A() { Nap(); await Task.Yield(); } void M() { using (k.LockFpregs()) { _ = {|FPU0001:A()|}; } }")]
    [InlineData("await in a region reached through a try/finally",
        "async Task M() { k.FpregsLock(); try { {|FPU0001:await Task.Delay(1)|}; } finally { k.FpregsUnlock(); } }")]
    [InlineData("local function called in a catch with preemption disabled",
        "void M() { k.PreemptDisable(); try { Work(); } catch { {|FPU0001:Log()|}; } finally { k.PreemptEnable(); } void Log() => Nap(); }")]
    public Task FPU0001_with_delegates_and_async(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("delegate local assigned twice is not followed",
        "void M(bool flag) { Action f = Work; if (flag) f = Nap; using (k.LockFpregs()) { f(); } }")]
    [InlineData("lambda with its own balanced region invoked outside",
        "void M() { Action f = () => { using (k.LockFpregs()) { Work(); } }; f(); Nap(); }")]
    [InlineData("lambda defined in a region but invoked after it",
        "void M() { Action f; using (k.LockFpregs()) { f = () => Nap(); } f(); }")]
    [InlineData("async method sleeping only after its first await",
        "async Task A() { await Task.Yield(); Nap(); } void M() { using (k.LockFpregs()) { _ = A(); } }")]
    [InlineData("creating an iterator runs none of its body",
        "IEnumerable<int> Gen() { Nap(); yield return 1; } void M() { IEnumerable<int> e; using (k.LockFpregs()) { e = Gen(); } foreach (var x in e) { } }")]
    [InlineData("await after the region",
        "async Task M() { using (k.LockFpregs()) { Work(); } await Task.Yield(); }")]
    [InlineData("local function called only outside regions",
        "void M() { using (k.LockFpregs()) { Work(); } Log(); void Log() => Nap(); }")]
    public Task Silent_with_delegates_and_async(string name, string members) { _ = name; return Verify(members); }

    [Theory]
    [InlineData("local function that leaves the lock held",
        "void M(bool flag) { Take(); Work(); {|FPU0004:k.FpregsUnlock()|}; void {|FPU0004:Take|}() { if (flag) return; k.FpregsLock(); } }")]
    [InlineData("async method returning with the lock held on an early path",
        "async Task {|FPU0004:M|}(bool flag) { k.FpregsLock(); if (flag) return; {|FPU0001:await Task.Yield()|}; k.FpregsUnlock(); }")]
    public Task FPU0004_in_functions(string name, string members) { _ = name; return Verify(members); }

    // ------------------------------------------------------------------ members whose bodies sleep several calls deep
    private const string W = """
        class W
        {
            public int P => Get();
            int Get() => Deep();
            int Deep() => D.NapValue();
            public int this[int i] => Deep() + i;
            public static W operator +(W a, W b) { a.Deep(); return a; }
            public static explicit operator int(W w) => w.Deep();
            public event Action E { add { D.Nap(); } remove { } }
            public override string ToString() => D.NapString();
            public void Deconstruct(out int a, out int b) { a = Deep(); b = 0; }
            public W() { }
            public W(int seed) { Init(seed); }
            void Init(int seed) { if (seed > 0) D.Nap(); }
        }
        class Field { int f = D.NapValue(); public int F => f; }
        class Base { [MaySleep] public virtual void Go() { } }
        class Derived : Base { public override void Go() { } }
        interface IDev { [MaySleep] void Reset(); }
        class Dev : IDev { public void Reset() { } }
        interface ILock { [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] void Take(); [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] void Give(); }
        class KLock : ILock { readonly Kernel k; public KLock(Kernel k) { this.k = k; } public void Take() => k.FpregsLock(); public void Give() => k.FpregsUnlock(); }
        record R(int A) { public int B { get => 0; init { D.Nap(); } } }
        """;

    [Theory]
    [InlineData("property getter sleeps three deep", "void M(W w) { using (k.LockFpregs()) { _ = {|FPU0001:w.P|}; } }")]
    [InlineData("indexer", "void M(W w) { using (k.LockFpregs()) { _ = {|FPU0001:w[0]|}; } }")]
    [InlineData("user-defined operator", "void M(W a, W b) { using (k.LockFpregs()) { _ = {|FPU0001:a + b|}; } }")]
    [InlineData("explicit conversion", "void M(W w) { using (k.LockFpregs()) { _ = {|FPU0001:(int)w|}; } }")]
    [InlineData("event add accessor", "void M(W w) { using (k.LockFpregs()) { {|FPU0001:w.E += Work|}; } }")]
    [InlineData("constructor sleeping through a helper", "void M() { using (k.LockFpregs()) { _ = {|FPU0001:new W(1)|}; } }")]
    [InlineData("field initializer run by the constructor", "void M() { using (k.LockFpregs()) { _ = {|FPU0001:new Field()|}; } }")]
    [InlineData("explicit ToString override", "string M(W w) { using (k.LockFpregs()) { return {|FPU0001:w.ToString()|}; } }")]
    [InlineData("override takes the base's [MaySleep]", "void M(Derived d) { using (k.LockFpregs()) { {|FPU0001:d.Go()|}; } }")]
    [InlineData("call through the base member", "void M(Base b) { using (k.LockFpregs()) { {|FPU0001:b.Go()|}; } }")]
    [InlineData("implementation takes the interface's [MaySleep]", "void M(Dev d) { using (k.LockFpregs()) { {|FPU0001:d.Reset()|}; } }")]
    [InlineData("call through the interface", "void M(IDev d) { using (k.LockFpregs()) { {|FPU0001:d.Reset()|}; } }")]
    [InlineData("implementation takes the interface's [EntersAtomicContext]", "void M(KLock l) { l.Take(); {|FPU0001:Nap()|}; l.Give(); }")]
    [InlineData("property read through ?.", "int? M(W w) { using (k.LockFpregs()) { return w?{|FPU0001:.P|}; } }")]
    [InlineData("property pattern reads a sleeping property", "bool M(object o) { using (k.LockFpregs()) { return o is W { {|FPU0001:P|}: 1 }; } }")]
    public Task FPU0001_in_members(string name, string members) { _ = name; return Verify(members, W); }

    [Theory]
    [InlineData("the same property read outside every region", "void M(W w) { using (k.LockFpregs()) { Work(); } _ = w.P + w[0] + (int)w; }")]
    [InlineData("parameterless constructor does not sleep", "void M() { using (k.LockFpregs()) { _ = new W(); } }")]
    [InlineData("interface lock implementation balanced, sleep after", "void M(KLock l) { l.Take(); Work(); l.Give(); Nap(); }")]
    [InlineData("record created outside, with outside", "R M(R r) { using (k.LockFpregs()) { Work(); } return r with { B = 1 }; }")]
    [InlineData("type pattern without members calls nothing", "bool M(object o) { using (k.LockFpregs()) { return o is W; } }")]
    public Task Silent_in_members(string name, string members) { _ = name; return Verify(members, W); }

    [Theory]
    [InlineData("with expression runs the sleeping init accessor", "R M(R r) { using (k.LockFpregs()) { return r with { {|FPU0001:B|} = 1 }; } }")]
    [InlineData("deconstruction calls a sleeping Deconstruct", "void M(W w) { using (k.LockFpregs()) { {|FPU0001:var (a, b) = w|}; } }")]
    [InlineData("positional pattern calls a sleeping Deconstruct", "bool M(W w) { using (k.LockFpregs()) { return w is {|FPU0001:(1, 0)|}; } }")]
    public Task FPU0001_in_members_with_unpinned_spans(string name, string members) { _ = name; return Verify(members, W); }

    // ------------------------------------------------------------------ delegate ?.Invoke, and the analyzer finding (skipped)
    // FPU0001.md: "A call of a local function, or of a delegate local assigned once from a lambda or method group
    // (`f()`, `f.Invoke()`, `f?.Invoke()`), runs that body at the call". Reported at the `.Invoke()` of the conditional access.
    [Fact]
    public Task Lambda_local_invoked_with_null_conditional_Invoke_in_a_region_is_reported() =>
        Verify("void M() { Action f = () => Nap(); using (k.LockFpregs()) { f?{|FPU0001:.Invoke()|}; } }");

    // Twin that passes: the same delegate invoked as f.Invoke() is followed.
    [Fact]
    public Task Lambda_local_invoked_with_Invoke_in_a_region_is_reported() =>
        Verify("void M() { Action f = () => Nap(); using (k.LockFpregs()) { {|FPU0001:f.Invoke()|}; } }");

    // FPU0004.md: "A method marked `[RequiresAtomicContext(kind)]` starts with the context held and must return with
    // it held — it may leave and re-enter it in between".
    [Fact]
    public Task RequiresAtomicContext_handler_returning_without_its_context_is_reported() =>
        Verify("[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)] void {|FPU0004:M|}(bool flag) { k.LocalIrqEnable(); if (flag) return; k.LocalIrqDisable(); }");

    // Same finding, unconditional: the handler leaves interrupts enabled on its only path out.
    [Fact]
    public Task RequiresAtomicContext_handler_that_never_reenters_is_reported() =>
        Verify("[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)] void {|FPU0004:M|}() { k.LocalIrqEnable(); Nap(); }");

    // ------------------------------------------------------------------ round 2: iterators, narrower catches, scopes typed IDisposable
    private const string Iter = """
        class It
        {
            public static IEnumerable<int> Sleepy() { D.Nap(); yield return 1; }
            public static IEnumerable<int> Calm() { yield return 1; }
        }
        class Q { int q; public int V { get => q; set { D.Nap(); q = value; } } }
        """;

    [Theory]
    [InlineData("enumerating an iterator whose body sleeps, in a region", "void M() { using (k.LockFpregs()) { foreach (var x in {|FPU0001:It.Sleepy()|}) { } } }")]
    [InlineData("narrower catch lets the exception reach an outer catch that sleeps; it also returns held",
        "void {|FPU0004:M|}() { try { k.FpregsLock(); try { Work(); } catch (InvalidOperationException) { } k.FpregsUnlock(); } catch { {|FPU0001:Nap()|}; } }")]
    [InlineData("scope typed IDisposable in a using statement", "void M() { IDisposable g = k.LockFpregs(); using (g) { {|FPU0001:Nap()|}; } Nap(); }")]
    [InlineData("&& right operand sleeps in a region", "bool M(bool flag) { using (k.LockFpregs()) { return flag && {|FPU0001:NapCheck()|}; } }")]
    [InlineData("compound assignment runs a sleeping setter", "void M(Q q) { using (k.LockFpregs()) { {|FPU0001:q.V|} += 1; } }")]
    [InlineData("nested kinds: interrupts disabled inside the register lock", "void M() { using (k.LockFpregs()) { k.LocalIrqDisable(); {|FPU0001:Nap()|}; k.LocalIrqEnable(); } }")]
    public Task Round2_FPU0001(string name, string members) { _ = name; return Verify(members, W + Iter); }

    [Theory]
    [InlineData("yield return inside a using scope of an iterator, no sleep", "IEnumerable<int> M() { using (k.LockFpregs()) { yield return 1; } }")]
    [InlineData("enumerating a calm iterator in a region", "void M() { using (k.LockFpregs()) { foreach (var x in It.Calm()) { } } }")]
    [InlineData("enumerating a sleeping iterator outside regions", "void M() { using (k.LockFpregs()) { Work(); } foreach (var x in It.Sleepy()) { } }")]
    [InlineData("unfiltered inner catch takes every exception: the outer catch runs with nothing held",
        "void M() { try { k.FpregsLock(); try { Work(); } catch { } k.FpregsUnlock(); } catch { Nap(); } }")]
    [InlineData("filtered catch on a bool parameter unlocks and returns",
        "void M(bool flag) { k.FpregsLock(); try { Work(); } catch when (flag) { k.FpregsUnlock(); return; } k.FpregsUnlock(); Nap(); }")]
    [InlineData("bool local set where the context is taken, tested where it is released",
        "void M(int n) { bool held = false; if (n > 0) { k.PreemptDisable(); held = true; } if (!held) Nap(); if (held) k.PreemptEnable(); }")]
    [InlineData("string interpolation is no listed call form", "string M(int n) { using (k.LockFpregs()) { return $\"{n}\"; } }")]
    public Task Round2_silent(string name, string members) { _ = name; return Verify(members, W + Iter); }

    [Theory]
    [InlineData("iterator leaves the lock held", "IEnumerable<int> {|FPU0004:M|}() { k.FpregsLock(); yield return 1; }")]
    [InlineData("early return between nested kinds", "void {|FPU0004:M|}(bool flag) { using (k.LockFpregs()) { k.LocalIrqDisable(); if (flag) return; k.LocalIrqEnable(); } }")]
    [InlineData("exit twice", "void M() { k.FpregsLock(); k.FpregsUnlock(); {|FPU0004:k.FpregsUnlock()|}; }")]
    [InlineData("exit in finally of a try that takes the lock late", "void M(bool flag) { try { if (flag) return; k.FpregsLock(); Work(); } finally { {|FPU0004:k.FpregsUnlock()|}; } }")]
    public Task Round2_FPU0004(string name, string members) { _ = name; return Verify(members, W + Iter); }

    // ------------------------------------------------------------------ round 3
    [Theory]
    [InlineData("switch case guard sleeps in a region", "void M(object o) { using (k.LockFpregs()) { switch (o) { case int x when {|FPU0001:NapCheck()|}: break; } } }")]
    [InlineData("switch statement property pattern reads a sleeping property", "void M(object o) { using (k.LockFpregs()) { switch (o) { case W { {|FPU0001:P|}: > 0 }: break; } } }")]
    [InlineData("static lambda invoked in a region", "int M() { Func<int> f = static () => NapValue(); k.PreemptDisable(); var v = {|FPU0001:f()|}; k.PreemptEnable(); return v; }")]
    [InlineData("local function with [EntersAtomicContext] takes the lock for its caller", "void M() { Take(); {|FPU0001:Nap()|}; k.FpregsUnlock(); [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] void Take() => k.FpregsLock(); }")]
    [InlineData("recursive local function: base case sleeps, called under preemption", "void M() { k.PreemptDisable(); {|FPU0001:Rec(2)|}; k.PreemptEnable(); void Rec(int n) { if (n == 0) { Nap(); return; } Rec(n - 1); } }")]
    [InlineData("using declaration in a do loop with continue", "void M(int n) { do { using var g = k.LockFpregs(); if (n > 2) continue; {|FPU0001:Nap()|}; } while (n-- > 0); }")]
    [InlineData("throw expression branch does not hide the sleep", "int M(int? v) { using (k.LockFpregs()) { return (v ?? throw new ArgumentException()) + {|FPU0001:NapValue()|}; } }")]
    public Task Round3_FPU0001(string name, string members) { _ = name; return Verify(members, W); }

    [Theory]
    [InlineData("finally re-takes the lock a try released: exceptional exit is no return", "void M() { k.FpregsLock(); try { k.FpregsUnlock(); Nap(); } finally { k.FpregsLock(); } k.FpregsUnlock(); }")]
    [InlineData("recursive local function balanced per level", "void M() { Rec(3); Nap(); void Rec(int n) { if (n == 0) return; k.PreemptDisable(); Rec(n - 1); k.PreemptEnable(); } }")]
    [InlineData("using declaration in a do loop ends each iteration", "void M(int n) { do { using var g = k.LockFpregs(); if (n > 2) continue; Work(); } while (n-- > 0); Nap(); }")]
    [InlineData("lambda stored in a region, run after it through a local function", "void M() { Action f; using (k.LockFpregs()) { f = () => Nap(); } Run(); void Run() => f(); }")]
    public Task Round3_silent(string name, string members) { _ = name; return Verify(members, W); }

    [Theory]
    [InlineData("return from inside a Monitor lock holding the register lock", "readonly object gate = new object(); int {|FPU0004:M|}(int n) { lock (gate) { k.FpregsLock(); if (n > 0) return n; k.FpregsUnlock(); } return 0; }")]
    [InlineData("flag reassigned in a loop: the lock may be held with the flag false (every unlock still has an entry)", "void {|FPU0004:M|}(int n) { bool locked = false; while (n-- > 0) { if (!locked) { k.FpregsLock(); locked = true; } locked = n > 5; } if (locked) k.FpregsUnlock(); }")]
    public Task Round3_FPU0004(string name, string members) { _ = name; return Verify(members, W); }

    // ------------------------------------------------------------------ round 4: null-conditional forms
    [Theory]
    [InlineData("method group delegate local invoked with ?.Invoke", "void M() { Action f = Nap; using (k.LockFpregs()) { f?{|FPU0001:.Invoke()|}; } }")]
    [InlineData("[MaySleep] method called through ?.", "void M(Derived d) { using (k.LockFpregs()) { d?{|FPU0001:.Go()|}; } }")]
    [InlineData("sleeping method of this compilation called through ?.", "int? M(W w) { using (k.LockFpregs()) { return w?{|FPU0001:.ToString()|}.Length; } }")]
    public Task Round4_FPU0001(string name, string members) { _ = name; return Verify(members, W); }
}
