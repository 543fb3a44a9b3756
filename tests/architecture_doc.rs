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
