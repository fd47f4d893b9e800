// SPDX-License-Identifier: GPL-2.0

//! Maps: declaration and its limits, updates on several CPUs merged, clearing, full
//! maps, `map_read`, and the text of `maps`, checked byte for byte against what bpftrace
//! 0.17's `src/output.cpp` prints for the same values (a golden-format test).

mod common;

mod counting;

use common::*;
use kwasm_engine::{
    Limits, Program, MAP_AVG, MAP_COUNT, MAP_HIST, MAP_KEY_NONE, MAP_KEY_STR, MAP_KEY_U64,
    MAP_LHIST, MAP_MAX, MAP_MIN, MAP_STATS, MAP_SUM, READ_BUCKET, READ_COUNT, READ_TOTAL,
    READ_VALUE,
};

/// One map descriptor of probe-abi.rst, as WAT data-string escapes.
struct Decl {
    name: &'static str,
    kind: u32,
    key: [u32; 2],
    str_len: u16,
    max_entries: u32,
    lhist: [i64; 3],
    /// The address of its cells in memory (probe-abi.rst, "Cells"); 0 for tables.
    cells: u32,
}

impl Decl {
    fn new(name: &'static str, kind: u32) -> Self {
        Self {
            name,
            kind,
            key: [MAP_KEY_NONE, MAP_KEY_NONE],
            str_len: 0,
            max_entries: 0,
            lhist: [0; 3],
            cells: 0,
        }
    }

    fn cells(mut self, addr: u32) -> Self {
        self.cells = addr;
        self
    }

    fn key(mut self, k0: u32, k1: u32, str_len: u16, max_entries: u32) -> Self {
        self.key = [k0, k1];
        self.str_len = str_len;
        self.max_entries = max_entries;
        self
    }

