//! Background WAL checkpoints for a [`crate::Store`]'s connection.
//!
//! In WAL mode SQLite normally checkpoints inside the `COMMIT` that pushes the log past
//! `wal_autocheckpoint` pages: the committing thread copies the log into the database file and waits for
//! two fsyncs (log, then database). For a download storing a million punches that was ~30 % of the wall
//! time (`benches/punches.rs`: 64 fsyncs, 0.7 s of 2.3 s). Here a second connection, owned by one thread per
//! `Store`, runs a PASSIVE checkpoint after commits instead, so the writer only appends to the log.
//!
//! Nothing about durability or consistency changes: commits are the same WAL commits (`synchronous =
//! NORMAL`), a PASSIVE checkpoint never blocks writers or readers and only copies committed frames, and the
//! writer keeps `wal_autocheckpoint` as a backstop ([`BACKSTOP_PAGES`]) in case the thread falls behind. The
//! thread sleeps on a condition variable while nothing is committed (no polling: an idle app stays idle),
//! and is stopped and joined when the `Store` is dropped, before its connection closes (so the last
//! close still folds the log into the file and removes it, as before).

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// The writer checkpoints by itself only when the log has grown past this many pages (the background
/// thread normally keeps it far below).
pub(crate) const BACKSTOP_PAGES: i64 = 10_000;

/// After a commit wakes the thread it waits this long (or until the store closes), so the commit that
/// woke it has finished and commits in quick succession share one checkpoint: a million punches in
/// 10,000-row batches then take ~25 checkpoints (about what `wal_autocheckpoint = 1000` did inline), not
/// one per batch.
const SETTLE: Duration = Duration::from_millis(50);

#[derive(Default)]
struct State {
    pending: bool,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut State)) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut st);
        drop(st);
        self.wake.notify_one();
    }
}

pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread for the database at `path` and hooks `writer`'s commits to it. Returns `None`
    /// (and leaves SQLite's own automatic checkpoints in place) if anything fails.
    pub(crate) fn start(writer: &Connection, path: &Path) -> Option<Checkpointer> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ok()?;
        conn.busy_timeout(crate::db::BUSY_TIMEOUT).ok()?;
        let shared = Arc::new(Shared::default());
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("kaoqin-wal-checkpoint".into())
            .spawn(move || run(&conn, &for_thread))
            .ok()?;
        let mut me = Checkpointer {
            shared,
            thread: Some(thread),
        };
        let for_hook = Arc::clone(&me.shared);
        let hooked = writer
            .commit_hook(Some(move || {
                for_hook.update(|s| s.pending = true);
                false // never veto the commit
            }))
            .and_then(|()| writer.pragma_update(None, "wal_autocheckpoint", BACKSTOP_PAGES));
        if let Err(e) = hooked {
            tracing::warn!(error = %e, "background WAL checkpoints not enabled");
            let _ = writer.commit_hook(None::<fn() -> bool>);
            me.stop();
            return None;
        }
        Some(me)
    }

    /// Stops and joins the thread (an unfinished checkpoint completes first).
    pub(crate) fn stop(&mut self) {
        self.shared.update(|s| s.stop = true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(conn: &Connection, shared: &Shared) {
    let mut st = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        while !st.pending && !st.stop {
            st = shared.wake.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        if !st.stop {
            st = shared
                .wake
                .wait_timeout_while(st, SETTLE, |s| !s.stop)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if st.stop {
            // The writer's connection closes right after and checkpoints what is left.
            return;
        }
        st.pending = false;
        drop(st);
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %e, "background WAL checkpoint");
        }
        st = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    }
}
