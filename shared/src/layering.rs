//! The library's layers, and the test that keeps imports pointing one way (down).
//!
//! A module may use modules of lower layers only: never one of its own layer, never one above.
//! docs/architecture.md explains the layers; this table is what is checked. A new top-level
//! module must be placed here, or the test fails.

/// Top-level modules by layer, lowest first.
pub const LAYERS: &[(&str, &[&str])] = &[
    ("basics", &["need", "crypto", "error", "outbound"]),
    ("values", &["config", "domain", "paging"]),
    ("infrastructure", &["aws", "telemetry"]),
    ("services", &["store", "notify", "auth", "stripe"]),
    ("state", &["state"]),
    (
        "features and HTTP plumbing",
        &["accounts", "catalog", "http"],
    ),
    ("shopping", &["cart"]),
    ("ordering", &["orders"]),
    ("after-sale", &["webhooks", "analytics", "invoices"]),
    (
        "handlers",
        &["api", "worker", "images_worker", "cleanup", "stock_alerts"],
    ),
    ("Lambda entry", &["lambda"]),
];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::LAYERS;

    fn layer_of(module: &str) -> Option<usize> {
        LAYERS.iter().position(|(_, ms)| ms.contains(&module))
    }

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    /// The top-level modules `lib.rs` declares.
    fn declared_modules() -> Vec<String> {
        let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
        lib.lines()
            .filter_map(|l| {
                let l = l.trim();
                let rest = l
                    .strip_prefix("pub mod ")
                    .or_else(|| l.strip_prefix("mod "))?;
                Some(rest.trim_end_matches(';').to_owned())
            })
            .filter(|m| m != "layering")
            .collect()
    }

    /// Every `.rs` file of a module (`x.rs` or `x/**.rs`).
    fn files_of(module: &str) -> Vec<PathBuf> {
        let single = src().join(format!("{module}.rs"));
        if single.exists() {
            return vec![single];
        }
        let mut out = Vec::new();
        let mut dirs = vec![src().join(module)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        out
    }

    /// The top-level modules a piece of source names through `crate::` (comments ignored).
    fn used_modules(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a::X, b};`
                    let inner = group.split('}').next().unwrap_or("");
                    for part in inner.split(',') {
                        let name: String = part
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() {
                            out.push(name);
                        }
                    }
                } else {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            }
        }
        out
    }

    /// Every import that points sideways or up, as "a (layer) uses b (layer) in file".
    fn upward_imports() -> Vec<String> {
        let mut out = Vec::new();
        for module in declared_modules() {
            let Some(own) = layer_of(&module) else {
                out.push(format!("{module} has no layer in layering::LAYERS"));
                continue;
            };
            for file in files_of(&module) {
                let source = std::fs::read_to_string(&file).unwrap();
                for used in used_modules(&source) {
                    if used == module {
                        continue;
                    }
                    match layer_of(&used) {
                        Some(l) if l < own => {}
                        Some(l) => out.push(format!(
                            "{module} ({}) uses {used} ({}) in {}",
                            LAYERS[own].0,
                            LAYERS[l].0,
                            file.strip_prefix(src()).unwrap_or(&file).display()
                        )),
                        None => {}
                    }
                }
            }
        }
        out
    }

    #[test]
    fn imports_point_down_the_layers_only() {
        let problems = upward_imports();
        assert!(
            problems.is_empty(),
            "imports against the layers:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn the_check_reads_every_form_of_import() {
        let source = "use crate::store::users;\nuse crate::{api::Route, http};\n// crate::lambda\nlet x = crate::state::AppState::new(c);";
        assert_eq!(used_modules(source), ["store", "api", "http", "state"]);
        assert_eq!(layer_of("store"), Some(3));
        assert!(layer_of("api") > layer_of("http"));
    }
}
