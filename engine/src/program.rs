// SPDX-License-Identifier: GPL-2.0

//! A loaded program: one wasmi engine, store and instance, its attach points and `report`.
//!
//! [`Program::instantiate_again`] makes more instances of the same compiled module (one
//! per CPU in per-CPU mode), each with its own store, memory, globals and value stack.

use alloc::sync::Arc;
use alloc::vec::Vec;
use wasmi::{
    CompilationMode, Config, EnforcedLimits, Engine, Func, Linker, Memory, Module,
    ResolvedTypedFunc, ResumableCall, Store, TypedFunc, TypedResumableCall, Val, WasmParams,
};

use crate::abi::{self, AttachPoint, Exports, ParamType, MAX_PARAMS};
use crate::error::{load_error, LoadError, Trap, TrapKind};
use crate::host::{self, Ctx, HostOps, HostState, Phase};
use crate::limits::{Limiter, Limits, Refusal, WASM_PAGE};
use crate::maps::Maps;

/// A module whose only function recurses without end: calling it once at load grows the
/// call stack to its limit, so calls afterwards never allocate for frames.
/// `(module (func $f (export "f") (call $f)))`
const WARM_UP_WASM: [u8; 33] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
    0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00,
    0x0b,
];

/// What `report` produced: the string's length in the caller's buffer, and whether it was
/// longer than the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportOutput {
    /// Bytes written (no NUL).
    pub len: usize,
    /// The string did not fit and was cut.
    pub truncated: bool,
}

/// Why `report` gave nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportError {
    /// The program has no `report` export.
    NoReport,
    /// It trapped.
    Trap(Trap),
}

/// A handler: typed when it takes no parameters (most do) or only `i64`s (a tracepoint's
/// and most argument-taking kprobe handlers' shape), which spares every call wasmi's
/// dynamic signature check and value conversions, and resolved in its store once, which
/// spares every call the lookup (patches/wasmi/0010); untyped when it mixes `i32`s in.
#[derive(Clone, Copy)]
enum Handler {
    NoParams(ResolvedTypedFunc<(), ()>),
    I64x1(ResolvedTypedFunc<i64, ()>),
    I64x2(ResolvedTypedFunc<(i64, i64), ()>),
    I64x3(ResolvedTypedFunc<(i64, i64, i64), ()>),
    I64x4(ResolvedTypedFunc<(i64, i64, i64, i64), ()>),
    I64x5(ResolvedTypedFunc<(i64, i64, i64, i64, i64), ()>),
    I64x6(ResolvedTypedFunc<(i64, i64, i64, i64, i64, i64), ()>),
    Params(Func),
}

impl Handler {
    /// The fastest way to call `f`, a handler of `n` parameters, in the instantiated
    /// `store`.
    fn new(f: Func, store: &Store<HostState>, n: usize) -> Self {
        fn resolved<P: WasmParams>(
            f: Func,
            store: &Store<HostState>,
        ) -> Result<ResolvedTypedFunc<P, ()>, wasmi::Error> {
            f.typed::<P, ()>(store).map(|t| t.resolve(store))
        }
        let typed = match n {
            0 => resolved(f, store).map(Handler::NoParams),
            1 => resolved(f, store).map(Handler::I64x1),
            2 => resolved(f, store).map(Handler::I64x2),
            3 => resolved(f, store).map(Handler::I64x3),
            4 => resolved(f, store).map(Handler::I64x4),
            5 => resolved(f, store).map(Handler::I64x5),
            _ => resolved(f, store).map(Handler::I64x6),
        };
        typed.unwrap_or(Handler::Params(f))
    }
}

/// How a resumable call ended, typed or not.
enum Ended {
    Finished,
    OutOfFuel,
    HostTrap,
}

