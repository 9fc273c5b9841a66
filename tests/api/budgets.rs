//! The function budgets, from the sizes `make bench-lambda` wrote (bench/results/lambda.json):
//! every function of `functions` is measured and none is over 3 MB zipped, but for the ones
//! [`OVER_BUDGET`] names, which may not grow. No timing here: the run's init ratios are in the
//! same file and in docs/build.md, and are read by people.

use std::collections::BTreeSet;

const BUDGET_ZIPPED: u64 = 3_000_000;

/// Functions still over the budget, each with the most it may weigh until it is brought under
/// (its size in the last measurement): the open part of the performance work, kept visible.
/// A function that gets under the budget must leave this list.
const OVER_BUDGET: &[(&str, u64)] = &[];

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn measured() -> serde_json::Value {
    let path = root().join("bench/results/lambda.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `make bench-lambda`)", path.display()));
    serde_json::from_str(&text).expect("bench/results/lambda.json is JSON")
}

/// The binaries functions/Cargo.toml declares.
fn declared() -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(root().join("functions/Cargo.toml")).unwrap();
    crate::drift::declared_binaries(&manifest)
        .into_keys()
        .collect()
}

#[test]
fn every_function_was_measured_and_is_within_the_size_budget() {
    let measured = measured();
    let rows = measured["functions"].as_array().expect("a functions array");
    let names: BTreeSet<String> = rows
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    let missing: Vec<_> = declared().difference(&names).cloned().collect();
    assert!(
        missing.is_empty(),
        "not measured by `make bench-lambda`: {missing:?}"
    );
    let mut problems = Vec::new();
    for row in rows {
        let (name, zipped) = (
            row["name"].as_str().unwrap(),
            row["zipped"].as_u64().unwrap(),
        );
        match OVER_BUDGET.iter().find(|(n, _)| *n == name) {
            None if zipped > BUDGET_ZIPPED => problems.push(format!(
                "{name} is {zipped} B zipped, over {BUDGET_ZIPPED} B"
            )),
            Some((_, ceiling)) if zipped > *ceiling => problems.push(format!(
                "{name} grew to {zipped} B zipped (its ceiling: {ceiling} B)"
            )),
            Some(_) if zipped <= BUDGET_ZIPPED => problems.push(format!(
                "{name} is within the budget now ({zipped} B): take it off OVER_BUDGET"
            )),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(measured["budgets"]["zipped_bytes"], BUDGET_ZIPPED);
}
