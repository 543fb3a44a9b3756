//! Background work for the GUI: every call into the services runs on a worker thread and comes
//! back as a message over a channel, so the UI thread never waits on SQLite, argon2 or a terminal.
//!
//! The worker wakes the UI with `request_repaint` when its result is ready; nothing polls on a
//! timer, so an idle window costs no CPU. This module knows nothing about pages or services.

use std::sync::mpsc::{Receiver, Sender, channel};

/// A channel of results of type `M` plus the count of jobs still running.
pub struct Tasks<M> {
    tx: Sender<M>,
    rx: Receiver<M>,
    running: usize,
}

impl<M: Send + 'static> Tasks<M> {
    pub fn new() -> Self {
        let (tx, rx) = channel();
        Tasks { tx, rx, running: 0 }
    }

    /// Runs `job` on a new thread; its result arrives through [`Tasks::poll`].
    pub fn spawn(
        &mut self,
        ctx: &egui::Context,
        name: &str,
        job: impl FnOnce() -> M + Send + 'static,
    ) {
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("kaoqin-gui-{name}"))
            .spawn(move || {
                let msg = job();
                // The window may be gone when a job finishes; nothing to do then.
                let _ = tx.send(msg);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.running += 1,
            Err(err) => tracing::error!(%err, "cannot start a background thread"),
        }
    }

    /// The results that arrived since the last call.
    pub fn poll(&mut self) -> Vec<M> {
        let mut out = Vec::new();
        // Empty and Disconnected both mean nothing more to read now.
        while let Ok(m) = self.rx.try_recv() {
            self.running = self.running.saturating_sub(1);
            out.push(m);
        }
        out
    }

    /// Whether any job is still running (the UI shows a spinner and disables its buttons).
    pub fn busy(&self) -> bool {
        self.running > 0
    }
}

impl<M: Send + 'static> Default for Tasks<M> {
    fn default() -> Self {
        Self::new()
    }
}