impl Ended {
    /// How a typed call ended. A suspended call is abandoned into `store`: its value stack
    /// (the store's resident one) goes back to the store, so that no call, not even one
    /// that runs out of fuel, touches the engine's stack cache, which every instance of
    /// the program shares (patches/wasmi).
    ///
    /// Cold: a call that finished is told apart where it was made, without moving its
    /// outcome (a handle, in case it is suspended) into this function's parameters.
    #[cold]
    fn typed<T, R>(store: &mut Store<T>, call: TypedResumableCall<R>) -> Self {
        match call {
            TypedResumableCall::Finished(_) => Ended::Finished,
            TypedResumableCall::OutOfFuel(c) => {
                c.abandon(store);
                Ended::OutOfFuel
            }
            TypedResumableCall::HostTrap(c) => {
                c.abandon(store);
                Ended::HostTrap
            }
        }
    }

    /// How an untyped call ended; as [`Ended::typed`].
    fn untyped<T>(store: &mut Store<T>, call: ResumableCall) -> Self {
        match call {
            ResumableCall::Finished => Ended::Finished,
            ResumableCall::OutOfFuel(c) => {
                c.abandon(store);
                Ended::OutOfFuel
            }
            ResumableCall::HostTrap(c) => {
                c.abandon(store);
                Ended::HostTrap
            }
        }
    }
}

/// Prepares a call: what is running, the context host callbacks get, the CPU it runs on
/// (or [`host::CPU_ASK`]), and `fuel`. On the store alone, so that a call can hold its
/// handler, another field of the program, meanwhile.
fn enter(store: &mut Store<HostState>, phase: Phase, ctx: Ctx, cpu: u32, fuel: u64) {
    let state = store.data_mut();
    state.phase = phase;
    state.ctx = ctx;
    state.cpu = cpu;
    state.host_trap = None;
    // Fails only when fuel metering is off, and it is always on.
    let _ = store.set_fuel(fuel);
}

/// Calls a handler of one signature, out of line. Inlined into [`Program::call`], wasmi's
/// call state for each of the eight signatures took its own stack slots there, side by
/// side: a 3 KiB frame on every hit, on whatever kernel stack the hit runs on (an NMI's
/// is 8 KiB). Out of line, a hit's stack holds the state of the one signature it calls.
#[inline(never)]
fn call_typed<P: WasmParams>(
    store: &mut Store<HostState>,
    f: &ResolvedTypedFunc<P, ()>,
    params: P,
) -> Result<Ended, wasmi::Error> {
    let call = f.call_resumable(&mut *store, params)?;
    if let TypedResumableCall::Finished(()) = call {
        // A finished call holds nothing to drop; forgotten, it costs no drop glue.
        core::mem::forget(call);
        return Ok(Ended::Finished);
    }
    Ok(Ended::typed(store, call))
}

/// [`call_typed`] for a handler whose parameters are not all `i64`: an untyped call.
#[inline(never)]
fn call_untyped(
    store: &mut Store<HostState>,
    func: Func,
    params: &[Val],
) -> Result<Ended, wasmi::Error> {
    func.call_resumable(&mut *store, params, &mut [])
        .map(|c| Ended::untyped(store, c))
}

/// A loaded, instantiated program.
pub struct Program {
    store: Store<HostState>,
    /// Kept alive for as long as the store: its passive data segments are shared with
    /// the instance, so a `data.drop` in a call only drops a reference and never frees
    /// (calls run where the allocator must not be entered).
    _module: Module,
    attach: Vec<AttachPoint>,
    /// Each attach point's handler and the phase it runs in: one lookup for a hit.
    handlers: Vec<(Handler, Phase)>,
    report: Option<TypedFunc<(), i32>>,
    memory: Option<Memory>,
    code_bytes: usize,
    compat: crate::compat::Compat,
    /// What it was loaded with, for [`Program::instantiate_again`].
    limits: Limits,
    ops: &'static HostOps,
    /// The maps, shared with the store's host functions and with readers on any CPU.
    maps: Arc<Maps>,
    /// Its memory's slot in the maps, where readers find its cells.
    cells_slot: Option<usize>,
}

impl Drop for Program {
    fn drop(&mut self) {
        // Before the store and its memory go: readers stop adding up this one's cells.
        if let Some(slot) = self.cells_slot {
            self.maps.detach_memory(slot);
        }
    }
}

