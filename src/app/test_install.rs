//! Shared by the service tests: a fresh installation in a temporary directory, on a stopped clock.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::*;

/// A new database for 测试单位 with its administrator `root` (password `pw`), in a temporary
/// directory (kept alive by the returned guard), on a clock stopped at `at`.
pub(crate) fn fresh_install(
    at: NaiveDateTime,
    pw: &str,
) -> (tempfile::TempDir, Paths, Arc<FixedClock>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::resolve_with(
        Some(dir.path().join("k.db")),
        Some(dir.path().join("data")),
        Some(dir.path().join("config")),
    )
    .expect("paths");
    let clock = Arc::new(FixedClock::new(at));
    session::init(&paths, "测试单位", "root", pw, clock.as_ref()).expect("init");
    (dir, paths, clock)
}
