// SPDX-License-Identifier: GPL-2.0

//! Every input that ever crashed a fuzz target (engine/tests/fuzz_regressions/*.wasm),
//! run the way the fuzz targets run it.

mod common;

use common::*;
use kwasm_engine::{Limits, Program};

#[test]
fn fuzz_regressions_load_or_fail_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let limits = Limits {
        max_memory_pages: 4,
        max_table_elements: 256,
        start_fuel: 20_000,
        ..Limits::default()
    };
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let bytes = std::fs::read(&path).unwrap();
            if let Ok(mut p) = Program::load(&bytes, &limits, &OPS, start_ctx()) {
                for i in 0..p.attach_points().len() {
                    let mut c = FakeCtx::default();
                    let _ = call(&mut p, i, &mut c);
                }
                let _ = report(&mut p);
            }
            n += 1;
        }
    }
    // The directory starts with the README only; each crash found adds a file.
    eprintln!("{n} regression inputs");
}
