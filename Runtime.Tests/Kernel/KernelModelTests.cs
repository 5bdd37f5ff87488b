using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using CsCheck;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>
/// Model-based random testing: random operation sequences on several tasks, checked after every step
/// against a reference model of what each task's registers must hold. Invariants: nothing is lost or
/// leaked between tasks, every allocated buffer is owned by exactly one live task, no sleeping in an
/// atomic context (it would throw), no bad free (it would throw), contexts balanced. A failure prints
/// CsCheck's seed and the operation log.
/// </summary>
public class KernelModelTests
{
    private sealed class TaskModel
    {
        public Dictionary<XFeature, byte[]> Registers { get; } = new();

        public bool Allocated { get; set; }

        public ThreadGroupModel Group { get; set; } = null!;
    }

    private sealed class ThreadGroupModel
    {
        public bool TilePermitted { get; set; }
    }

    private sealed class Run
    {
        private readonly Random _random;
        private readonly Kernel _kernel;
        private readonly Dictionary<KernelTask, TaskModel> _model = new();
        private readonly Dictionary<KernelTask, TaskModel> _zombies = new();
        private readonly List<string> _log = new();
        private readonly XFeature[] _features;

        public Run(CpuProfile profile, int seed)
        {
            _random = new Random(seed);
            _kernel = new Kernel(profile.Layout);
            _features = _kernel.Cpu.Xcr0.Features().ToArray();
            for (var i = 0; i < 3; i++)
            {
                var task = _kernel.CreateProcess($"p{i}");
                _model[task] = new TaskModel { Group = new ThreadGroupModel() };
            }
        }

        private bool Dynamic(XFeature feature) => _kernel.DynamicFeatures.Has(feature);

        public void Step()
        {
            var users = _model.Keys.ToList();
            var task = users[_random.Next(users.Count)];
            switch (_random.Next(11))
            {
                case 10: Grow(task); break;
                case 0: Switch(task); break;
                case 1: case 2: Touch(task, injectFailure: _random.Next(4) == 0); break;
                case 3: Read(task); break;
                case 4: PtraceGet(task); break;
                case 5: PtraceSet(task); break;
                case 6: SignalRoundTrip(task); break;
                case 7: Fork(task); break;
                case 8: RequestPermission(task); break;
                default: Exit(task); break;
            }

            if (_zombies.Count > 0 && _random.Next(3) == 0)
            {
                ReapSomeZombie();
            }

            CheckInvariants();
        }

        private void Log(string entry) => _log.Add(entry);

        public string History => string.Join("\n", _log.TakeLast(40));

        private void Switch(KernelTask task)
        {
            Log($"switch {task}");
            _kernel.SwitchTo(task);
        }

        private byte[] RandomImage(XFeature feature)
        {
            var bytes = new byte[_kernel.Cpu.GetRegisterFileSize(feature)];
            _random.NextBytes(bytes);
            return bytes;
        }

        private byte[] Expected(TaskModel model, XFeature feature)
        {
            if (model.Registers.TryGetValue(feature, out var value))
            {
                return value;
            }

            var init = new byte[_kernel.Cpu.GetRegisterFileSize(feature)];
            if (feature == XFeature.X87)
            {
                init[0] = Cpu.FcwInit & 0xFF;
                init[1] = Cpu.FcwInit >> 8;
            }

            return init;
        }

        private void Touch(KernelTask task, bool injectFailure)
        {
            Switch(task);
            var model = _model[task];
            var feature = _features[_random.Next(_features.Length)];
            var value = RandomImage(feature);
            Log($"touch {feature}{(injectFailure ? " (allocation fails)" : "")}");
            if (injectFailure)
            {
                _kernel.Memory.FailNthAllocation(1);
            }

            var signal = _kernel.UserWriteRegisters(feature, value);
            _kernel.Memory.ClearFaultInjection();
            Assert.Equal(ExpectedSignal(model, feature, injectFailure), signal);
            if (signal == Signal.None)
            {
                model.Registers[feature] = value;
                model.Allocated |= Dynamic(feature);
            }
        }

        private Signal ExpectedSignal(TaskModel model, XFeature feature, bool allocationFails)
        {
            if (!Dynamic(feature) || model.Allocated)
            {
                return Signal.None;
            }

            if (!model.Group.TilePermitted)
            {
                return Signal.SIGILL;
            }

            return allocationFails ? Signal.SIGSEGV : Signal.None;
        }

