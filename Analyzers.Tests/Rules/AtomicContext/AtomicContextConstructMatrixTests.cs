using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

/// <summary>
/// Acceptance matrix for FPU0001/FPU0004 over every construct that runs user code, written from the rule pages and
/// the issue's spec alone. For each construct: (a) its body sleeps and it is used in a region: FPU0001 at the use;
/// (b) the same use outside every region: nothing; (c) a region inside the construct's own body around a sleeping
/// call: FPU0001 there, and nothing at its callers. Then FPU0004 in members, exception regions, the flag idiom,
/// delegates, contracts through the type system, iterators and async methods.
/// </summary>
/// <remarks>
/// Markup: <c>{|FPU0001:text|}</c> expects the diagnostic on exactly that span; <c>{|FPU0001~:text|}</c> expects it
/// somewhere inside that span, and accepts any further ones with that id there (for constructs whose exact span the
/// rule pages do not pin down, and that may run user code more than once: a setter's assignment, a <c>foreach</c>,
/// a pattern, an initializer's Adds, ...). Every diagnostic FpuGuard reports must be expected, and the
/// source must compile without errors. The contract attributes are the test's own copies (recognised by name), so
/// constructors can carry <c>[EntersAtomicContext]</c>.
/// </remarks>
public class AtomicContextConstructMatrixTests
{
    private const string Prelude = """
        using System;
        using System.Collections;
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Threading.Tasks;

        enum AtomicContextKind { FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2 }
        [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)] sealed class MaySleepAttribute : Attribute { }
        [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)] sealed class DoesNotSleepAttribute : Attribute { }
        [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = true)] sealed class EntersAtomicContextAttribute : Attribute { public EntersAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
        [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = true)] sealed class ExitsAtomicContextAttribute : Attribute { public ExitsAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
        [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = true)] sealed class RequiresAtomicContextAttribute : Attribute { public RequiresAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
        [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = true)] sealed class AssertsAtomicContextAttribute : Attribute { public AssertsAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }

        static class Cpu
        {
            [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] public static void Lock() { }
            [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] public static void Unlock() { }
            [MaySleep] public static void Sleep() { }
            [MaySleep] public static int SleepValue() => 0;
            [MaySleep] public static bool SleepCheck() => true;
            public static void Work() { }
        }

        """;

    private const string Region = "Cpu.Lock(); {|FPU0001:Cpu.Sleep()|}; Cpu.Unlock();";

    private static string Driver(string body, string name = "Run") => $$"""
        static class Driver
        {
            static void {{name}}(bool flag, int n)
            {
                {{body}}
            }
        }
        """;

    // ---------------------------------------------------------------- ordinary methods (the baseline)