fn engine_config(limits: &Limits) -> Config {
    let mut config = Config::default();
    // Compile everything at load: lazy compilation would do work and allocate in a probe.
    config.compilation_mode(CompilationMode::Eager);
    config.consume_fuel(true);
    config.enforced_limits(EnforcedLimits::strict());
    // A value stack of fixed size, allocated once; one cached stack, reused by every call
    // (calls into a program are serialized by the caller).
    let stack = (limits.stack_bytes as usize).max(1024) & !7;
    config.set_max_stack_height(stack);
    config.set_min_stack_height(stack);
    config.set_max_recursion_depth(limits.max_call_depth.max(1) as usize);
    config.set_max_cached_stacks(1);
    // The program's store keeps that stack and runs each call in place on it: no engine
    // handle clone, no lock and no moves of the stack per call (patches/wasmi).
    config.resident_stack(true);
    config
}

/// Maps an instantiation failure to the load error that names its cause; `host_trap` is
/// why a host function that the `start` function called ended it, if one did.
fn instantiate_error(err: &wasmi::Error, state: &mut HostState, limits: &Limits) -> LoadError {
    if let Some(e) = state.load_error.take() {
        return e;
    }
    let (refused, host_trap) = (state.limiter.refused, state.host_trap);
    match refused {
        Refusal::Memory { desired_bytes } => {
            return load_error!(
                E2BIG,
                "linear memory of {} pages is over the limit of {} pages (max_memory_pages)",
                desired_bytes as u64 / WASM_PAGE,
                limits.max_memory_pages
            )
        }
        Refusal::Table { desired } => {
            return load_error!(
                E2BIG,
                "a table of {desired} elements is over the limit of {} (max_table_elements)",
                limits.max_table_elements
            )
        }
        Refusal::None => {}
    }
    if let Some(trap) = host_trap {
        return load_error!(EINVAL, "the start function trapped: {trap}");
    }
    match err.as_trap_code() {
        Some(code) => load_error!(EINVAL, "the start function trapped: {}", Trap::from(code)),
        None => load_error!(EINVAL, "instantiation failed: {err}"),
    }
}

impl Program {
    /// Validates, compiles and instantiates `code`, running its `start` function; host
    /// functions that `start` calls get `ctx` back, as handlers get theirs.
    pub fn load(
        code: &[u8],
        limits: &Limits,
        ops: &'static HostOps,
        ctx: Ctx,
    ) -> Result<Self, LoadError> {
        if code.len() as u64 > limits.max_code_bytes {
            return Err(load_error!(
                E2BIG,
                "code is {} bytes, over the limit of {} (max_code_bytes)",
                code.len(),
                limits.max_code_bytes
            ));
        }
        if code.is_empty() {
            return Err(load_error!(EINVAL, "code is empty"));
        }
        crate::prescan::prescan(code)?;
        let engine = Engine::new(&engine_config(limits));
        let module = Module::new(&engine, code).map_err(|e| match e.kind() {
            wasmi::errors::ErrorKind::UserLimits(_)
            | wasmi::errors::ErrorKind::ImplementationLimits(_) => {
                load_error!(E2BIG, "over an engine limit: {e}")
            }
            _ => load_error!(EINVAL, "invalid Wasm: {e}"),
        })?;

        let takes_pointers = abi::check_imports(&module)?;
        let exports = abi::check_exports(&module)?;
        if exports.attach.len() > limits.max_attach_points as usize {
            return Err(load_error!(
                E2BIG,
                "{} attach points, over the limit of {} (max_attach_points)",
                exports.attach.len(),
                limits.max_attach_points
            ));
        }
        if !exports.memory && exports.report {
            return Err(load_error!(
                EINVAL,
                "export \"report\" needs an exported \"memory\""
            ));
        }
        if !exports.memory && takes_pointers {
            return Err(load_error!(
                EINVAL,
                "a host function taking pointers is imported, but no \"memory\" is exported"
            ));
        }

        Self::instantiate(module, exports, code.len(), limits, ops, ctx, None)
    }