        private void Read(KernelTask task)
        {
            Switch(task);
            var model = _model[task];
            var feature = _features[_random.Next(_features.Length)];
            Log($"read {feature}");
            var signal = _kernel.UserReadRegisters(feature, out var value);
            Assert.Equal(ExpectedSignal(model, feature, false), signal);
            if (signal == Signal.None)
            {
                model.Allocated |= Dynamic(feature);
                Assert.Equal(Expected(model, feature), value);
            }
        }

        private KernelTask? Stopped(KernelTask task)
        {
            if (!ReferenceEquals(task, _kernel.Current))
            {
                return task;
            }

            Switch(_kernel.Idle);
            return task;
        }

        private void PtraceGet(KernelTask task)
        {
            Stopped(task);
            Log($"ptrace get {task}");
            var image = _kernel.XStateRegsGet(task);
            var present = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(512));
            var model = _model[task];
            foreach (var feature in _features)
            {
                var actual = present.Has(feature) ? FromImage(image, feature) : Expected(new TaskModel(), feature);
                Assert.True(Expected(model, feature).AsSpan().SequenceEqual(actual), $"ptrace get {task}: {feature} is {Convert.ToHexString(actual)}, expected {Convert.ToHexString(Expected(model, feature))}");
            }
        }

        private byte[] FromImage(byte[] image, XFeature feature) => feature switch
        {
            XFeature.X87 => image.AsSpan(0, 24).ToArray().Concat(image.AsSpan(32, 128).ToArray()).ToArray(),
            XFeature.Sse => image.AsSpan(160, 256).ToArray(),
            _ => image.AsSpan(_kernel.Layout.GetComponent(feature).StandardOffset, _kernel.Layout.GetComponent(feature).Size).ToArray(),
        };