    fn lhist(mut self, lo: i64, hi: i64, step: i64) -> Self {
        self.lhist = [lo, hi, step];
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut d = vec![0u8; 80];
        d[..self.name.len()].copy_from_slice(self.name.as_bytes());
        d[32..36].copy_from_slice(&self.kind.to_le_bytes());
        d[36] = self.key[0] as u8;
        d[37] = self.key[1] as u8;
        d[38..40].copy_from_slice(&self.str_len.to_le_bytes());
        d[40..44].copy_from_slice(&self.max_entries.to_le_bytes());
        d[44..48].copy_from_slice(&self.cells.to_le_bytes());
        for (i, v) in self.lhist.iter().enumerate() {
            d[48 + 8 * i..56 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
        d
    }
}

fn escaped(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// A probe that declares `decls` in `kwasm:init` (ids 0, 1...) and whose handlers update
/// whatever map their parameters say: `kprobe:u:pre(id, key, value)` with an integer key,
/// `kprobe:s:pre(id, string address, key length, value, second part)` with a key in
/// memory (the second part is stored after a 16-byte string). `report` returns, as text,
/// what `map_read(id, key, what)` gives for the parameters left at address 4000.
fn probe(decls: &[Decl]) -> String {
    let mut data = String::new();
    let mut init = String::new();
    for (i, d) in decls.iter().enumerate() {
        data += &format!(
            "(data (i32.const {}) \"{}\")\n",
            i * 80,
            escaped(&d.bytes())
        );
        init += &format!(
            "(drop (call $declare (i32.const {}) (i32.const 80)))\n",
            i * 80
        );
    }
    format!(
        r#"(module
    (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
    (import "kwasm" "map_update" (func $update (param i32 i64 i64)))
    (import "kwasm" "map_update_key" (func $update_key (param i32 i32 i32 i64)))
    (import "kwasm" "map_read" (func $read (param i32 i64 i32) (result i64)))
    (memory (export "memory") 1)
    {data}
    (data (i32.const 3000) "bash\00\00\00\00\00\00\00\00\00\00\00\00")
    (data (i32.const 3100) "sshd\00\00\00\00\00\00\00\00\00\00\00\00")
    (data (i32.const 3200) "bash\00junk\00\00\00\00\00\00\00")
    (func (export "kwasm:init") {init})
    (func (export "kprobe:u:pre") (param i32 i64 i64)
        (call $update (local.get 0) (local.get 1) (local.get 2)))
    (func (export "kprobe:s:pre") (param i32 i32 i32 i64 i64)
        (i64.store (i32.add (local.get 1) (i32.const 16)) (local.get 4))
        (call $update_key (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
    (func (export "kprobe:c:pre") (param i32 i64)
        (i64.store (local.get 0) (i64.add (i64.load (local.get 0)) (local.get 1))))
    (func (export "kprobe:r:pre") (param i32 i64 i32)
        (i64.store (i32.const 4008)
            (call $read (local.get 0) (local.get 1) (local.get 2)))))"#
    )
}

/// Adds `value` to the word at `addr` in `p`'s memory, from a handler on `cpu`: what a
/// probe's own code does to its cells.
fn add_cell(p: &mut Program, cpu: u32, addr: u32, value: i64) {
    let i = index(p, "c");
    let mut c = FakeCtx {
        args: [addr as u64, value as u64, 0, 0, 0, 0],
        cpu: Some(cpu),
        ..Default::default()
    };
    call(p, i, &mut c).unwrap_or_else(|t| panic!("cell update trapped: {t}"));
}

/// Limits for two CPUs.
fn two_cpus() -> Limits {
    Limits {
        cpus: 2,
        ..Limits::default()
    }
}

fn load_maps(decls: &[Decl]) -> Program {
    try_load_with(&probe(decls), &two_cpus()).unwrap_or_else(|e| panic!("load failed: {e}"))
}

fn load_maps_err(decls: &[Decl], limits: &Limits) -> String {
    match try_load_with(&probe(decls), limits) {
        Ok(_) => panic!("load succeeded but should fail"),
        Err(e) => e.to_string(),
    }
}

fn index(p: &Program, symbol: &str) -> usize {
    p.attach_points()
        .iter()
        .position(|a| a.symbol() == symbol)
        .unwrap()
}

/// `map_update(id, key, value)` on `cpu`.
fn update(p: &mut Program, cpu: u32, id: u64, key: u64, value: i64) {
    let i = index(p, "u");
    let mut c = FakeCtx {
        args: [id, key, value as u64, 0, 0, 0],
        cpu: Some(cpu),
        ..Default::default()
    };
    call(p, i, &mut c).unwrap_or_else(|t| panic!("update trapped: {t}"));
}

/// `map_update_key(id, string at addr, len, value)` on `cpu`, with `second` after it.
fn update_str(p: &mut Program, cpu: u32, id: u64, addr: u64, len: u64, value: i64, second: u64) {
    let i = index(p, "s");
    let mut c = FakeCtx {
        args: [id, addr, len, value as u64, second, 0],
        cpu: Some(cpu),
        ..Default::default()
    };
    call(p, i, &mut c).unwrap_or_else(|t| panic!("update trapped: {t}"));
}

fn read(p: &mut Program, id: u64, key: u64, what: i32) -> i64 {
    let i = index(p, "r");
    let mut c = FakeCtx {
        args: [id, key, what as u64, 0, 0, 0],
        cpu: Some(0),
        ..Default::default()
    };
    call(p, i, &mut c).unwrap_or_else(|t| panic!("read trapped: {t}"));
    i64::from_le_bytes(p.memory()[4008..4016].try_into().unwrap())
}

fn text(p: &Program) -> String {
    let mut out = Vec::new();
    p.maps().print(&mut out);
    String::from_utf8(out).unwrap()
}

fn stats(p: &Program) -> String {
    let mut out = String::new();
    p.maps().write_stats(&mut out).unwrap();
    out
}

#[test]
fn a_count_without_key_counts_every_update_on_every_cpu() {
    let mut p = load_maps(&[Decl::new("hits", MAP_COUNT)]);
    // A map no update reached prints as bpftrace prints an empty map: an empty line.
    assert_eq!(text(&p), "\n");
    for i in 0..5 {
        update(&mut p, i % 2, 0, 0, 0);
    }
    assert_eq!(text(&p), "@hits: 5\n");
    assert_eq!(read(&mut p, 0, 0, READ_VALUE), 5);
}

#[test]
fn a_handler_updates_the_table_of_the_cpu_its_call_names_without_asking() {
    // Two possible CPUs. The call names CPU 1 while the `task` callback would answer 5,
    // a table that does not exist: the update must use the call's CPU (and not trap),
    // and `cpu()` must return it.
    let mut p = load_maps(&[Decl::new("hits", MAP_COUNT)]);
    let i = index(&p, "u");
    let mut c = FakeCtx {
        cpu: Some(5),
        ..Default::default()
    };
    let ctx = (&mut c as *mut FakeCtx).cast();
    p.call(i, ctx, 1, &[0; 6], 0, FUEL)
        .unwrap_or_else(|t| panic!("update trapped: {t}"));
    assert_eq!(text(&p), "@hits: 1\n");
    // The other way round: a CPU beyond the possible ones, named by the call, traps even
    // though the callback would answer a good one.
    c.cpu = Some(0);
    let ctx = (&mut c as *mut FakeCtx).cast();
    let t = p.call(i, ctx, 7, &[0; 6], 0, FUEL).unwrap_err();
    assert_eq!(t.to_string(), "map: CPU number beyond the possible CPUs");
    assert_eq!(text(&p), "@hits: 1\n");
}

#[test]
fn keyed_counts_merge_across_cpus_and_sort_by_value_as_bpftrace_does() {
    let mut p = load_maps(&[Decl::new("calls", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 64)]);
    update(&mut p, 0, 0, 7, 0);
    update(&mut p, 1, 0, 7, 0);
    update(&mut p, 1, 0, 7, 0);
    update(&mut p, 0, 0, 9, 0);
    update(&mut p, 1, 0, 3, 0);
    update(&mut p, 1, 0, 3, 0);
    assert_eq!(text(&p), "@calls[9]: 1\n@calls[3]: 2\n@calls[7]: 3\n");
    assert_eq!(read(&mut p, 0, 7, READ_VALUE), 3);
    assert_eq!(read(&mut p, 0, 8, READ_VALUE), 0);
}

#[test]
fn sum_min_max_avg_and_stats_print_as_bpftrace_prints_them() {
    let mut p = load_maps(&[
        Decl::new("s", MAP_SUM).key(MAP_KEY_U64, 0, 0, 8),
        Decl::new("lo", MAP_MIN),
        Decl::new("hi", MAP_MAX),
        Decl::new("a", MAP_AVG).key(MAP_KEY_U64, 0, 0, 8),
        Decl::new("st", MAP_STATS),
    ]);
    for (cpu, v) in [(0, 10), (1, -4), (0, 30), (1, 7)] {
        update(&mut p, cpu, 0, 1, v);
        update(&mut p, cpu, 1, 0, v);
        update(&mut p, cpu, 2, 0, v);
        update(&mut p, cpu, 3, 5, v);
        update(&mut p, cpu, 4, 0, v);
    }
    update(&mut p, 1, 0, 2, -100);
    update(&mut p, 0, 3, 6, 1);
    assert_eq!(
        text(&p),
        "@s[2]: -100\n@s[1]: 43\n\
         @lo: -4\n\
         @hi: 30\n\
         @a[6]: 1\n@a[5]: 10\n\n\
         @st: count 4, average 10, total 43\n\n"
    );
    assert_eq!(read(&mut p, 4, 0, READ_COUNT), 4);
    assert_eq!(read(&mut p, 4, 0, READ_TOTAL), 43);
    assert_eq!(read(&mut p, 3, 5, READ_VALUE), 10);
}

#[test]
fn hist_prints_bpftrace_buckets_labels_and_bars() {
    let mut p = load_maps(&[Decl::new("usecs", MAP_HIST)]);
    for (i, v) in [0, 1, 2, 3, 4, 100, 1500, 3000].iter().enumerate() {
        update(&mut p, i as u32 % 2, 0, 0, *v);
    }
    let bar = |n: usize| format!("{:<52}", "@".repeat(n));
    let row =
        |label: &str, count: u64, bars: usize| format!("{label:<16}{count:>8} |{}|\n", bar(bars));
    let expected = String::from("@usecs: \n")
        + &row("[0]", 1, 26)
        + &row("[1]", 1, 26)
        + &row("[2, 4)", 2, 52)
        + &row("[4, 8)", 1, 26)
        + &row("[8, 16)", 0, 0)
        + &row("[16, 32)", 0, 0)
        + &row("[32, 64)", 0, 0)
        + &row("[64, 128)", 1, 26)
        + &row("[128, 256)", 0, 0)
        + &row("[256, 512)", 0, 0)
        + &row("[512, 1K)", 0, 0)
        + &row("[1K, 2K)", 1, 26)
        + &row("[2K, 4K)", 1, 26)
        + "\n";
    assert_eq!(text(&p), expected);
    // The literal text of one row, as bpftrace 0.17 writes it.
    assert!(text(&p).contains(
        "[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
    ));
    assert_eq!(read(&mut p, 0, 0, READ_BUCKET + 3), 2);
    assert_eq!(read(&mut p, 0, 0, READ_COUNT), 8);
}

#[test]
fn a_negative_value_gets_bpftraces_first_hist_bucket() {
    let mut p = load_maps(&[Decl::new("h", MAP_HIST)]);
    update(&mut p, 0, 0, 0, -3);
    update(&mut p, 0, 0, 0, 1);
    update(&mut p, 0, 0, 0, 1);
    update(&mut p, 0, 0, 0, 1);
    assert_eq!(
        text(&p),
        format!(
            "@h: \n{:<16}{:>8} |{:<52}|\n{:<16}{:>8} |{:<52}|\n{:<16}{:>8} |{:<52}|\n\n",
            "(..., 0)",
            1,
            "@".repeat(17),
            "[0]",
            0,
            "",
            "[1]",
            3,
            "@".repeat(52)
        )
    );
}

#[test]
fn lhist_prints_bpftrace_linear_buckets_with_both_open_ends() {
    let mut p = load_maps(&[Decl::new("l", MAP_LHIST)
        .key(MAP_KEY_U64, 0, 0, 4)
        .lhist(0, 100, 10)]);
    for v in [-5, 5, 15, 15, 100, 2000] {
        update(&mut p, 1, 0, 1, v);
    }
    update(&mut p, 0, 0, 2, 50);
    let row = |label: &str, count: u64, bars: usize| {
        format!("{label:<16}{count:>8} |{:<52}|\n", "@".repeat(bars))
    };
    let mut expected = String::from("@l[2]: \n") + &row("[50, 60)", 1, 52) + "\n";
    expected += "@l[1]: \n";
    expected += &row("(..., 0)", 1, 26);
    expected += &row("[0, 10)", 1, 26);
    expected += &row("[10, 20)", 2, 52);
    for lo in (20..100).step_by(10) {
        expected += &row(&format!("[{lo}, {})", lo + 10), 0, 0);
    }
    expected += &row("[100, ...)", 2, 52);
    expected += "\n";
    assert_eq!(text(&p), expected);
}

#[test]
fn lhist_labels_use_k_and_m_for_whole_multiples() {
    let mut p = load_maps(&[Decl::new("l", MAP_LHIST).lhist(0, 2 << 20, 1 << 20)]);
    update(&mut p, 0, 0, 0, 1 << 20);
    update(&mut p, 0, 0, 0, 3 << 20);
    let t = text(&p);
    assert!(t.contains("\n[1M, 2M)  "), "{t}");
    assert!(t.contains("\n[2M, ...)  "), "{t}");
    let mut p = load_maps(&[Decl::new("k", MAP_LHIST).lhist(0, 4096, 1024)]);
    update(&mut p, 0, 0, 0, 1500);
    assert!(text(&p).contains("\n[1K, 2K)  "), "{}", text(&p));
}

#[test]
fn string_and_integer_keys_print_like_bpftraces_comm_and_syscall_id() {
    let mut p = load_maps(&[Decl::new("", MAP_COUNT).key(MAP_KEY_STR, MAP_KEY_U64, 16, 64)]);
    update_str(&mut p, 0, 0, 3000, 24, 0, 1);
    update_str(&mut p, 1, 0, 3000, 24, 0, 1);
    // Bytes after the string's NUL are not part of the key.
    update_str(&mut p, 1, 0, 3200, 24, 0, 1);
    update_str(&mut p, 0, 0, 3100, 24, 0, 0);
    update_str(&mut p, 0, 0, 3000, 24, 0, 59);
    update_str(&mut p, 0, 0, 3000, 24, 0, 59);
    assert_eq!(text(&p), "@[sshd, 0]: 1\n@[bash, 59]: 2\n@[bash, 1]: 3\n");
}

#[test]
fn a_key_of_the_wrong_size_or_kind_traps() {
    let mut p = load_maps(&[Decl::new("c", MAP_COUNT).key(MAP_KEY_STR, 0, 16, 4)]);
    let i = index(&p, "s");
    let mut c = FakeCtx {
        args: [0, 3000, 8, 0, 0, 0],
        cpu: Some(0),
        ..Default::default()
    };
    let t = call(&mut p, i, &mut c).unwrap_err().to_string();
    assert!(t.contains("key's length"), "{t}");
    let i = index(&p, "u");
    let mut c = FakeCtx {
        args: [0, 1, 0, 0, 0, 0],
        cpu: Some(0),
        ..Default::default()
    };
    let t = call(&mut p, i, &mut c).unwrap_err().to_string();
    assert!(t.contains("not one integer"), "{t}");
    let mut c = FakeCtx {
        args: [5, 1, 0, 0, 0, 0],
        cpu: Some(0),
        ..Default::default()
    };
    let t = call(&mut p, i, &mut c).unwrap_err().to_string();
    assert!(t.contains("no such map"), "{t}");
}

#[test]
fn a_full_map_drops_new_keys_counts_them_and_keeps_counting_old_ones() {
    let mut p = load_maps(&[Decl::new("c", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 2)]);
    for k in [1, 2, 3, 4, 1] {
        update(&mut p, 0, 0, k, 0);
    }
    assert_eq!(text(&p), "@c[2]: 1\n@c[1]: 2\n");
    assert_eq!(
        stats(&p),
        "map @c kind=count entries=2 max_entries=2 dropped=2\n"
    );
}

#[test]
fn clearing_empties_every_cpus_table_and_counting_starts_again() {
    let mut p = load_maps(&[Decl::new("c", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 4)]);
    for k in [1, 2, 3, 4] {
        update(&mut p, 0, 0, k, 0);
        update(&mut p, 1, 0, k, 0);
    }
    p.maps().clear();
    assert_eq!(text(&p), "\n");
    assert_eq!(read(&mut p, 0, 1, READ_VALUE), 0);
    // After a clear a table has room for max_entries new keys again.
    for k in [5, 6, 7, 8] {
        update(&mut p, 1, 0, k, 0);
    }
    update(&mut p, 0, 0, 1, 0);
    assert_eq!(
        text(&p),
        "@c[1]: 1\n@c[5]: 1\n@c[6]: 1\n@c[7]: 1\n@c[8]: 1\n"
    );
    assert!(stats(&p).ends_with("dropped=0\n"), "{}", stats(&p));
}

#[test]
fn keyless_maps_start_again_after_a_clear() {
    // A keyless map's update takes a shortcut once its entry exists in a table of this
    // epoch; a clear must still reach it: the count starts at one again and min()
    // forgets the old minimum, on the CPU that updates first and on the other.
    let mut p = load_maps(&[Decl::new("n", MAP_COUNT), Decl::new("lo", MAP_MIN)]);
    for cpu in [0, 1, 0, 1] {
        update(&mut p, cpu, 0, 0, 0);
        update(&mut p, cpu, 1, 0, -50);
    }
    assert_eq!(text(&p), "@n: 4\n@lo: -50\n");
    p.maps().clear();
    update(&mut p, 1, 0, 0, 0);
    update(&mut p, 1, 1, 0, 30);
    update(&mut p, 1, 1, 0, 20);
    assert_eq!(text(&p), "@n: 1\n@lo: 20\n");
    update(&mut p, 0, 0, 0, 0);
    update(&mut p, 0, 1, 0, 25);
    assert_eq!(read(&mut p, 0, 0, READ_VALUE), 2);
    assert_eq!(read(&mut p, 1, 0, READ_VALUE), 20);
}

#[test]
fn updates_and_reads_allocate_nothing() {
    let mut p = load_maps(&[
        Decl::new("c", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 1024),
        Decl::new("h", MAP_HIST).key(MAP_KEY_U64, 0, 0, 16),
        Decl::new("", MAP_COUNT).key(MAP_KEY_STR, MAP_KEY_U64, 16, 64),
    ]);
    let ((allocs, frees), _) = counting::allocator_calls_of(|| {
        for k in 0..2000u64 {
            update(&mut p, (k % 2) as u32, 0, k, 0);
            update(&mut p, 0, 1, k % 20, k as i64);
            update_str(&mut p, 1, 2, 3000, 24, 0, k % 80);
            read(&mut p, 1, k % 20, READ_BUCKET + 5);
        }
        p.maps().clear();
        update(&mut p, 0, 0, 1, 0);
    });
    assert_eq!((allocs, frees), (0, 0));
    assert!(stats(&p).contains("map @c kind=count entries=1 max_entries=1024 dropped=0"));
}

#[test]
fn maps_are_declared_only_at_load() {
    let wat = r#"(module
        (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "kprobe:f:pre") (drop (call $declare (i32.const 0) (i32.const 80)))))"#;
    let mut p = load(wat);
    let mut c = FakeCtx::default();
    let t = call(&mut p, 0, &mut c).unwrap_err().to_string();
    assert!(t.contains("map_declare() is only available at load"), "{t}");
}

#[test]
fn the_start_function_may_declare_maps_too() {
    let d = escaped(&Decl::new("n", MAP_COUNT).bytes());
    let wat = format!(
        r#"(module
        (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
        (import "kwasm" "map_update" (func $update (param i32 i64 i64)))
        (memory (export "memory") 1)
        (data (i32.const 0) "{d}")
        (global $id (mut i32) (i32.const -1))
        (func $start (global.set $id (call $declare (i32.const 0) (i32.const 80))))
        (start $start)
        (func (export "kprobe:f:pre") (call $update (global.get $id) (i64.const 0) (i64.const 0))))"#
    );
    let mut p = try_load_with(&wat, &two_cpus()).unwrap();
    let mut c = FakeCtx::default();
    call(&mut p, 0, &mut c).unwrap();
    assert_eq!(text(&p), "@n: 1\n");
}

#[test]
fn hostile_declarations_fail_the_load_naming_the_limit() {
    let l = two_cpus();
    let e = load_maps_err(
        &[Decl::new("c", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 1 << 30)],
        &l,
    );
    assert_eq!(
        e,
        "E2BIG: map_declare: map @c has max_entries 1073741824, not 1 to 10240 (max_map_entries)"
    );
    let e = load_maps_err(&[Decl::new("c", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 0)], &l);
    assert!(
        e.starts_with("E2BIG: ") && e.contains("max_map_entries"),
        "{e}"
    );
    let many: Vec<Decl> = (0..33)
        .map(|i| {
            Decl::new(
                [
                    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
                    "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "aa", "ab", "ac", "ad", "ae",
                    "af", "ag",
                ][i],
                MAP_COUNT,
            )
        })
        .collect();
    let e = load_maps_err(&many, &l);
    assert_eq!(
        e,
        "E2BIG: map_declare: map @ag is one more than the limit of 32 maps (max_maps)"
    );
    let big = Limits {
        cpus: 64,
        ..Limits::default()
    };
    let e = load_maps_err(
        &[Decl::new("h", MAP_HIST).key(MAP_KEY_U64, 0, 0, 10240)],
        &big,
    );
    assert!(
        e.starts_with("E2BIG: map_declare: map @h needs ") && e.ends_with("(max_map_bytes)"),
        "{e}"
    );
    let e = load_maps_err(&[Decl::new("l", MAP_LHIST).lhist(0, 1_000_000, 1)], &l);
    assert_eq!(
        e,
        "E2BIG: map_declare: lhist @l has 1000000 buckets, over the limit of 1000"
    );
    let e = load_maps_err(
        &[Decl::new("s", MAP_COUNT).key(MAP_KEY_STR, 0, 4096, 4)],
        &l,
    );
    assert!(
        e.starts_with("E2BIG: ") && e.contains("string key of 4096 bytes"),
        "{e}"
    );
}

#[test]
fn malformed_declarations_fail_the_load_with_einval() {
    let l = two_cpus();
    let e = load_maps_err(&[Decl::new("c", MAP_COUNT), Decl::new("c", MAP_SUM)], &l);
    assert_eq!(e, "EINVAL: map_declare: map @c is declared twice");
    let e = load_maps_err(&[Decl::new("c", 99)], &l);
    assert_eq!(e, "EINVAL: map_declare: map @c has unknown kind 99");
    let e = load_maps_err(&[Decl::new("9x", MAP_COUNT)], &l);
    assert!(e.starts_with("EINVAL: map_declare: a map name"), "{e}");
    let e = load_maps_err(&[Decl::new("l", MAP_LHIST).lhist(10, 0, 1)], &l);
    assert!(e.contains("needs min < max and step > 0"), "{e}");
    let e = load_maps_err(&[Decl::new("k", MAP_COUNT).key(0, MAP_KEY_U64, 0, 4)], &l);
    assert!(e.contains("second key part but no first"), "{e}");
}

#[test]
fn a_map_of_many_keys_on_many_cpus_totals_exactly() {
    let limits = Limits {
        cpus: 8,
        ..Limits::default()
    };
    let mut p = try_load_with(
        &probe(&[Decl::new("c", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 10240)]),
        &limits,
    )
    .unwrap();
    let mut expected = std::collections::BTreeMap::new();
    for i in 0..20_000u64 {
        let key = (i * 7919) % 5000;
        update(&mut p, (i % 8) as u32, 0, key, 0);
        *expected.entry(key).or_insert(0u64) += 1;
    }
    let t = text(&p);
    assert_eq!(t.lines().count(), 5000);
    let total: u64 = t
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 20_000);
    for (k, n) in [(0u64, expected[&0]), (4999, expected[&4999])] {
        assert!(t.contains(&format!("@c[{k}]: {n}\n")));
    }
}

#[test]
fn per_cpu_instances_share_the_programs_maps() {
    let decls = [Decl::new("hits", MAP_COUNT), Decl::new("sum", MAP_SUM)];
    let mut a = load_maps(&decls);
    // Another instance's `kwasm:init` declares the same maps again: it gets the first
    // instance's, and allocates no table of its own.
    let mut b = a.instantiate_again(start_ctx()).unwrap();
    assert!(std::sync::Arc::ptr_eq(a.maps(), b.maps()));
    update(&mut a, 0, 0, 0, 0);
    update(&mut b, 1, 0, 0, 0);
    update(&mut b, 1, 1, 0, 5);
    assert_eq!(text(&a), "@hits: 2\n@sum: 5\n");
    assert_eq!(read(&mut a, 1, 0, READ_VALUE), 5);
}

/// Where the tests put cells: past the descriptors, the strings and `map_read`'s words.
const CELLS: u32 = 8192;

#[test]
fn cells_of_every_instance_add_up_and_clear_by_baseline() {
    let decls = [Decl::new("hits", MAP_COUNT).cells(CELLS)];
    let mut a = load_maps(&decls);
    let mut b = a.instantiate_again(start_ctx()).unwrap();
    assert_eq!(text(&a), "\n");
    for _ in 0..3 {
        add_cell(&mut a, 0, CELLS, 1);
    }
    add_cell(&mut b, 1, CELLS, 1);
    assert_eq!(text(&a), "@hits: 4\n");
    assert_eq!(read(&mut b, 0, 0, READ_VALUE), 4);
    assert_eq!(
        stats(&a),
        "map @hits kind=count entries=1 max_entries=1 dropped=0\n"
    );
    // A clear writes no memory of the program's: the words go on, the map reads empty.
    a.maps().clear();
    assert_eq!(text(&a), "\n");
    assert_eq!(a.memory()[CELLS as usize], 3);
    add_cell(&mut b, 1, CELLS, 1);
    assert_eq!(text(&a), "@hits: 1\n");
    // An instance that goes takes its cells out of the total.
    drop(b);
    assert_eq!(text(&a), "\n");
    add_cell(&mut a, 0, CELLS, 1);
    assert_eq!(read(&mut a, 0, 0, READ_VALUE), 1);
}

#[test]
fn cells_print_exactly_as_tables_print_the_same_updates() {
    // Each kind's cells, laid out as probe-abi.rst says, against a table map given the
    // same values: the text of `maps` must not tell them apart.
    let hist_at = CELLS + 64;
    let lhist_at = hist_at + 65 * 8;
    let tables = [
        Decl::new("n", MAP_COUNT),
        Decl::new("s", MAP_SUM),
        Decl::new("a", MAP_AVG),
        Decl::new("st", MAP_STATS),
        Decl::new("h", MAP_HIST),
        Decl::new("l", MAP_LHIST).lhist(0, 100, 10),
    ];
    let cells = [
        Decl::new("n", MAP_COUNT).cells(CELLS),
        Decl::new("s", MAP_SUM).cells(CELLS + 8),
        Decl::new("a", MAP_AVG).cells(CELLS + 24),
        Decl::new("st", MAP_STATS).cells(CELLS + 40),
        Decl::new("h", MAP_HIST).cells(hist_at),
        Decl::new("l", MAP_LHIST).lhist(0, 100, 10).cells(lhist_at),
    ];
    let mut t = load_maps(&tables);
    let mut c = load_maps(&cells);
    let hist_bucket = |v: i64| match v {
        ..=-1 => 0,
        0 => 1,
        _ => 2 + (63 - v.leading_zeros()),
    };
    let lhist_bucket = |v: i64| match v {
        ..=-1 => 0,
        101.. => 11,
        _ => 1 + (v / 10).min(10) as u32,
    };
    for (i, v) in [0i64, 1, 7, 42, 100, 1500, -3, 250].iter().enumerate() {
        let cpu = i as u32 % 2;
        for id in 0..6 {
            update(&mut t, cpu, id, 0, *v);
        }
        add_cell(&mut c, cpu, CELLS, 1);
        add_cell(&mut c, cpu, CELLS + 8, *v);
        add_cell(&mut c, cpu, CELLS + 16, 1);
        for at in [CELLS + 24, CELLS + 40] {
            add_cell(&mut c, cpu, at, 1);
            add_cell(&mut c, cpu, at + 8, *v);
        }
        add_cell(&mut c, cpu, hist_at + 8 * hist_bucket(*v), 1);
        add_cell(&mut c, cpu, lhist_at + 8 * lhist_bucket(*v), 1);
    }
    assert_eq!(text(&c), text(&t));
    for (id, what) in [
        (0, READ_VALUE),
        (1, READ_VALUE),
        (2, READ_TOTAL),
        (3, READ_COUNT),
    ] {
        assert_eq!(read(&mut c, id, 0, what), read(&mut t, id, 0, what));
    }
    for what in [READ_VALUE, READ_BUCKET + 4, READ_BUCKET + 11] {
        assert_eq!(read(&mut c, 4, 0, what), read(&mut t, 4, 0, what));
        assert_eq!(read(&mut c, 5, 0, what), read(&mut t, 5, 0, what));
    }
}

#[test]
fn a_sum_of_zero_is_printed_once_updated() {
    let mut p = load_maps(&[Decl::new("s", MAP_SUM).cells(CELLS)]);
    assert_eq!(text(&p), "\n");
    add_cell(&mut p, 0, CELLS + 8, 1);
    assert_eq!(text(&p), "@s: 0\n");
}

#[test]
fn cells_that_cannot_work_fail_the_load_with_einval() {
    let l = two_cpus();
    for (decl, why) in [
        (
            Decl::new("k", MAP_COUNT).key(MAP_KEY_U64, 0, 0, 4).cells(CELLS),
            "EINVAL: map_declare: map @k: cells are for a map without a key of kind count, sum, avg, stats, hist or lhist, not a keyed count",
        ),
        (
            Decl::new("m", MAP_MIN).cells(CELLS),
            "EINVAL: map_declare: map @m: cells are for a map without a key of kind count, sum, avg, stats, hist or lhist, not a min",
        ),
        (
            Decl::new("u", MAP_COUNT).cells(CELLS + 4),
            "EINVAL: map_declare: map @u: cells at 8196 are not 8-byte aligned",
        ),
        (
            Decl::new("h", MAP_HIST).cells(65536 - 64),
            "EINVAL: map_declare: map @h: cells of 520 bytes at 65472 end beyond linear memory of 65536 bytes",
        ),
    ] {
        assert_eq!(load_maps_err(&[decl], &l), why);
    }
}

#[test]
fn a_host_update_of_a_map_with_cells_traps() {
    let mut p = load_maps(&[Decl::new("n", MAP_COUNT).cells(CELLS)]);
    let i = index(&p, "u");
    let mut c = FakeCtx {
        args: [0; 6],
        cpu: Some(0),
        ..Default::default()
    };
    let t = call(&mut p, i, &mut c).unwrap_err();
    assert!(
        t.to_string().contains("this map keeps its value in cells"),
        "{t}"
    );
}

#[test]
fn an_lhist_wider_than_i64_counts_and_prints_without_overflow() {
    // min to max spans 2^64 - 1: three buckets of 2^62, a range accepted at declaration
    // whose width only an i128 holds.
    let (lo, hi, step) = (i64::MIN, i64::MAX, 1i64 << 62);
    let mut p = load_maps(&[Decl::new("w", MAP_LHIST).lhist(lo, hi, step)]);
    for v in [i64::MIN, -1, 0, i64::MAX] {
        update(&mut p, 0, 0, 0, v);
    }
    let t = text(&p);
    assert!(t.starts_with("@w: \n"), "{t}");
    assert_eq!(read(&mut p, 0, 0, READ_COUNT), 4);
    // i64::MIN is the first bucket of the range, -1 the second, 0 the third, and
    // i64::MAX (max itself) the last one's.
    for (b, n) in [(0, 0), (1, 1), (2, 1), (3, 1), (4, 1)] {
        assert_eq!(read(&mut p, 0, 0, READ_BUCKET + b), n, "bucket {b}: {t}");
    }
}