    [Theory]
    [InlineData("a: in a region", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001:Helper.Do()|}; Cpu.Unlock();")]
    [InlineData("b: outside", "Cpu.Sleep();", "Helper.Do();")]
    [InlineData("c: region inside", Region, "Helper.Do();")]
    [InlineData("d: region inside, called in a region: reported inside only", Region, "Cpu.Lock(); Helper.Do(); Cpu.Unlock();")]
    [InlineData("d: region inside and a sleep outside it, called in a region", Region + " Cpu.Sleep();", "Cpu.Lock(); {|FPU0001:Helper.Do()|}; Cpu.Unlock();")]
    [InlineData("d: region inside, called through a method group", Region, "Action f = Helper.Do; Cpu.Lock(); f(); Cpu.Unlock();")]
    public Task Method(string @case, string body, string use) => VerifyAsync(@case, $$"""
        static class Helper { public static void Do() { {{body}} } }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- constructors and what they run

    [Theory]
    [InlineData("a: new", "Cpu.Sleep();", "Cpu.Lock(); var w = {|FPU0001:new Widget()|}; Cpu.Unlock();")]
    [InlineData("a: target-typed new", "Cpu.Sleep();", "Cpu.Lock(); Widget w = {|FPU0001:new()|}; Cpu.Unlock();")]
    [InlineData("b: outside", "Cpu.Sleep();", "var w = new Widget();")]
    [InlineData("c: region inside", Region, "var w = new Widget();")]
    [InlineData("d: region inside, created in a region", Region, "Cpu.Lock(); var w = new Widget(); Cpu.Unlock();")]
    public Task Constructor(string @case, string body, string use) => VerifyAsync(@case, $$"""
        sealed class Widget { public Widget() { {{body}} } }
        {{Driver(use)}}
        """);

    [Theory]
    [InlineData("a: field initializer, implicit constructor", "int f = Cpu.SleepValue();", "Cpu.Lock(); var w = {|FPU0001:new Widget()|}; Cpu.Unlock();")]
    [InlineData("a: field initializer, explicit constructor", "int f = Cpu.SleepValue(); public Widget() { }", "Cpu.Lock(); var w = {|FPU0001:new Widget()|}; Cpu.Unlock();")]
    [InlineData("a: property initializer", "public int P { get; } = Cpu.SleepValue();", "Cpu.Lock(); var w = {|FPU0001:new Widget()|}; Cpu.Unlock();")]
    [InlineData("b: field initializer, outside", "int f = Cpu.SleepValue();", "var w = new Widget();")]
    public Task Initializers(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Widget { {{members}} }
        {{Driver(use)}}
        """);

    [Theory]
    [InlineData("a: implicit derived constructor", "public Base() { Cpu.Sleep(); }", "sealed class Derived : Base { }", "Cpu.Lock(); var d = {|FPU0001:new Derived()|}; Cpu.Unlock();")]
    [InlineData("a: explicit constructor, implicit base()", "public Base() { Cpu.Sleep(); }", "sealed class Derived : Base { public Derived() { } }", "Cpu.Lock(); var d = {|FPU0001:new Derived()|}; Cpu.Unlock();")]
    [InlineData("a: explicit base()", "public Base() { Cpu.Sleep(); }", "sealed class Derived : Base { public Derived() : base() { } }", "Cpu.Lock(); var d = {|FPU0001:new Derived()|}; Cpu.Unlock();")]
    [InlineData("a: this() chain to base", "public Base() { Cpu.Sleep(); }", "sealed class Derived : Base { public Derived() : this(0) { } public Derived(int x) { } }", "Cpu.Lock(); var d = {|FPU0001:new Derived()|}; Cpu.Unlock();")]
    [InlineData("a: primary constructor", "public Base() { Cpu.Sleep(); }", "sealed class Derived(int x) : Base { public int X => x; }", "Cpu.Lock(); var d = {|FPU0001:new Derived(1)|}; Cpu.Unlock();")]
    [InlineData("a: base field initializer", "int f = Cpu.SleepValue();", "sealed class Derived : Base { }", "Cpu.Lock(); var d = {|FPU0001:new Derived()|}; Cpu.Unlock();")]
    [InlineData("b: outside", "public Base() { Cpu.Sleep(); }", "sealed class Derived : Base { }", "var d = new Derived();")]
    [InlineData("c: region inside the base constructor", "public Base() { " + Region + " }", "sealed class Derived : Base { }", "var d = new Derived();")]
    public Task Base_constructor(string @case, string baseMembers, string derived, string use) => VerifyAsync(@case, $$"""
        class Base { {{baseMembers}} }
        {{derived}}
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- properties, indexers, events

    private const string UseWidget = "var w = new Widget(); ";

    [Theory]
    [InlineData("a: getter", "public int Value { get { Cpu.Sleep(); return 0; } }", UseWidget + "Cpu.Lock(); var x = {|FPU0001:w.Value|}; Cpu.Unlock();")]
    [InlineData("a: expression-bodied getter", "public int Value => Cpu.SleepValue();", UseWidget + "Cpu.Lock(); var x = {|FPU0001:w.Value|}; Cpu.Unlock();")]
    [InlineData("a: getter through ?.", "public int Value { get { Cpu.Sleep(); return 0; } }", UseWidget + "Cpu.Lock(); var x = {|FPU0001~:w?.Value|}; Cpu.Unlock();")]
    [InlineData("b: getter outside", "public int Value { get { Cpu.Sleep(); return 0; } }", UseWidget + "var x = w.Value;")]
    [InlineData("c: region inside the getter", "public int Value { get { " + Region + " return 0; } }", UseWidget + "var x = w.Value;")]
    [InlineData("d: region inside the getter, read in a region", "public int Value { get { " + Region + " return 0; } }", UseWidget + "Cpu.Lock(); var x = w.Value; Cpu.Unlock();")]
    [InlineData("a: setter", "public int Value { get => 0; set { Cpu.Sleep(); } }", UseWidget + "Cpu.Lock(); {|FPU0001~:w.Value = 1|}; Cpu.Unlock();")]
    [InlineData("b: setter outside", "public int Value { get => 0; set { Cpu.Sleep(); } }", UseWidget + "w.Value = 1;")]
    [InlineData("c: region inside the setter", "public int Value { get => 0; set { " + Region + " } }", UseWidget + "w.Value = 1;")]
    [InlineData("d: region inside the setter, written in a region", "public int Value { get => 0; set { " + Region + " } }", UseWidget + "Cpu.Lock(); w.Value = 1; Cpu.Unlock();")]
    [InlineData("a: compound assignment runs the getter", "public int Value { get { Cpu.Sleep(); return 0; } set { } }", UseWidget + "Cpu.Lock(); {|FPU0001~:w.Value += 1|}; Cpu.Unlock();")]
    [InlineData("a: init accessor", "public int Value { get => 0; init { Cpu.Sleep(); } }", "Cpu.Lock(); var w = {|FPU0001~:new Widget { Value = 1 }|}; Cpu.Unlock();")]
    [InlineData("b: init accessor outside", "public int Value { get => 0; init { Cpu.Sleep(); } }", "var w = new Widget { Value = 1 };")]
    [InlineData("c: region inside the init accessor", "public int Value { get => 0; init { " + Region + " } }", "var w = new Widget { Value = 1 };")]
    public Task Property(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Widget { {{members}} }
        {{Driver(use)}}
        """);

    [Theory]
    [InlineData("a: getter", "public int this[int i] { get { Cpu.Sleep(); return i; } set { } }", UseWidget + "Cpu.Lock(); var x = {|FPU0001:w[0]|}; Cpu.Unlock();")]
    [InlineData("b: getter outside", "public int this[int i] { get { Cpu.Sleep(); return i; } set { } }", UseWidget + "var x = w[0];")]
    [InlineData("c: region inside the getter", "public int this[int i] { get { " + Region + " return i; } set { } }", UseWidget + "var x = w[0];")]
    [InlineData("d: region inside the getter, read in a region", "public int this[int i] { get { " + Region + " return i; } set { } }", UseWidget + "Cpu.Lock(); var x = w[0]; Cpu.Unlock();")]
    [InlineData("a: setter", "public int this[int i] { get => i; set { Cpu.Sleep(); } }", UseWidget + "Cpu.Lock(); {|FPU0001~:w[0] = 1|}; Cpu.Unlock();")]
    [InlineData("a: setter in an object initializer", "public int this[int i] { get => i; set { Cpu.Sleep(); } }", "Cpu.Lock(); var w = {|FPU0001~:new Widget { [0] = 1 }|}; Cpu.Unlock();")]
    [InlineData("b: setter outside", "public int this[int i] { get => i; set { Cpu.Sleep(); } }", UseWidget + "w[0] = 1;")]
    [InlineData("c: region inside the setter", "public int this[int i] { get => i; set { " + Region + " } }", UseWidget + "w[0] = 1;")]
    public Task Indexer(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Widget { {{members}} }
        {{Driver(use)}}
        """);

    private const string UseHandler = "var w = new Widget(); Action h = () => { }; ";

    [Theory]
    [InlineData("a: add", "public event Action Changed { add { Cpu.Sleep(); } remove { } }", UseHandler + "Cpu.Lock(); {|FPU0001~:w.Changed += h|}; Cpu.Unlock();")]
    [InlineData("a: remove", "public event Action Changed { add { } remove { Cpu.Sleep(); } }", UseHandler + "Cpu.Lock(); {|FPU0001~:w.Changed -= h|}; Cpu.Unlock();")]
    [InlineData("b: add outside", "public event Action Changed { add { Cpu.Sleep(); } remove { } }", UseHandler + "w.Changed += h;")]
    [InlineData("c: region inside add", "public event Action Changed { add { " + Region + " } remove { } }", UseHandler + "w.Changed += h;")]
    [InlineData("d: region inside add, subscribed in a region", "public event Action Changed { add { " + Region + " } remove { } }", UseHandler + "Cpu.Lock(); w.Changed += h; Cpu.Unlock();")]
    [InlineData("field-like event: no user code", "public event Action Changed; public void Raise() => Changed?.Invoke();", UseHandler + "Cpu.Lock(); w.Changed += h; w.Changed -= h; Cpu.Unlock();")]
    public Task Event(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Widget { {{members}} }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- operators, conversions, compound assignment

    private const string UseNums = "var a = new Num(); var b = new Num(); ";
    private const string Plus = "public static Num operator +(Num a, Num b) { Cpu.Sleep(); return a; }";

    [Theory]
    [InlineData("a: binary", Plus, UseNums + "Cpu.Lock(); var c = {|FPU0001:a + b|}; Cpu.Unlock();")]
    [InlineData("b: binary outside", Plus, UseNums + "var c = a + b;")]
    [InlineData("c: region inside the operator", "public static Num operator +(Num a, Num b) { " + Region + " return a; }", UseNums + "var c = a + b;")]
    [InlineData("d: region inside the operator, used in a region", "public static Num operator +(Num a, Num b) { " + Region + " return a; }", UseNums + "Cpu.Lock(); var c = a + b; Cpu.Unlock();")]
    [InlineData("a: unary", "public static Num operator -(Num a) { Cpu.Sleep(); return a; }", UseNums + "Cpu.Lock(); var c = {|FPU0001:-a|}; Cpu.Unlock();")]
    [InlineData("a: equality", "public static bool operator ==(Num a, Num b) { Cpu.Sleep(); return true; } public static bool operator !=(Num a, Num b) => false; public override bool Equals(object o) => false; public override int GetHashCode() => 0;", UseNums + "Cpu.Lock(); var c = {|FPU0001:a == b|}; Cpu.Unlock();")]
    [InlineData("a: operator true in a condition", "public static bool operator true(Num a) { Cpu.Sleep(); return true; } public static bool operator false(Num a) => false;", UseNums + "Cpu.Lock(); {|FPU0001~:if (a) { }|} Cpu.Unlock();")]
    [InlineData("a: compound assignment +=", Plus, UseNums + "Cpu.Lock(); {|FPU0001~:a += b|}; Cpu.Unlock();")]
    [InlineData("b: compound assignment outside", Plus, UseNums + "a += b;")]
    [InlineData("a: increment", "public static Num operator ++(Num a) { Cpu.Sleep(); return a; }", UseNums + "Cpu.Lock(); {|FPU0001~:a++|}; Cpu.Unlock();")]
    public Task Operator(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Num { {{members}} }
        {{Driver(use)}}
        """);

    private const string Implicit = "public static implicit operator int(Num n) { Cpu.Sleep(); return 0; }";
    private const string Explicit = "public static explicit operator int(Num n) { Cpu.Sleep(); return 0; }";

    [Theory]
    [InlineData("a: implicit", Implicit, "var num = new Num(); Cpu.Lock(); {|FPU0001~:int i = num;|} Cpu.Unlock();")]
    [InlineData("b: implicit outside", Implicit, "var num = new Num(); int i = num;")]
    [InlineData("c: region inside the implicit conversion", "public static implicit operator int(Num n) { " + Region + " return 0; }", "var num = new Num(); int i = num;")]
    [InlineData("d: region inside the implicit conversion, used in a region", "public static implicit operator int(Num n) { " + Region + " return 0; }", "var num = new Num(); Cpu.Lock(); int i = num; Cpu.Unlock();")]
    [InlineData("a: explicit", Explicit, "var num = new Num(); Cpu.Lock(); var i = {|FPU0001~:(int)num|}; Cpu.Unlock();")]
    [InlineData("b: explicit outside", Explicit, "var num = new Num(); var i = (int)num;")]
    public Task Conversion(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Num { {{members}} }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- Deconstruct, patterns

    private const string Deconstruct = "public void Deconstruct(out int x, out int y) { Cpu.Sleep(); x = 0; y = 0; }";
    private const string UsePair = "var p = new Pair(); ";

    [Theory]
    [InlineData("a: deconstructing declaration", Deconstruct, UsePair + "Cpu.Lock(); {|FPU0001~:var (x, y) = p;|} Cpu.Unlock();")]
    [InlineData("a: foreach deconstruction", Deconstruct, "var ps = new[] { new Pair() }; Cpu.Lock(); {|FPU0001~:foreach (var (x, y) in ps) { }|} Cpu.Unlock();")]
    [InlineData("b: outside", Deconstruct, UsePair + "var (x, y) = p;")]
    [InlineData("c: region inside Deconstruct", "public void Deconstruct(out int x, out int y) { " + Region + " x = 0; y = 0; }", UsePair + "var (x, y) = p;")]
    [InlineData("d: region inside Deconstruct, used in a region", "public void Deconstruct(out int x, out int y) { " + Region + " x = 0; y = 0; }", UsePair + "Cpu.Lock(); var (x, y) = p; Cpu.Unlock();")]
    [InlineData("a: positional pattern", Deconstruct, UsePair + "Cpu.Lock(); var m = {|FPU0001~:p is (0, 0)|}; Cpu.Unlock();")]
    [InlineData("a: positional pattern in a switch expression", Deconstruct, UsePair + "Cpu.Lock(); var m = {|FPU0001~:p switch { (0, 0) => 1, _ => 2 }|}; Cpu.Unlock();")]
    [InlineData("b: positional pattern outside", Deconstruct, UsePair + "var m = p is (0, 0);")]
    [InlineData("a: property pattern runs the getter", "public int Value { get { Cpu.Sleep(); return 0; } }", UsePair + "Cpu.Lock(); var m = {|FPU0001~:p is { Value: 1 }|}; Cpu.Unlock();")]
    public Task Deconstruct_and_positional_patterns(string @case, string members, string use) => VerifyAsync(@case, $$"""
        sealed class Pair { {{members}} }
        {{Driver(use)}}
        """);

    [Theory]
    [InlineData("a: list pattern, Count sleeps", "Cpu.Sleep();", "", "Cpu.Lock(); var m = {|FPU0001~:s is [0, 1]|}; Cpu.Unlock();")]
    [InlineData("a: list pattern, indexer sleeps", "", "Cpu.Sleep();", "Cpu.Lock(); var m = {|FPU0001~:s is [0, 1]|}; Cpu.Unlock();")]
    [InlineData("a: list pattern in a switch statement", "", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:switch (s) { case [0, 1]: break; }|} Cpu.Unlock();")]
    [InlineData("b: list pattern outside", "Cpu.Sleep();", "Cpu.Sleep();", "var m = s is [0, 1];")]
    public Task List_pattern(string @case, string count, string index, string use) => VerifyAsync(@case, $$"""
        sealed class Seq
        {
            public int Count { get { {{count}} return 2; } }
            public int this[int i] { get { {{index}} return i; } }
        }
        {{Driver("var s = new Seq(); " + use)}}
        """);

    // ---------------------------------------------------------------- foreach

    [Theory]
    [InlineData("a: GetEnumerator sleeps", "GetEnumerator", true)]
    [InlineData("a: MoveNext sleeps", "MoveNext", true)]
    [InlineData("a: Current sleeps", "Current", true)]
    [InlineData("a: Dispose sleeps", "Dispose", true)]
    [InlineData("b: MoveNext sleeps, outside", "MoveNext", false)]
    [InlineData("b: Dispose sleeps, outside", "Dispose", false)]
    [InlineData("c: region inside MoveNext", "MoveNext:region", false)]
    [InlineData("c: region inside GetEnumerator", "GetEnumerator:region", false)]
    public Task Foreach(string @case, string sleeping, bool inRegion)
    {
        string Body(string member) => sleeping == member ? "Cpu.Sleep();" : sleeping == member + ":region" ? Region : "";
        var use = inRegion
            ? "Cpu.Lock(); {|FPU0001~:foreach (var x in bag) { }|} Cpu.Unlock();"
            : "foreach (var x in bag) { }";
        return VerifyAsync(@case, $$"""
            sealed class Bag { public Enumerator GetEnumerator() { {{Body("GetEnumerator")}} return new Enumerator(); } }
            sealed class Enumerator : IDisposable
            {
                int i;
                public bool MoveNext() { {{Body("MoveNext")}} return i++ < 1; }
                public int Current { get { {{Body("Current")}} return i; } }
                public void Dispose() { {{Body("Dispose")}} }
            }
            {{Driver("var bag = new Bag(); " + use)}}
            """);
    }

    [Fact]
    public Task Foreach_over_a_framework_collection_runs_no_user_code() => VerifyAsync("List<int>", Driver(
        "var list = new List<int> { 1 }; Cpu.Lock(); foreach (var x in list) { } Cpu.Unlock();"));

    // ---------------------------------------------------------------- using (a sleeping Dispose)

    [Theory]
    [InlineData("a: using statement", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:using (var r = new Res()) { }|} Cpu.Unlock();")]
    [InlineData("a: using declaration", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:{ using var r = new Res(); }|} Cpu.Unlock();")]
    [InlineData("a: using an existing local", "Cpu.Sleep();", "var r = new Res(); Cpu.Lock(); {|FPU0001~:using (r) { }|} Cpu.Unlock();")]
    [InlineData("a: scope typed IDisposable", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:using (IDisposable r = new Res()) { }|} Cpu.Unlock();")]
    [InlineData("b: outside", "Cpu.Sleep();", "using (var r = new Res()) { }")]
    [InlineData("b: region closed before Dispose", "Cpu.Sleep();", "using (var r = new Res()) { Cpu.Lock(); Cpu.Unlock(); }")]
    [InlineData("c: region inside Dispose", Region, "using (var r = new Res()) { }")]
    [InlineData("d: region inside Dispose, disposed in a region", Region, "Cpu.Lock(); using (var r = new Res()) { } Cpu.Unlock();")]
    public Task Using(string @case, string body, string use) => VerifyAsync(@case, $$"""
        sealed class Res : IDisposable { public void Dispose() { {{body}} } }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- collection initializers and expressions

    private const string BagType = "sealed class Bag : IEnumerable<int> { public void Add(int x) { BODY } public IEnumerator<int> GetEnumerator() => null; IEnumerator IEnumerable.GetEnumerator() => null; }";

    [Theory]
    [InlineData("a: collection initializer", "Cpu.Sleep();", "Cpu.Lock(); var b = {|FPU0001~:new Bag { 1, 2 }|}; Cpu.Unlock();")]
    [InlineData("a: collection expression through Add", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:Bag b = [1, 2];|} Cpu.Unlock();")]
    [InlineData("b: collection initializer outside", "Cpu.Sleep();", "var b = new Bag { 1, 2 };")]
    [InlineData("c: region inside Add", Region, "var b = new Bag { 1, 2 };")]
    public Task Collection_initializer_Add(string @case, string body, string use) => VerifyAsync(@case,
        BagType.Replace("BODY", body) + "\n" + Driver(use));

    [Theory]
    [InlineData("a: builder Create", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:Built b = [1, 2];|} Cpu.Unlock();")]
    [InlineData("b: builder outside", "Cpu.Sleep();", "Built b = [1, 2];")]
    [InlineData("c: region inside Create", Region, "Built b = [1, 2];")]
    public Task Collection_expression_builder(string @case, string body, string use) => VerifyAsync(@case, $$"""
        [CollectionBuilder(typeof(BuiltBuilder), "Create")]
        sealed class Built : IEnumerable<int> { public IEnumerator<int> GetEnumerator() => null; IEnumerator IEnumerable.GetEnumerator() => null; }
        static class BuiltBuilder { public static Built Create(ReadOnlySpan<int> items) { {{body}} return new Built(); } }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- with on records

    [Theory]
    [InlineData("a: with runs the init accessor", "int x; public int X { get => x; init { Cpu.Sleep(); x = value; } }", "var r = new Rec(); Cpu.Lock(); var s = {|FPU0001~:r with { X = 1 }|}; Cpu.Unlock();")]
    [InlineData("a: with runs the copy constructor", "public Rec() { } protected Rec(Rec original) { Cpu.Sleep(); }", "var r = new Rec(); Cpu.Lock(); var s = {|FPU0001~:r with { }|}; Cpu.Unlock();")]
    [InlineData("b: with outside", "int x; public int X { get => x; init { Cpu.Sleep(); x = value; } }", "var r = new Rec(); var s = r with { X = 1 };")]
    [InlineData("c: region inside the copy constructor", "public Rec() { } protected Rec(Rec original) { " + Region + " }", "var r = new Rec(); var s = r with { };")]
    public Task With(string @case, string members, string use) => VerifyAsync(@case, $$"""
        record Rec { {{members}} }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- await and async methods

    [Theory]
    [InlineData("a: await in a region", "await Task.Yield();", "Cpu.Lock(); {|FPU0001:await Task.Yield()|}; Cpu.Unlock();")]
    [InlineData("a: async method sleeps before its first await", "Cpu.Sleep(); await Task.Yield();", "Cpu.Lock(); var t = {|FPU0001:Async.FetchAsync()|}; Cpu.Unlock(); await t;")]
    [InlineData("none: async method sleeps only after its first await", "await Task.Yield(); Cpu.Sleep();", "Cpu.Lock(); var t = Async.FetchAsync(); Cpu.Unlock(); await t;")]
    [InlineData("b: async method outside", "Cpu.Sleep(); await Task.Yield();", "await Async.FetchAsync();")]
    [InlineData("c: region inside the async method before its first await", Region + " await Task.Yield();", "await Async.FetchAsync();")]
    public Task Async(string @case, string body, string use) => VerifyAsync(@case, $$"""
        static class Async { public static async Task FetchAsync() { {{body}} } }
        static class Driver { static async Task RunAsync() { {{use}} } }
        """);

    // ---------------------------------------------------------------- iterators

    [Theory]
    [InlineData("none: creating the iterator runs none of its body", "Cpu.Sleep();", "Cpu.Lock(); var seq = Gen.Numbers(); Cpu.Unlock(); foreach (var x in seq) { }")]
    [InlineData("a: enumerating it in a region", "Cpu.Sleep();", "Cpu.Lock(); {|FPU0001~:foreach (var x in Gen.Numbers()) { }|} Cpu.Unlock();")]
    [InlineData("a: enumerating one created earlier", "Cpu.Sleep();", "var seq = Gen.Numbers(); Cpu.Lock(); {|FPU0001~:foreach (var x in seq) { }|} Cpu.Unlock();")]
    [InlineData("b: enumerating it outside", "Cpu.Sleep();", "foreach (var x in Gen.Numbers()) { }")]
    [InlineData("c: region inside the iterator", Region, "foreach (var x in Gen.Numbers()) { }")]
    public Task Iterator(string @case, string body, string use) => VerifyAsync(@case, $$"""
        static class Gen { public static IEnumerable<int> Numbers() { {{body}} yield return 1; } }
        {{Driver(use)}}
        """);

    // ---------------------------------------------------------------- lambdas, local functions, delegate invocation

    [Theory]
    [InlineData("a: f()", "Action f = () => Cpu.Sleep(); Cpu.Lock(); {|FPU0001:f()|}; Cpu.Unlock();")]
    [InlineData("a: f.Invoke()", "Action f = () => Cpu.Sleep(); Cpu.Lock(); {|FPU0001:f.Invoke()|}; Cpu.Unlock();")]
    [InlineData("a: f?.Invoke()", "Action f = () => Cpu.Sleep(); Cpu.Lock(); {|FPU0001~:f?.Invoke()|}; Cpu.Unlock();")]
    [InlineData("a: method group", "Action f = Helper.Nap; Cpu.Lock(); {|FPU0001:f()|}; Cpu.Unlock();")]
    [InlineData("a: Func with a block body", "Func<int> f = () => { return Cpu.SleepValue(); }; Cpu.Lock(); var x = {|FPU0001:f()|}; Cpu.Unlock();")]
    [InlineData("a: local function", "void Nap() => Cpu.Sleep(); Cpu.Lock(); {|FPU0001:Nap()|}; Cpu.Unlock();")]
    [InlineData("b: lambda created in a region, not invoked there", "Cpu.Lock(); Action f = () => Cpu.Sleep(); Cpu.Unlock(); f();")]
    [InlineData("b: delegate invoked after the region", "Action f = () => Cpu.Sleep(); Cpu.Lock(); Cpu.Unlock(); f();")]
    [InlineData("c: region inside a lambda, reported once there", "Action f = () => { " + Region + " }; f(); f();")]
    [InlineData("c: region inside a local function, reported once there", "void Inner() { " + Region + " } Inner(); Inner();")]
    [InlineData("c: [RequiresAtomicContext] on a local function", "[RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)] void Handler() { {|FPU0001:Cpu.Sleep()|}; }")]
    [InlineData("c: [RequiresAtomicContext] on a lambda", "Action f = [RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)] () => {|FPU0001:Cpu.Sleep()|};")]
    [InlineData("none: [RequiresAtomicContext] local function leaves the context around its sleep", "[RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)] void Handler() { Cpu.Unlock(); Cpu.Sleep(); Cpu.Lock(); }")]
    public Task Lambda_and_local_function(string @case, string body) => VerifyAsync(@case, $$"""
        static class Helper { public static void Nap() { Cpu.Sleep(); } }
        {{Driver(body)}}
        """);

    // ---------------------------------------------------------------- FPU0004 in members that are not methods

    [Theory]
    [InlineData("constructor returns held", "sealed class W { public {|FPU0004:W|}(bool flag) { Cpu.Lock(); if (flag) return; Cpu.Unlock(); } }")]
    [InlineData("constructor balanced", "sealed class W { public W(bool flag) { Cpu.Lock(); try { if (flag) return; } finally { Cpu.Unlock(); } } }")]
    [InlineData("getter returns held", "sealed class W { {|FPU0004~:public int P { get { Cpu.Lock(); return 0; } }|} }")]
    [InlineData("getter balanced", "sealed class W { public int P { get { Cpu.Lock(); Cpu.Unlock(); return 0; } } }")]
    [InlineData("setter exits what it never entered", "sealed class W { public int P { set { {|FPU0004:Cpu.Unlock()|}; } } }")]
    [InlineData("init accessor returns held", "sealed class W { {|FPU0004~:public int P { get => 0; init { Cpu.Lock(); } }|} }")]
    [InlineData("indexer getter returns held", "sealed class W { {|FPU0004~:public int this[int i] { get { Cpu.Lock(); return i; } }|} }")]
    [InlineData("event add returns held", "sealed class W { {|FPU0004~:public event Action E { add { Cpu.Lock(); } remove { } }|} }")]
    [InlineData("[EntersAtomicContext] getter may return held", "sealed class W { public int P { [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] get { Cpu.Lock(); return 0; } } }")]
    [InlineData("operator returns held", "sealed class W { {|FPU0004~:public static W operator +(W a, W b) { Cpu.Lock(); return a; }|} }")]
    [InlineData("operator balanced", "sealed class W { public static W operator +(W a, W b) { Cpu.Lock(); Cpu.Unlock(); return a; } }")]
    [InlineData("conversion returns held", "sealed class W { {|FPU0004~:public static implicit operator int(W w) { Cpu.Lock(); return 0; }|} }")]
    [InlineData("lambda returns held", "static class D { static void Run() { Action f = {|FPU0004~:() => { Cpu.Lock(); }|}; } }")]
    [InlineData("lambda balanced", "static class D { static void Run() { Action f = () => { Cpu.Lock(); Cpu.Unlock(); }; } }")]
    [InlineData("lambda exits what it never entered", "static class D { static void Run() { Action f = () => {|FPU0004:Cpu.Unlock()|}; } }")]
    [InlineData("local function returns held", "static class D { static void Run() { void {|FPU0004:Leak|}() { Cpu.Lock(); } } }")]
    [InlineData("local function balanced", "static class D { static void Run() { void Fine() { Cpu.Lock(); Cpu.Unlock(); } Fine(); } }")]
    public Task Imbalance_in_members(string @case, string source) => VerifyAsync(@case, source);

    // ---------------------------------------------------------------- contracts through the type system

    private const string Guard = """
        sealed class Guard : IDisposable
        {
            [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] public Guard() { }
            [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] public void Dispose() { }
        }
        """;

    [Theory]
    [InlineData("override takes [MaySleep] from its base",
        "class B { [MaySleep] public virtual void M() { } } sealed class D : B { public override void M() { } }",
        "var d = new D(); Cpu.Lock(); {|FPU0001:d.M()|}; Cpu.Unlock();")]
    [InlineData("override taking [MaySleep], called outside",
        "class B { [MaySleep] public virtual void M() { } } sealed class D : B { public override void M() { } }",
        "var d = new D(); d.M();")]
    [InlineData("implementation takes [MaySleep] from its interface",
        "interface I { [MaySleep] void M(); } sealed class C : I { public void M() { } }",
        "var c = new C(); Cpu.Lock(); {|FPU0001:c.M()|}; Cpu.Unlock();")]
    [InlineData("call through the interface uses its contract",
        "interface I { [MaySleep] void M(); } sealed class C : I { void I.M() { } }",
        "I i = new C(); Cpu.Lock(); {|FPU0001:i.M()|}; Cpu.Unlock();")]
    [InlineData("call through the base uses its contract",
        "class B { [MaySleep] public virtual void M() { } } sealed class D : B { [DoesNotSleep] public override void M() { } }",
        "B b = new D(); Cpu.Lock(); {|FPU0001:b.M()|}; Cpu.Unlock();")]
    [InlineData("nearest first: [DoesNotSleep] of the base beats [MaySleep] further up",
        "class A { [MaySleep] public virtual void M() { } } class B : A { [DoesNotSleep] public override void M() { } } sealed class C : B { public override void M() { Cpu.Sleep(); } }",
        "var c = new C(); Cpu.Lock(); c.M(); Cpu.Unlock();")]
    [InlineData("nearest first: [MaySleep] of the base beats [DoesNotSleep] further up",
        "class A { [DoesNotSleep] public virtual void M() { } } class B : A { [MaySleep] public override void M() { } } sealed class C : B { public override void M() { } }",
        "var c = new C(); Cpu.Lock(); {|FPU0001:c.M()|}; Cpu.Unlock();")]
    [InlineData("overrides take [EntersAtomicContext]/[ExitsAtomicContext]",
        "class B { [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] public virtual void Pin() { } [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] public virtual void Unpin() { } } sealed class D : B { public override void Pin() { } public override void Unpin() { } }",
        "var d = new D(); d.Pin(); {|FPU0001:Cpu.Sleep()|}; d.Unpin(); Cpu.Sleep();")]
    [InlineData("interface [EntersAtomicContext]/[ExitsAtomicContext], called through the interface",
        "interface IPin { [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] void Pin(); [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] void Unpin(); } sealed class P : IPin { public void Pin() { } public void Unpin() { } }",
        "IPin p = new P(); p.Pin(); {|FPU0001:Cpu.Sleep()|}; p.Unpin(); Cpu.Sleep();")]
    [InlineData("implementations of [EntersAtomicContext]/[ExitsAtomicContext] may be unbalanced",
        "interface IPin { [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] void Pin(); [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] void Unpin(); } sealed class P : IPin { public void Pin() { Cpu.Lock(); } public void Unpin() { Cpu.Unlock(); } }",
        "var p = new P(); p.Pin(); {|FPU0001:Cpu.Sleep()|}; p.Unpin();")]
    [InlineData("override takes [RequiresAtomicContext]",
        "class B { [RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)] public virtual void Handle() { } } sealed class D : B { public override void Handle() { {|FPU0001:Cpu.Sleep()|}; } }",
        "")]
    [InlineData("accessors with contracts enter and exit",
        "sealed class Pin { public int Hold { [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] get => 0; } public int Release { [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] set { } } }",
        "var p = new Pin(); var h = p.Hold; {|FPU0001:Cpu.Sleep()|}; p.Release = 0; Cpu.Sleep();")]
    [InlineData("guard: using (new Guard())", Guard, "using (new Guard()) { {|FPU0001:Cpu.Sleep()|}; } Cpu.Sleep();")]
    [InlineData("guard: using declaration", Guard, "{ using var g = new Guard(); {|FPU0001:Cpu.Sleep()|}; } Cpu.Sleep();")]
    [InlineData("guard: early return out of the using", Guard, "using (var g = new Guard()) { if (flag) return; {|FPU0001:Cpu.Sleep()|}; } Cpu.Sleep();")]
    [InlineData("guard: scope typed IDisposable", Guard, "using (IDisposable s = new Guard()) { {|FPU0001:Cpu.Sleep()|}; } Cpu.Sleep();")]
    [InlineData("guard: Dispose takes [ExitsAtomicContext] from its base",
        "abstract class ScopeBase : IDisposable { [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] public abstract void Dispose(); } sealed class Guard : ScopeBase { [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] public Guard() { } public override void Dispose() { } }",
        "using (new Guard()) { {|FPU0001:Cpu.Sleep()|}; } Cpu.Sleep();")]
    [InlineData("guard: kept in a field and disposed later in the method",
        Guard + "\nsealed class Owner { Guard guard; public void Use() { guard = new Guard(); {|FPU0001:Cpu.Sleep()|}; guard.Dispose(); Cpu.Sleep(); } }",
        "")]
    public Task Contracts(string @case, string types, string use) => VerifyAsync(@case, types + "\n" + Driver(use));

    [Fact]
    public Task A_guard_whose_Dispose_does_not_exit_leaves_the_context_held() => VerifyAsync("guard without exit", """
        sealed class Guard : IDisposable
        {
            [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] public Guard() { }
            public void Dispose() { }
        }
        """ + "\n" + Driver("using (new Guard()) { {|FPU0001:Cpu.Sleep()|}; } {|FPU0001:Cpu.Sleep()|};", "{|FPU0004:Run|}"));

    // ---------------------------------------------------------------- exceptions

    [Theory]
    [InlineData("catch sees a lock taken mid-try", "try { Cpu.Lock(); Cpu.Work(); Cpu.Unlock(); } catch { {|FPU0001:Cpu.Sleep()|}; throw; }")]
    [InlineData("catch sees a lock held before the try", "Cpu.Lock(); try { Cpu.Work(); } catch { {|FPU0001:Cpu.Sleep()|}; } Cpu.Unlock();")]
    // Entering and leaving a context is taken not to throw (rule page, "Exceptions"): here nothing can throw before the unlock.
    [InlineData("catch does not see the start of the try when nothing before its unlock may throw", "Cpu.Lock(); try { Cpu.Unlock(); Cpu.Work(); } catch { Cpu.Sleep(); throw; }")]
    [InlineData("catch sees the state where the first call of the try may throw", "Cpu.Lock(); try { Cpu.Work(); Cpu.Unlock(); } catch { {|FPU0001:Cpu.Sleep()|}; throw; }")]
    [InlineData("catch after a nested finally that released does not", "try { try { Cpu.Lock(); Cpu.Work(); } finally { Cpu.Unlock(); } } catch { Cpu.Sleep(); }")]
    [InlineData("filter sees the lock before a nested finally released it", "try { try { Cpu.Lock(); Cpu.Work(); } finally { Cpu.Unlock(); } } catch (Exception) when ({|FPU0001:Cpu.SleepCheck()|}) { }")]
    [InlineData("filter sees a lock taken mid-try", "try { Cpu.Lock(); Cpu.Work(); Cpu.Unlock(); } catch (Exception) when ({|FPU0001:Cpu.SleepCheck()|}) { throw; }")]
    [InlineData("filter of a try that never holds the lock", "Cpu.Lock(); Cpu.Unlock(); try { Cpu.Work(); } catch (Exception) when (Cpu.SleepCheck()) { }")]
    [InlineData("finally on return", "Cpu.Lock(); try { if (flag) return; Cpu.Work(); } finally { Cpu.Unlock(); } Cpu.Sleep();")]
    [InlineData("finally on break and continue", "for (var i = 0; i < n; i++) { Cpu.Lock(); try { if (flag) break; if (i == 1) continue; Cpu.Work(); } finally { Cpu.Unlock(); } } Cpu.Sleep();")]
    [InlineData("finally on throw", "Cpu.Lock(); try { if (flag) throw new InvalidOperationException(); Cpu.Work(); } finally { Cpu.Unlock(); } Cpu.Sleep();")]
    [InlineData("finally on goto", "Cpu.Lock(); try { if (flag) goto done; Cpu.Work(); } finally { Cpu.Unlock(); } done: Cpu.Sleep();")]
    [InlineData("finally runs with the lock held", "Cpu.Lock(); try { Cpu.Work(); } finally { {|FPU0001:Cpu.Sleep()|}; Cpu.Unlock(); }")]
    public Task Exceptions(string @case, string body) => VerifyAsync(@case, Driver(body));

    [Fact]
    public Task A_catch_that_swallows_a_mid_try_exception_returns_held() => VerifyAsync("catch swallows",
        Driver("try { Cpu.Lock(); Cpu.Work(); Cpu.Unlock(); } catch { }", "{|FPU0004:Run|}"));

    // ---------------------------------------------------------------- the flag idiom

    [Theory]
    [InlineData("sleep inside the flagged region", "bool locked = false; try { Cpu.Lock(); locked = true; {|FPU0001:Cpu.Sleep()|}; } finally { if (locked) Cpu.Unlock(); } Cpu.Sleep();")]
    [InlineData("work before the lock", "bool locked = false; try { Cpu.Work(); Cpu.Lock(); locked = true; Cpu.Work(); } finally { if (locked) Cpu.Unlock(); } Cpu.Sleep();")]
    [InlineData("early return", "bool locked = false; try { Cpu.Lock(); locked = true; if (flag) return; Cpu.Work(); } finally { if (locked) { Cpu.Unlock(); } } Cpu.Sleep();")]
    public Task Flag_idiom(string @case, string body) => VerifyAsync(@case, Driver(body));

    // ================================================================ the runner

    private static readonly Regex MarkupStart = new(@"\G\{\|(FPU\d{4})(~?):", RegexOptions.Compiled);

    private sealed record Expectation(string Id, bool Within, TextSpan Span);

    private static (string Source, List<Expectation> Expected) Parse(string markup)
    {
        var output = new StringBuilder();
        var open = new Stack<(string Id, bool Within, int Start)>();
        var expected = new List<Expectation>();
        for (var i = 0; i < markup.Length;)
        {
            var start = MarkupStart.Match(markup, i);
            if (start.Success)
            {
                open.Push((start.Groups[1].Value, start.Groups[2].Value == "~", output.Length));
                i += start.Length;
            }
            else if (open.Count > 0 && string.CompareOrdinal(markup, i, "|}", 0, 2) == 0)
            {
                var (id, within, from) = open.Pop();
                expected.Add(new Expectation(id, within, TextSpan.FromBounds(from, output.Length)));
                i += 2;
            }
            else
            {
                output.Append(markup[i++]);
            }
        }

        Assert.True(open.Count == 0, "unclosed markup");
        return (output.ToString(), expected);
    }

    private static async Task VerifyAsync(string @case, string markup)
    {
        var (source, expected) = Parse(Prelude + markup);
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Test0.cs");
        var compilation = CSharpCompilation.Create("Matrix" + Guid.NewGuid().ToString("N"), new[] { tree }, TestReferences.SharedFramework(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var text = tree.GetText();
        var preludeLines = Prelude.Count(c => c == '\n');
        string Where(TextSpan span)
        {
            var lines = text.Lines.GetLinePositionSpan(span);
            return $"{lines.Start.Line - preludeLines + 1}:{lines.Start.Character + 1}-{lines.End.Line - preludeLines + 1}:{lines.End.Character + 1} '{text.ToString(span)}'";
        }

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"[{@case}] does not compile:\n" + string.Join("\n", errors.Select(e => $"{e.Id} at {Where(e.Location.SourceSpan)}: {e.GetMessage()}")));

        var actual = (await compilation.WithAnalyzers(FixMeaning.AllAnalyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None)).ToList();
        var unmatched = new List<Diagnostic>(actual);
        var missing = new List<Expectation>();
        foreach (var e in expected.OrderBy(e => e.Within))
        {
            var hit = unmatched.FirstOrDefault(d => d.Id == e.Id && d.Location.IsInSource
                && (e.Within ? e.Span.Contains(d.Location.SourceSpan) : d.Location.SourceSpan == e.Span));
            if (hit is null)
            {
                missing.Add(e);
            }
            else if (e.Within)
            {
                // A construct may run user code more than once (each Add of an initializer): all of it is reported there.
                unmatched.RemoveAll(d => d.Id == e.Id && d.Location.IsInSource && e.Span.Contains(d.Location.SourceSpan));
            }
            else
            {
                unmatched.Remove(hit);
            }
        }

        if (missing.Count == 0 && unmatched.Count == 0)
        {
            return;
        }

        var report = new StringBuilder($"[{@case}]\n");
        foreach (var e in missing)
        {
            report.AppendLine($"  expected, not reported: {e.Id} {(e.Within ? "within" : "at")} {Where(e.Span)}");
        }

        foreach (var d in unmatched)
        {
            report.AppendLine($"  reported, not expected: {d.Id} at {(d.Location.IsInSource ? Where(d.Location.SourceSpan) : "(no source)")}: {d.GetMessage()}");
        }

        var numbered = markup.Split('\n').Select((line, index) => $"{index + 1,3}  {line}");
        Assert.Fail(report + "source:\n" + string.Join("\n", numbered));
    }
}