        private void ToImage(byte[] image, XFeature feature, byte[] value)
        {
            switch (feature)
            {
                case XFeature.X87:
                    value.AsSpan(0, 24).CopyTo(image);
                    value.AsSpan(24).CopyTo(image.AsSpan(32));
                    break;
                case XFeature.Sse:
                    value.CopyTo(image, 160);
                    break;
                default:
                    value.CopyTo(image, _kernel.Layout.GetComponent(feature).StandardOffset);
                    break;
            }

            var bv = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(512)) | (ulong)feature.ToMask();
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(512), bv);
        }

        // Writes random values into some components of an image; returns what it wrote. Tile data only where
        // permitted, and for a task whose buffer has not grown only if asked (a signal frame has no room for it).
        private Dictionary<XFeature, byte[]> Scribble(byte[] image, TaskModel model, bool includeUngrown)
        {
            var written = new Dictionary<XFeature, byte[]>();
            foreach (var feature in _features.Where(_ => _random.Next(3) == 0))
            {
                if (Dynamic(feature) && (!model.Group.TilePermitted || (!model.Allocated && !includeUngrown)))
                {
                    continue;
                }

                var value = RandomImage(feature);
                ToImage(image, feature, value);
                written[feature] = value;
            }

            return written;
        }

        private void PtraceSet(KernelTask task)
        {
            Stopped(task);
            var model = _model[task];
            var image = _kernel.XStateRegsGet(task);
            var written = Scribble(image, model, includeUngrown: true);
            var refused = written.Keys.Any(f => Dynamic(f) && !model.Allocated);
            Log($"ptrace set {task}: {string.Join(",", written.Keys)}{(refused ? " (tile data, buffer not grown: EINVAL)" : "")}");
            var allocations = _kernel.Memory.AllocationAttempts;
            var result = _kernel.XStateRegsSet(task, image);
            Assert.Equal(allocations, _kernel.Memory.AllocationAttempts); // ptrace never grows a buffer
            if (refused)
            {
                Assert.Equal(Errno.EINVAL, result.Errno);
                return;
            }

            Assert.True(result.IsSuccess, result.ToString());
            foreach (var (feature, value) in written)
            {
                model.Registers[feature] = value;
            }
        }

        private void SignalRoundTrip(KernelTask task)
        {
            Switch(task);
            var model = _model[task];
            Log($"signal {task}");
            var frame = _kernel.DeliverSignal();
            var written = Scribble(frame, model, includeUngrown: false);
            var result = _kernel.RestoreSigframe(frame);
            Assert.True(result.IsSuccess, result.ToString());
            foreach (var (feature, value) in written)
            {
                model.Registers[feature] = value;
            }
        }

        private void Fork(KernelTask parent)
        {
            if (_model.Count >= 8)
            {
                return;
            }

            var thread = _random.Next(2) == 0;
            Switch(parent); // only the running task forks
            var child = _kernel.Fork(parent, parent.Name + "+", thread);
            Log($"fork {parent} -> {child}{(thread ? " (thread)" : "")}");
            var parentModel = _model[parent];
            var childModel = new TaskModel
            {
                Group = thread ? parentModel.Group : new ThreadGroupModel { TilePermitted = parentModel.Group.TilePermitted },
            };
            foreach (var (feature, value) in parentModel.Registers.Where(r => !Dynamic(r.Key)))
            {
                childModel.Registers[feature] = value;
            }

            _model[child] = childModel;
        }

        // A direct realloc right after the switch: the registers are not live yet, so they must be loaded first.
        private void Grow(KernelTask task)
        {
            var model = _model[task];
            if (!model.Group.TilePermitted)
            {
                return; // Callers check permission first, as xfd_enable_feature does.
            }

            Switch(task);
            Log($"realloc {task} for the dynamic features");
            var result = _kernel.ReallocXStateBuffer(task, _kernel.DynamicFeatures);
            Assert.True(result.IsSuccess, result.ToString());
            model.Allocated |= _kernel.DynamicFeatures != XFeatureMask.None;
        }

        private void RequestPermission(KernelTask task)
        {
            Log($"permit tile data for {task}");
            var result = _kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData);
            Assert.Equal(_kernel.Cpu.Xcr0.Has(XFeature.XTileData), result.IsSuccess);
            _model[task].Group.TilePermitted |= result.IsSuccess && _kernel.DynamicFeatures.Has(XFeature.XTileData);
        }

        private void Exit(KernelTask task)
        {
            if (_model.Count <= 2)
            {
                return;
            }

            Switch(task); // only the running task exits
            Log($"exit {task}");
            _kernel.ExitTask(task);
            _zombies[task] = _model[task];
            _model.Remove(task);
        }

        private void ReapSomeZombie()
        {
            var zombie = _zombies.Keys.First();
            Log($"reap {zombie}");
            _kernel.ReapTask(zombie);
            _zombies.Remove(zombie);
        }

        private void CheckInvariants()
        {
            Assert.False(_kernel.InAtomicContext);
            // A zombie keeps its buffer until it is reaped.
            Assert.Equal(_model.Concat(_zombies).Count(m => m.Value.Allocated), _kernel.Memory.LiveAllocations);
            foreach (var (task, model) in _model)
            {
                Assert.Equal(model.Allocated, task.Fpu.IsDynamic);
                Assert.Equal(_kernel.GetXStateSize(task.Fpu.StateMask), task.Fpu.StateSize);
                Assert.True(task.Fpu.State.Size >= task.Fpu.StateSize);

                // The buffer's own figures agree with the triple and with each other.
                var fpstate = task.Fpu.FpState;
                Assert.Equal(task.Fpu.StateMask, fpstate.XFeatures);
                Assert.Equal(task.Fpu.StateSize, fpstate.Size);
                Assert.Equal(fpstate.XFeatures & _kernel.FpuUserCfg.MaxFeatures, fpstate.UserXFeatures);
                Assert.Equal(_kernel.Layout.GetBufferSize(fpstate.UserXFeatures, XSaveFormat.Standard), fpstate.UserSize);
                Assert.Equal(_kernel.DynamicFeatures & ~fpstate.XFeatures, fpstate.Xfd);
            }
        }
    }

    public static TheoryData<string> Profiles() => new(CpuProfiles.All.Select(p => p.Id));

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Random_operation_sequences_agree_with_the_reference_model(string profileId)
    {
        var profile = CpuProfiles.Get(profileId);
        Gen.Int.Sample(seed =>
        {
            var run = new Run(profile, seed);
            for (var step = 0; step < 60; step++)
            {
                try
                {
                    run.Step();
                }
                catch (Exception error)
                {
                    throw new InvalidOperationException($"{profile.Id}, seed {seed}, step {step}:\n{run.History}", error);
                }
            }
        }, iter: 400);
    }
}
