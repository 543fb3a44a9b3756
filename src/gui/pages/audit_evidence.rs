//! Audit → evidence check: what `kaoqin audit verify` prints, in words a supervisor or auditor
//! reads — the verdict, the audit log's hash chain, how far back the anchors kept outside the
//! database vouch (and any that show cut or rewritten entries), and the punches' batch hashes.
//! Only draws; the check itself runs as a job of the Audit page (`Backend::verify_evidence`).

use std::path::PathBuf;

use crate::i18n::Lang;

use super::super::backend::audit::{
    AnchorFailure, AnchorLine, AnchorPlace, BatchFailure, EvidenceView,
};
use super::super::model::ChainCheck;
use super::super::tasks::Tasks;
use super::audit_files::{self, Dialog, Picked};

const GOOD: egui::Color32 = egui::Color32::from_rgb(0x2e, 0x9d, 0x4f);

/// The evidence check's part of the Audit page's state.
#[derive(Default)]
pub(crate) struct Evidence {
    /// The last check's result (`None` until the first one is back).
    pub report: Option<EvidenceView>,
    /// An extra backup directory to search for anchors (`--backup-dir`), may be empty.
    pub backup_dir: String,
}

impl Evidence {
    /// The directories to search besides those the audit log records.
    pub fn backup_dirs(&self) -> Vec<PathBuf> {
        let dir = self.backup_dir.trim();
        if dir.is_empty() {
            Vec::new()
        } else {
            vec![PathBuf::from(dir)]
        }
    }
}

/// The chain's verification as one coloured line (the dashboard's, from the shared lists).
pub(crate) fn chain_label(ui: &mut egui::Ui, lang: Lang, chain: &ChainCheck) {
    match chain {
        ChainCheck::Intact { entries } => {
            ui.colored_label(GOOD, tr!(lang, "audit.chain_ok", entries = entries));
        }
        ChainCheck::Broken { seq, reason } => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                tr!(
                    lang,
                    "audit.chain_broken",
                    seq = seq,
                    reason = reason.as_str()
                ),
            );
        }
    }
}

/// The verdict in one line, for the log tab (beside "verify again").
pub(crate) fn summary(ui: &mut egui::Ui, lang: Lang, v: &EvidenceView) {
    if v.sound {
        ui.colored_label(
            GOOD,
            tr!(lang, "audit.evidence_sound_short", entries = v.entries),
        );
    } else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr!(lang, "audit.evidence_problems_short"),
        );
    }
}

/// The evidence tab. Returns true when the user asks for the check to run (again).
pub(crate) fn tab(
    ui: &mut egui::Ui,
    lang: Lang,
    ev: &mut Evidence,
    files: &mut Tasks<Picked>,
    busy: bool,
) -> bool {
    let mut run = false;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(tr!(lang, "audit.evidence_hint"));
            audit_files::path_field(
                ui,
                lang,
                &tr!(lang, "audit.evidence_backup_dir"),
                &mut ev.backup_dir,
                files,
                "backup_dir",
                Dialog::Folder,
            );
            run = ui
                .add_enabled(!busy, egui::Button::new(tr!(lang, "audit.evidence_run")))
                .clicked();
            let Some(v) = &ev.report else {
                return;
            };
            ui.add_space(6.0);
            verdict(ui, lang, v);
            ui.add_space(6.0);
            chain_section(ui, lang, v);
            ui.separator();
            anchors_section(ui, lang, v);
            ui.separator();
            punches_section(ui, lang, v);
        });
    run
}

/// The overall verdict, framed in its colour.
fn verdict(ui: &mut egui::Ui, lang: Lang, v: &EvidenceView) {
    let (colour, key) = if v.sound {
        (GOOD, "audit.verdict_sound")
    } else {
        (ui.visuals().error_fg_color, "audit.verdict_problems")
    };
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.5, colour))
        .show(ui, |ui| {
            ui.colored_label(colour, egui::RichText::new(tr!(lang, key)).strong());
        });
}

/// A hash pair (what was recorded, what is there now) in small monospace.
fn hashes(ui: &mut egui::Ui, lang: Lang, expected: &str, found: &str) {
    ui.label(
        egui::RichText::new(tr!(
            lang,
            "audit.hash_pair",
            expected = expected,
            found = found
        ))
        .small()
        .monospace()
        .weak(),
    );
}

fn bad(ui: &mut egui::Ui, text: String) {
    ui.colored_label(ui.visuals().error_fg_color, text);
}

fn chain_section(ui: &mut egui::Ui, lang: Lang, v: &EvidenceView) {
    ui.strong(tr!(lang, "audit.chain_heading"));
    match &v.chain_break {
        None => {
            ui.colored_label(GOOD, tr!(lang, "audit.chain_intact", entries = v.entries));
        }
        Some(b) => {
            bad(
                ui,
                tr!(
                    lang,
                    "audit.chain_broken_at",
                    seq = b.seq,
                    reason = tr!(lang, b.reason_key).as_str()
                ),
            );
            hashes(ui, lang, &b.expected, &b.found);
        }
    }
    match (&v.intact_through_at, v.intact_through) {
        (_, 0) => ui.label(tr!(lang, "audit.intact_none")),
        (Some(at), n) => ui.label(tr!(
            lang,
            "audit.intact_through",
            through = n,
            at = at.as_str()
        )),
        (None, n) => ui.label(tr!(lang, "audit.intact_through_no_time", through = n)),
    };
}