    /// Makes another instance of the program's compiled module, with a store, memory,
    /// globals and value stack of its own, running its `start` function as [`Self::load`]
    /// did; host functions that `start` calls get `ctx`. Only the compiled code and the
    /// engine are shared, and calls into one instance never touch another's state nor
    /// anything of the engine's that takes a lock: per-CPU instances run at once.
    pub fn instantiate_again(&self, ctx: Ctx) -> Result<Self, LoadError> {
        // The exports were checked at load; this only lists them again.
        let exports = abi::check_exports(&self._module)?;
        Self::instantiate(
            self._module.clone(),
            exports,
            self.code_bytes,
            &self.limits,
            self.ops,
            ctx,
            Some(&self.maps),
        )
    }

    /// Instantiates `module`, whose imports and `exports` were checked, in a store of its
    /// own. Another instance of a loaded program gets that program's `maps`, which its
    /// `start` declares again rather than anew.
    fn instantiate(
        module: Module,
        exports: Exports,
        code_bytes: usize,
        limits: &Limits,
        ops: &'static HostOps,
        ctx: Ctx,
        maps: Option<&Arc<Maps>>,
    ) -> Result<Self, LoadError> {
        let engine = module.engine().clone();
        // Before the store exists: its first root call takes the engine's cached stack as
        // its resident one, which must be the warm one.
        warm_up(&engine)?;
        let mut state = HostState::new(ops, Limiter::new(limits), limits);
        if let Some(maps) = maps {
            state = state.sharing_maps(Arc::clone(maps));
        }
        let mut store = Store::new(&engine, state);
        store.data_mut().ctx = ctx;
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(limits.start_fuel)
            .map_err(|e| load_error!(EINVAL, "fuel: {e}"))?;
        let mut linker = Linker::new(&engine);
        host::define(&mut linker).map_err(|e| load_error!(EINVAL, "host functions: {e}"))?;
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| instantiate_error(&e, store.data_mut(), limits))?;

