//! Audit: the chain verification result and the log, newest first, with a text filter.

use crate::i18n::Lang;

use super::super::model::ChainCheck;
use super::super::widgets;
use super::PageCtx;

/// The verification result as one coloured line.
pub(crate) fn chain_label(ui: &mut egui::Ui, lang: Lang, chain: &ChainCheck) {
    match chain {
        ChainCheck::Intact { entries } => {
            ui.colored_label(
                egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
                tr!(lang, "audit.chain_ok", entries = entries),
            );
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

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    pub search: String,
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let (lang, lists) = (cx.lang, cx.lists);
    let search = &mut state.search;
    if let Some(chain) = &lists.chain {
        ui.horizontal(|ui| {
            ui.label(tr!(lang, "audit.chain"));
            chain_label(ui, lang, chain);
        });
    }
    super::search_box(ui, lang, search);
    let rows: Vec<_> = lists
        .audit
        .iter()
        .rev()
        .filter(|a| {
            super::matches(
                search,
                &[&a.actor, &a.action, &a.target, &a.details, &a.time],
            )
        })
        .collect();
    if rows.is_empty() {
        ui.label(tr!(lang, "audit.empty"));
        return;
    }
    let headers = [
        tr!(lang, "audit.col_seq"),
        tr!(lang, "audit.col_time"),
        tr!(lang, "audit.col_actor"),
        tr!(lang, "audit.col_role"),
        tr!(lang, "audit.col_action"),
        tr!(lang, "audit.col_target"),
        tr!(lang, "audit.col_details"),
    ];
    widgets::table(ui, "audit", &headers, rows.len(), |ui, r, c| {
        let Some(a) = rows.get(r) else { return };
        match c {
            0 => ui.label(a.seq.to_string()),
            1 => ui.label(&a.time),
            2 => ui.label(&a.actor),
            3 => ui.label(&a.role),
            4 => ui.label(&a.action),
            5 => ui.label(&a.target),
            _ => ui.label(&a.details),
        };
    });
}