/// Where an anchor came from, in the user's language.
fn place(lang: Lang, p: &AnchorPlace) -> String {
    let (key, path) = match p {
        AnchorPlace::AnchorFile(path) => ("audit.source_anchor_file", path),
        AnchorPlace::AnchorCopy(path) => ("audit.source_anchor_copy", path),
        AnchorPlace::BackupManifest(path) => ("audit.source_backup", path),
        AnchorPlace::Snapshot(path) => ("audit.source_snapshot", path),
        AnchorPlace::Other(text) => return text.clone(),
    };
    tr!(lang, key, path = path.as_str())
}

fn anchor_failure(ui: &mut egui::Ui, lang: Lang, f: &AnchorFailure) {
    let source = |a: &AnchorLine| place(lang, &a.place);
    match f {
        AnchorFailure::Missing { anchor, from, to } => bad(
            ui,
            tr!(
                lang,
                "audit.anchor_missing",
                at = anchor.at.as_str(),
                source = source(anchor).as_str(),
                from = from,
                to = to
            ),
        ),
        AnchorFailure::Rewritten {
            anchor,
            anchored,
            found,
        } => {
            bad(
                ui,
                tr!(
                    lang,
                    "audit.anchor_rewritten",
                    entry = anchor.entries,
                    at = anchor.at.as_str(),
                    source = source(anchor).as_str()
                ),
            );
            hashes(ui, lang, anchored, found);
        }
    }
}

fn anchors_section(ui: &mut egui::Ui, lang: Lang, v: &EvidenceView) {
    ui.strong(tr!(lang, "audit.anchors_heading"));
    ui.label(egui::RichText::new(tr!(lang, "audit.anchors_hint")).weak());
    for f in &v.anchor_failures {
        anchor_failure(ui, lang, f);
    }
    match &v.newest_anchor {
        Some(a) => {
            ui.colored_label(
                GOOD,
                tr!(
                    lang,
                    "audit.anchor_newest",
                    entries = a.entries,
                    at = a.at.as_str(),
                    source = place(lang, &a.place).as_str(),
                    count = v.anchors_checked
                ),
            );
        }
        None if v.anchors_checked == 0 => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr!(lang, "audit.anchor_none_found"),
            );
        }
        None => bad(ui, tr!(lang, "audit.anchor_none_matches")),
    }
    if let Some((from, to)) = v.unvouched {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "audit.anchor_unvouched", from = from, to = to),
        );
    }
    if let Some((count, seq, at)) = &v.before_restore {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(
                lang,
                "audit.anchor_before_restore",
                count = count,
                seq = seq,
                at = at.as_str()
            ),
        );
    }
    ui.collapsing(tr!(lang, "audit.looked_in"), |ui| {
        for place in &v.looked_in {
            ui.monospace(place);
        }
    });
    if !v.unreadable.is_empty() {
        ui.label(tr!(lang, "audit.unreadable"));
        for u in &v.unreadable {
            ui.label(egui::RichText::new(format!("• {u}")).small());
        }
    }
}

fn punches_section(ui: &mut egui::Ui, lang: Lang, v: &EvidenceView) {
    ui.strong(tr!(lang, "audit.punches_heading"));
    if v.batches_checked > 0 {
        let text = tr!(
            lang,
            "audit.punches_checked",
            batches = v.batches_checked,
            punches = v.punches_checked,
            bad = v.batch_failures.len()
        );
        if v.batch_failures.is_empty() {
            ui.colored_label(GOOD, text);
        } else {
            bad(ui, text);
        }
    } else if v.not_covered_batches == 0 && v.batch_failures.is_empty() {
        ui.label(tr!(lang, "audit.punches_none"));
    }
    if v.not_covered_batches > 0 {
        ui.label(tr!(
            lang,
            "audit.punches_not_covered",
            batches = v.not_covered_batches,
            punches = v.not_covered_punches
        ));
    }
    for f in &v.batch_failures {
        match f {
            BatchFailure::Changed {
                session,
                audit_seq,
                recorded,
                now,
                recorded_hash,
                now_hash,
            } => {
                bad(
                    ui,
                    tr!(
                        lang,
                        "audit.batch_changed",
                        session = session,
                        seq = audit_seq,
                        recorded = recorded,
                        now = now
                    ),
                );
                hashes(ui, lang, recorded_hash, now_hash);
            }
            BatchFailure::Uncovered { session, punches } => bad(
                ui,
                tr!(
                    lang,
                    "audit.batch_uncovered",
                    session = session,
                    punches = punches
                ),
            ),
        }
    }
}
