//! The Terminals page's Download: per-terminal state of a running supervised download (progress
//! bar of records done of total, phase, countdown to the hard time limit), the refusal with its rule
//! and next allowed time, the supervisor's override dialog, and the result.
//!
//! The download itself runs on its own worker thread through `Backend::download` (the
//! `Session::download` service); this module only holds what comes back. It repaints on a short
//! timer only while a download runs, so an idle window stays idle.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use kaoqin_sync::{Phase, SessionProgress};
use tokio::sync::watch;

use crate::i18n::Lang;

use super::super::backend::dashboard::RuleRow;
use super::super::backend::terminals::{OpsFailure, ops_failure};
use super::super::backend::{Backend, UserSession};
use super::super::model::UiError;
use super::super::widgets;

/// The hard limit of a session when the terminal has not reported its own yet (docs/domain.md §2).
const DEFAULT_LIMIT: Duration = Duration::from_secs(180);

/// What a finished download reports, for the result box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadSummary {
    pub session_id: i64,
    pub read: u64,
    pub new: u64,
    pub already_stored: u64,
    pub findings: usize,
    pub users_read: usize,
    pub duration_ms: u64,
    /// The rule that was overridden (with the reason), if any.
    pub overridden: Option<String>,
}

/// How a download ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadOutcome {
    Done(DownloadSummary),
    /// The connection rules refused: which rule (locale key + its values) and when it may go.
    Refused {
        rule_key: &'static str,
        rule: Box<RuleRow>,
        earliest: String,
    },
    Failed(UiError),
}

/// A click on Download (or on the override dialog's OK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DownloadRequest {
    pub terminal: String,
    pub override_reason: Option<String>,
}

struct Running {
    terminal: String,
    started: Instant,
    progress: watch::Receiver<SessionProgress>,
    done: Receiver<DownloadOutcome>,
    /// Stops the session: the sync layer stores it as cancelled, with nothing of the batch.
    cancel: kaoqin_sync::CancellationToken,
    cancel_requested: bool,
}

/// The override dialog: which terminal, the reason typed so far.
#[derive(Debug, Clone, Default)]
struct OverrideDialog {
    terminal: String,
    reason: String,
}

/// The page's download state; lives in `PageState` across frames.
#[derive(Default)]
pub(crate) struct DownloadState {
    running: Option<Running>,
    /// The last outcome per terminal name.
    outcomes: Vec<(String, DownloadOutcome)>,
    dialog: Option<OverrideDialog>,
    request: Option<DownloadRequest>,
    /// Set when a download finished, so the app reloads the lists (last contact, last download).
    finished: bool,
}

impl std::fmt::Debug for DownloadState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadState")
            .field("running", &self.running.as_ref().map(|r| &r.terminal))
            .field("outcomes", &self.outcomes)
            .finish()
    }
}

impl DownloadState {
    /// The download the user asked for this frame, if any (the app starts it).
    pub(crate) fn take_request(&mut self) -> Option<DownloadRequest> {
        self.request.take()
    }

    /// True once after a download finished.
    pub(crate) fn take_finished(&mut self) -> bool {
        std::mem::take(&mut self.finished)
    }

    /// Starts `req` on a worker thread through the backend's download service.
    pub(crate) fn start(
        &mut self,
        ctx: &egui::Context,
        backend: Arc<Backend>,
        session: Arc<UserSession>,
        req: DownloadRequest,
    ) {
        if self.running.is_some() {
            return;
        }
        let (progress_tx, progress_rx) = kaoqin_sync::progress_channel();
        let (done_tx, done_rx): (Sender<DownloadOutcome>, _) = channel();
        let ctx2 = ctx.clone();
        let terminal = req.terminal.clone();
        let cancel = kaoqin_sync::CancellationToken::new();
        let cancel2 = cancel.clone();
        let spawned = std::thread::Builder::new()
            .name("kaoqin-gui-download".into())
            .spawn(move || {
                let outcome = backend.download(
                    &session,
                    &req.terminal,
                    req.override_reason,
                    progress_tx,
                    cancel2,
                );
                // The window may be gone; nothing to do then.
                let _ = done_tx.send(outcome);
                ctx2.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.outcomes.retain(|(t, _)| *t != terminal);
                self.running = Some(Running {
                    terminal,
                    started: Instant::now(),
                    progress: progress_rx,
                    done: done_rx,
                    cancel,
                    cancel_requested: false,
                });
            }
            Err(err) => tracing::error!(%err, "cannot start the download thread"),
        }
    }