        // A root call now, in process context, so that the store adopts the warm stack
        // if `start` did not: left in the engine's cache, the first handler would take
        // it from there, behind the engine's lock, and another instance's warm-up could
        // push it out.
        Func::wrap(&mut store, || {})
            .call(&mut store, &[], &mut [])
            .map_err(|e| load_error!(ENOMEM, "first call: {e}"))?;
        let memory = instance.get_memory(&store, "memory");
        store.data_mut().memory = memory;
        if exports.init {
            // Like `start`: at load, in process context, with the start fuel left.
            let init = instance
                .get_typed_func::<(), ()>(&store, abi::INIT_EXPORT)
                .map_err(|e| load_error!(EINVAL, "export \"{}\": {e}", abi::INIT_EXPORT))?;
            init.call(&mut store, ()).map_err(|e| {
                let state = store.data_mut();
                if let Some(e) = state.load_error.take() {
                    return e;
                }
                let trap = match (state.host_trap.take(), e.as_trap_code()) {
                    (Some(t), _) => t,
                    (None, Some(code)) => Trap::from(code),
                    (None, None) => Trap::new(TrapKind::Other, c"trap"),
                };
                load_error!(EINVAL, "export \"{}\" trapped: {trap}", abi::INIT_EXPORT)
            })?;
        }
        let state = store.data();
        if maps.is_some() && state.declared != state.maps.len() {
            return Err(load_error!(
                EINVAL,
                "map_declare: another instance declared {} maps, the first {}",
                state.declared,
                state.maps.len()
            ));
        }
        let maps = Arc::clone(&state.maps);
        store.data_mut().ctx = core::ptr::null_mut();
        store.data_mut().limiter.loaded = true;
        // Fixed from now on (growth is refused): host functions read it without the store.
        let mut raw_memory = None;
        if let Some(m) = memory {
            let view = host::MemoryView::of(m, &mut store);
            raw_memory = Some(view.raw());
            store.data_mut().view = Some(view);
        }
        let func = |name: &str| {
            instance
                .get_func(&store, name)
                .ok_or_else(|| load_error!(EINVAL, "export \"{name}\" vanished"))
        };
        let handlers = exports
            .attach
            .iter()
            .map(|ap| {
                let handler = Handler::new(func(ap.export())?, &store, ap.params.len());
                let phase = if ap.kind.on_return {
                    Phase::Post
                } else {
                    Phase::Pre
                };
                Ok((handler, phase))
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        // `check_exports` made sure `report` is `() -> i32`.
        let report = match exports.report {
            true => Some(
                func("report")?
                    .typed::<(), i32>(&store)
                    .map_err(|e| load_error!(EINVAL, "export \"report\": {e}"))?,
            ),
            false => None,
        };
        let memory_bytes = memory.map_or(&[][..], |m| m.data(&store));
        let compat = crate::compat::read(&instance, &store, memory_bytes)?;

        let mut program = Self {
            store,
            _module: module,
            attach: exports.attach,
            handlers,
            report,
            memory,
            code_bytes,
            compat,
            limits: *limits,
            ops,
            maps,
            cells_slot: None,
        };
        // Last, once nothing can fail: only a built `Program` detaches its slot (`Drop`).
        // The caller frees an instance only when no reader of its maps runs
        // (kwasm_engine_free()).
        if let Some((base, len)) = raw_memory {
            // SAFETY: The memory is fixed now and lives in `program`'s store; its `Drop`
            // detaches the slot before the store goes.
            program.cells_slot = unsafe { program.maps.attach_memory(base, len) }?;
        }
        Ok(program)
    }

    /// The program's maps: readable from any thread while calls run.
    pub fn maps(&self) -> &Arc<Maps> {
        &self.maps
    }

    /// The attach points, sorted by export name.
    pub fn attach_points(&self) -> &[AttachPoint] {
        &self.attach
    }

    /// Whether the program imports a host function of the trace stream (`stream`,
    /// `stream_printf`): the kernel side then makes the stream before attaching.
    pub fn uses_stream(&self) -> bool {
        self._module
            .imports()
            .any(|i| i.module() == crate::abi::HOST_MODULE && i.name().starts_with("stream"))
    }

    /// Whether the program imports `entry_ns`: the kernel side then saves each call's
    /// entry time for its return handlers, and otherwise spares every entry a clock read.
    pub fn uses_entry_ns(&self) -> bool {
        self._module
            .imports()
            .any(|i| i.module() == crate::abi::HOST_MODULE && i.name() == "entry_ns")
    }

    /// Whether the program exports `report`.
    pub fn has_report(&self) -> bool {
        self.report.is_some()
    }

    /// The size of the Wasm module it was loaded from.
    pub fn code_bytes(&self) -> usize {
        self.code_bytes
    }

    /// Its linear memory (empty without one).
    pub fn memory(&self) -> &[u8] {
        self.memory.map_or(&[][..], |m| m.data(&self.store))
    }

    /// The current size of its linear memory.
    pub fn memory_bytes(&self) -> usize {
        self.memory().len()
    }

    /// Ends a call; classifies a trap. Calls are resumable, so running out of fuel (the
    /// common trap) allocates nothing.
    #[inline]
    fn leave(&mut self, outcome: Result<Ended, wasmi::Error>) -> Result<(), Trap> {
        let state = self.store.data_mut();
        state.ctx = core::ptr::null_mut();
        // A host trap ends the call with an error: a finished call recorded none.
        if let Ok(Ended::Finished) = outcome {
            return Ok(());
        }
        self.leave_trapped(outcome)
    }

    /// [`Program::leave`] for a call that did not finish.
    #[cold]
    #[inline(never)]
    fn leave_trapped(&mut self, outcome: Result<Ended, wasmi::Error>) -> Result<(), Trap> {
        let host_trap = self.store.data_mut().host_trap.take();
        match outcome {
            Ok(Ended::Finished) => Ok(()),
            Ok(Ended::OutOfFuel) => Err(Trap::from(wasmi::TrapCode::OutOfFuel)),
            Ok(Ended::HostTrap) => {
                Err(host_trap.unwrap_or(Trap::new(TrapKind::BadHostCall, c"host trap")))
            }
            Err(e) => Err(match (host_trap, e.as_trap_code()) {
                (Some(trap), _) => trap,
                (None, Some(code)) => Trap::from(code),
                (None, None) => Trap::new(TrapKind::Other, c"trap"),
            }),
        }
    }

    /// The task name every handler is restricted to (the `comm` global of probe-abi.rst),
    /// NUL-terminated, or `None`.
    pub fn comm_filter(&self) -> Option<&[u8; crate::compat::COMM_LEN]> {
        self.compat.comm.as_ref()
    }

    /// Copies user string `src` into the `buffer` at `*used` and returns the copy's
    /// address, for string parameters (probe-abi.rst). Each string is NUL-terminated and cut
    /// to what is left; a fault, or a full buffer, gives an empty string.
    fn copy_string(&mut self, ctx: Ctx, src: u64, used: &mut u32) -> u64 {
        let (Some((buf, size)), Some(memory)) = (self.compat.buffer, self.memory) else {
            return src;
        };
        let left = size.saturating_sub(*used);
        if left == 0 {
            // The buffer's last byte is the NUL that ends the previous string (`load`
            // refuses an empty buffer): an empty string.
            return u64::from(buf + size - 1);
        }
        let at = buf + *used;
        let ops = self.store.data().ops;
        let data = memory.data_mut(&mut self.store);
        // `load` checked buffer..buffer + size against memory, which never shrinks.
        let dst = data[at as usize..].as_mut_ptr();
        // SAFETY: `dst..dst + left` lies inside the buffer checked at load.
        let n = unsafe { (ops.read)(ctx, crate::host::READ_USER_STR, dst, src, left) };
        let n = if n < 0 {
            data[at as usize] = 0;
            0
        } else {
            n as u32
        };
        *used += (n + 1).min(left);
        u64::from(at)
    }

    /// Calls the handler of attach point `index` on CPU `cpu` with the probed function's
    /// values (`params[i]` fills the handler's i-th parameter, if it declares one). Bit i
    /// of `strings` marks parameter i as a user string, copied into the program's
    /// `buffer`. `cpu` is the CPU the caller runs on, which cannot change during the call:
    /// the one whose map tables updates write, and what `cpu()` returns.
    pub fn call(
        &mut self,
        index: usize,
        ctx: Ctx,
        cpu: u32,
        params: &[u64; MAX_PARAMS],
        strings: u32,
        fuel: u64,
    ) -> Result<(), Trap> {
        // By reference: a resolved handler is some 50 bytes, copied on every hit otherwise.
        let Some(&(ref handler, phase)) = self.handlers.get(index) else {
            return Err(Trap::new(TrapKind::Other, c"no such attach point"));
        };
        if let Handler::NoParams(typed) = handler {
            enter(&mut self.store, phase, ctx, cpu, fuel);
            let outcome = call_typed(&mut self.store, typed, ());
            return self.leave(outcome);
        }
        let on_return = phase == Phase::Post;
        let ap = &self.attach[index];
        let n = ap.params.len();
        // Most handlers take no user string: their parameters go in as they came.
        let mut copied = [0u64; MAX_PARAMS];
        let mut fuel = fuel;
        let a = if strings != 0 && !on_return {
            let mut used = 0u32;
            for (i, c) in copied.iter_mut().enumerate().take(n) {
                *c = params[i];
                if strings & (1 << i) != 0 {
                    *c = self.copy_string(ctx, *c, &mut used);
                }
            }
            // The strings were copied for the handler: host work its fuel pays for, as if
            // it had called `read_user_str` itself.
            let paid = u64::from(used).div_ceil(crate::host::HOST_BYTES_PER_FUEL);
            fuel = fuel.saturating_sub(paid);
            &copied
        } else {
            params
        };
        let a = |i: usize| a[i] as i64;
        enter(&mut self.store, phase, ctx, cpu, fuel);
        let st = &mut self.store;
        let outcome = match &self.handlers[index].0 {
            Handler::NoParams(_) => unreachable!(),
            Handler::I64x1(f) => call_typed(st, f, a(0)),
            Handler::I64x2(f) => call_typed(st, f, (a(0), a(1))),
            Handler::I64x3(f) => call_typed(st, f, (a(0), a(1), a(2))),
            Handler::I64x4(f) => call_typed(st, f, (a(0), a(1), a(2), a(3))),
            Handler::I64x5(f) => call_typed(st, f, (a(0), a(1), a(2), a(3), a(4))),
            Handler::I64x6(f) => call_typed(st, f, (a(0), a(1), a(2), a(3), a(4), a(5))),
            &Handler::Params(func) => {
                let mut vals = [const { Val::I32(0) }; MAX_PARAMS];
                for (i, v) in vals.iter_mut().enumerate().take(n) {
                    *v = match self.attach[index].params[i] {
                        // The low 32 bits, as a handler's i32 parameter takes them.
                        ParamType::I32 => Val::I32(a(i) as i32),
                        ParamType::I64 => Val::I64(a(i)),
                    };
                }
                call_untyped(st, func, &vals[..n])
            }
        };
        self.leave(outcome)
    }

    /// Calls `report` and copies the string it points at into `out`, cut to fit.
    pub fn report(
        &mut self,
        ctx: Ctx,
        fuel: u64,
        out: &mut [u8],
    ) -> Result<ReportOutput, ReportError> {
        let func = self.report.ok_or(ReportError::NoReport)?;
        enter(&mut self.store, Phase::Report, ctx, host::CPU_ASK, fuel);
        let mut ptr = 0;
        let outcome = func.call_resumable(&mut self.store, ()).map(|call| {
            if let TypedResumableCall::Finished(p) = call {
                ptr = p as u32 as usize;
            }
            Ended::typed(&mut self.store, call)
        });
        self.leave(outcome).map_err(ReportError::Trap)?;
        // `load` refuses a `report` without a memory.
        let data = self.memory.map_or(&[][..], |m| m.data(&self.store));
        let memory_trap = |why| ReportError::Trap(Trap::new(TrapKind::MemoryOutOfBounds, why));
        let Some(tail) = data.get(ptr..).filter(|t| !t.is_empty()) else {
            return Err(memory_trap(c"report returned a pointer outside memory"));
        };
        let Some(len) = tail.iter().position(|&b| b == 0) else {
            return Err(memory_trap(
                c"report's string has no NUL before the end of memory",
            ));
        };
        let n = len.min(out.len());
        out[..n].copy_from_slice(&tail[..n]);
        Ok(ReportOutput {
            len: n,
            truncated: n < len,
        })
    }
}

/// Grows the engine's one cached stack to its full depth (see [`WARM_UP_WASM`]): the
/// warm-up store takes it as its resident stack and gives it back when dropped.
fn warm_up(engine: &Engine) -> Result<(), LoadError> {
    let module = Module::new(engine, &WARM_UP_WASM[..])
        .map_err(|e| load_error!(ENOMEM, "warm-up module: {e}"))?;
    let mut store = Store::new(engine, ());
    let _ = store.set_fuel(u64::MAX);
    let instance = Linker::new(engine)
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| load_error!(ENOMEM, "warm-up instance: {e}"))?;
    let f = instance
        .get_func(&store, "f")
        .ok_or_else(|| load_error!(ENOMEM, "warm-up export"))?;
    // It must end in a stack overflow: that is the point.
    match f.call(&mut store, &[], &mut []) {
        Err(e) if e.as_trap_code() == Some(wasmi::TrapCode::StackOverflow) => Ok(()),
        other => Err(load_error!(ENOMEM, "warm-up did not overflow: {other:?}")),
    }
}
