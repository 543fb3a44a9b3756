//! ARCHITECTURE.md shows the permission table; this test keeps that copy equal to the table the
//! services enforce (`kaoqin::app::permissions::markdown_table`). Regenerate with `kaoqin permissions`.

#[test]
fn architecture_md_holds_the_enforced_permission_table() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md at the workspace root");
    let table = kaoqin::app::permissions::markdown_table();
    assert!(
        doc.contains(table.trim()),
        "ARCHITECTURE.md's permission table differs from the code; paste the output of `kaoqin permissions`:\n{table}"
    );
}

/// Paths ARCHITECTURE.md names in backticks that start at the workspace root (`src/…`,
/// `drivers/…`, `tests/…`, …).
fn named_paths(doc: &str) -> Vec<String> {
    const ROOTS: [&str; 9] = [
        "src/",
        "drivers/",
        "tests/",
        "docs/",
        "fuzz/",
        "installer/",
        "locales/",
        "assets/",
        ".ci/",
    ];
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| ROOTS.iter().any(|r| s.starts_with(r)))
        .filter(|s| !s.contains(' ') && !s.contains('*') && !s.contains('<'))
        .map(str::to_string)
        .collect()
}

/// The workspace members listed in the root Cargo.toml.
fn workspace_members(manifest: &str) -> Vec<String> {
    let start = manifest.find("members").expect("a members list");
    let list = &manifest[start..];
    let list = &list[list.find('[').expect("[") + 1..list.find(']').expect("]")];
    list.split(',')
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty() && m != ".")
        .collect()
}

/// The code map stays true: every path it names exists, and every crate of the workspace is in it.
#[test]
fn the_code_map_names_only_existing_paths_and_every_crate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let missing: Vec<String> = named_paths(&doc)
        .into_iter()
        .filter(|p| !root.join(p.trim_end_matches('/')).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let members = workspace_members(&manifest);
    assert!(members.len() >= 6, "{members:?}");
    let unmapped: Vec<&String> = members
        .iter()
        .filter(|m| !doc.contains(&format!("`{m}/`")) && !doc.contains(&format!("`{m}`")))
        .collect();
    assert!(
        unmapped.is_empty(),
        "crates missing from ARCHITECTURE.md's code map: {unmapped:?}"
    );
}