    /// Collects a finished download's outcome.
    fn poll(&mut self) {
        let Some(r) = &self.running else { return };
        if let Ok(mut outcome) = r.done.try_recv() {
            // The time the user waited, click to result (the session's own duration is shorter).
            if let DownloadOutcome::Done(s) = &mut outcome {
                s.duration_ms = u64::try_from(r.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            }
            let terminal = r.terminal.clone();
            self.running = None;
            self.finished = true;
            self.outcomes.push((terminal, outcome));
        }
    }

    /// Whether a download of `terminal` (or of any terminal, with `None`) is running.
    pub(crate) fn running(&self, terminal: Option<&str>) -> bool {
        self.running
            .as_ref()
            .is_some_and(|r| terminal.is_none_or(|t| r.terminal == t))
    }

    /// The Download button (or the running download's progress, with Cancel) and the last
    /// outcome of one terminal.
    pub(crate) fn show_terminal(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        terminal: &str,
        may_override: bool,
    ) {
        self.poll();
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(terminal).strong());
            let busy = self.running.is_some();
            let button = egui::Button::new(tr!(lang, "download.button"));
            if ui.add_enabled(!busy, button).clicked() {
                self.request = Some(DownloadRequest {
                    terminal: terminal.to_owned(),
                    override_reason: None,
                });
            }
        });
        if let Some(r) = self.running.as_mut().filter(|r| r.terminal == terminal) {
            show_progress(ui, lang, r);
            let label = if r.cancel_requested {
                tr!(lang, "download.cancelling")
            } else {
                tr!(lang, "download.cancel_download")
            };
            if ui
                .add_enabled(!r.cancel_requested, egui::Button::new(label))
                .clicked()
            {
                r.cancel_requested = true;
                r.cancel.cancel();
            }
            // A short timer only while a download runs: the countdown moves every second.
            ui.ctx().request_repaint_after(Duration::from_millis(250));
        }
        let outcome = self
            .outcomes
            .iter()
            .find(|(t, _)| t == terminal)
            .map(|(_, o)| o.clone());
        if let Some(o) = outcome {
            self.show_outcome(ui, lang, terminal, &o, may_override);
        }
    }

    fn show_outcome(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        terminal: &str,
        outcome: &DownloadOutcome,
        may_override: bool,
    ) {
        match outcome {
            DownloadOutcome::Done(s) => {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.label(tr!(
                        lang,
                        "download.done",
                        session = s.session_id,
                        seconds = format!("{:.1}", s.duration_ms as f64 / 1000.0)
                    ));
                    ui.label(tr!(
                        lang,
                        "download.counts",
                        read = s.read,
                        new = s.new,
                        already = s.already_stored,
                        users = s.users_read
                    ));
                    ui.label(tr!(lang, "download.findings", count = s.findings));
                    if let Some(o) = &s.overridden {
                        ui.label(tr!(lang, "download.overridden", rule = o));
                    }
                });
            }
            DownloadOutcome::Refused {
                rule_key,
                rule,
                earliest,
            } => {
                egui::Frame::group(ui.style())
                    .stroke(egui::Stroke::new(1.0, ui.visuals().warn_fg_color))
                    .show(ui, |ui| {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            tr!(lang, "download.refused", rule = tr!(lang, *rule_key)),
                        );
                        ui.label(tr!(lang, "download.next_allowed", time = earliest));
                        ui.small(widgets::rule_text(lang, rule));
                        if may_override && ui.button(tr!(lang, "download.override")).clicked() {
                            self.dialog = Some(OverrideDialog {
                                terminal: terminal.to_owned(),
                                reason: String::new(),
                            });
                        }
                    });
            }
            DownloadOutcome::Failed(e) => widgets::error_box(ui, lang, e),
        }
    }

    /// The supervisor's override dialog (a window over the page), if open.
    pub(crate) fn show_dialog(&mut self, ctx: &egui::Context, lang: Lang) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let intro = tr!(lang, "download.override_intro", terminal = &dialog.terminal);
        match widgets::override_dialog(
            ctx,
            lang,
            &intro,
            &mut dialog.reason,
            "download.override_ok",
        ) {
            widgets::OverrideChoice::Open => {}
            widgets::OverrideChoice::Go(reason) => {
                self.request = Some(DownloadRequest {
                    terminal: dialog.terminal.clone(),
                    override_reason: Some(reason),
                });
                self.dialog = None;
            }
            widgets::OverrideChoice::Cancel => self.dialog = None,
        }
    }
}

fn phase_key(phase: Phase) -> &'static str {
    match phase {
        Phase::CheckingRules => "download.phase_checking_rules",
        Phase::Connecting => "download.phase_connecting",
        Phase::ReadingDeviceInfo => "download.phase_device_info",
        Phase::ReadingClock => "download.phase_clock",
        Phase::Disabling => "download.phase_disabling",
        Phase::ReadingUsers => "download.phase_users",
        Phase::ReadingLog => "download.phase_log",
        Phase::Working => "download.phase_working",
        Phase::Enabling => "download.phase_enabling",
        Phase::Disconnecting => "download.phase_disconnecting",
        Phase::Storing => "download.phase_storing",
        Phase::Done => "download.phase_done",
        Phase::Cut => "download.phase_cut",
        Phase::Failed => "download.phase_failed",
        Phase::Cancelled => "download.phase_cancelled",
    }
}

fn show_progress(ui: &mut egui::Ui, lang: Lang, r: &Running) {
    let p = *r.progress.borrow();
    let fraction = if p.records_total > 0 {
        (p.records_done as f32 / p.records_total as f32).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let limit = if p.time_left > Duration::ZERO || p.elapsed > Duration::ZERO {
        p.elapsed + p.time_left
    } else {
        DEFAULT_LIMIT
    };
    let left = limit.saturating_sub(r.started.elapsed());
    ui.add(
        egui::ProgressBar::new(fraction)
            .desired_width(420.0)
            .text(tr!(
                lang,
                "download.records",
                done = p.records_done,
                total = p.records_total
            )),
    );
    ui.horizontal(|ui| {
        ui.add(egui::Spinner::new());
        ui.label(tr!(
            lang,
            "download.phase",
            phase = tr!(lang, phase_key(p.phase))
        ));
        ui.label(tr!(lang, "download.time_left", seconds = left.as_secs()));
    });
}

/// Maps the service's answer to what the page shows.
pub(crate) fn outcome(
    result: Result<kaoqin_sync::DownloadReport, crate::app::terminal_sync::OpsError>,
) -> DownloadOutcome {
    match result {
        Ok(r) => DownloadOutcome::Done(DownloadSummary {
            session_id: r.session_id,
            read: r.counts.read,
            new: r.counts.new,
            already_stored: r.counts.already_stored,
            findings: r.findings.len(),
            users_read: r.users_read,
            duration_ms: r.duration_ms,
            overridden: r.overridden,
        }),
        Err(e) => match ops_failure(e) {
            OpsFailure::Refused {
                rule_key,
                rule,
                earliest,
                ..
            } => DownloadOutcome::Refused {
                rule_key,
                rule,
                earliest,
            },
            OpsFailure::Failed(e) => DownloadOutcome::Failed(e),
        },
    }
}
