//! How the device-administration view shows its results: a refusal or failure, the planned or
//! applied policy changes, the enrollment report and the terminal's user table. Drawing only: the
//! acts themselves are in the parent module.

use crate::i18n::Lang;
use kaoqin_sync::device_admin::{PolicyChange, Violation};

use crate::gui::backend::terminals::{EnrollmentView, OpsFailure, PolicyView};
use crate::gui::model::UiError;
use crate::gui::widgets;

/// A refusal (rule, next allowed time, Override…) or an error; true when Override is clicked.
pub(super) fn show_failure(ui: &mut egui::Ui, lang: Lang, f: &OpsFailure) -> bool {
    match f {
        OpsFailure::Refused {
            rule_key,
            rule,
            earliest,
            ..
        } => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr!(lang, "download.refused", rule = tr!(lang, *rule_key)),
            );
            ui.label(tr!(lang, "download.next_allowed", time = earliest));
            ui.small(widgets::rule_text(lang, rule));
            ui.button(tr!(lang, "download.override")).clicked()
        }
        OpsFailure::Failed(e) => {
            widgets::error_box(ui, lang, e);
            false
        }
    }
}

pub(super) fn show_policy(ui: &mut egui::Ui, lang: Lang, p: &PolicyView) {
    if p.violations.is_empty() {
        ui.label(tr!(lang, "terminals.policy_ok", users = p.users.len()));
    } else {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(
                lang,
                "terminals.policy_violations",
                count = p.violations.len()
            ),
        );
        for v in &p.violations {
            ui.label(format!("· {}", violation_text(lang, v)));
        }
    }
    match &p.violations_after {
        None => {
            if !p.changes.is_empty() {
                ui.label(tr!(
                    lang,
                    "terminals.policy_planned",
                    count = p.changes.len()
                ));
                for c in &p.changes {
                    ui.label(format!("→ {}", change_text(lang, c)));
                }
            }
        }
        Some(left) => {
            ui.label(tr!(
                lang,
                "terminals.policy_applied",
                count = p.changes.len()
            ));
            for c in &p.changes {
                ui.label(format!("√ {}", change_text(lang, c)));
            }
            if let Some(refused) = &p.apply_error {
                widgets::error_box(
                    ui,
                    lang,
                    &UiError::new("terminals.policy_apply_refused", refused.clone()),
                );
            }
            if left.is_empty() {
                ui.label(tr!(lang, "terminals.policy_clean"));
            } else {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    tr!(
                        lang,
                        "terminals.policy_left",
                        left = left
                            .iter()
                            .map(|v| violation_text(lang, v))
                            .collect::<Vec<_>>()
                            .join("；")
                    ),
                );
            }
        }
    }
}

pub(super) fn show_enrollment(ui: &mut egui::Ui, lang: Lang, e: &EnrollmentView) {
    ui.label(tr!(
        lang,
        "terminals.enrollment_summary",
        not_enrolled = e.not_enrolled.len(),
        not_employees = e.not_employees.len(),
        mismatches = e.name_mismatches.len()
    ));
    for (no, name) in &e.not_enrolled {
        ui.label(tr!(
            lang,
            "terminals.enrollment_not_enrolled",
            no = no,
            name = name
        ));
    }
    for (no, name) in &e.not_employees {
        ui.label(tr!(
            lang,
            "terminals.enrollment_not_employee",
            no = no,
            name = name
        ));
    }
    for (no, k, t) in &e.name_mismatches {
        ui.label(tr!(
            lang,
            "terminals.enrollment_mismatch",
            no = no,
            ours = k,
            theirs = t
        ));
    }
}

pub(super) fn user_table(
    ui: &mut egui::Ui,
    lang: Lang,
    users: &[crate::gui::backend::terminals::DeviceUserRow],
) {
    let headers = [
        tr!(lang, "terminals.user_uid"),
        tr!(lang, "terminals.user_no"),
        tr!(lang, "terminals.user_name"),
        tr!(lang, "terminals.user_privilege"),
        tr!(lang, "terminals.user_password"),
        tr!(lang, "terminals.user_card"),
    ];
    let (yes, no) = (tr!(lang, "terminals.yes"), tr!(lang, "terminals.no"));
    let h = ui.available_height().max(120.0);
    crate::gui::pages::employees_import::small_table(
        ui,
        "device-users",
        &headers,
        users.len(),
        h,
        |ui, r, c| {
            let Some(u) = users.get(r) else { return };
            let text = match c {
                0 => u.uid.to_string(),
                1 => u.enrollment_no.clone(),
                2 => u.name.clone(),
                3 => match u.privilege {
                    14 => tr!(lang, "terminals.privilege_super"),
                    0 => tr!(lang, "terminals.privilege_user"),
                    p => tr!(lang, "terminals.privilege_admin", level = p),
                },
                4 => {
                    if u.has_password {
                        yes.clone()
                    } else {
                        no.clone()
                    }
                }
                _ => {
                    if u.card == 0 {
                        String::new()
                    } else {
                        u.card.to_string()
                    }
                }
            };
            ui.label(text);
        },
    );
}

/// A policy violation in the user's language.
pub(super) fn violation_text(lang: Lang, v: &Violation) -> String {
    match v {
        Violation::NoSuperAdmin => tr!(lang, "terminals.policy_v_no_super"),
        Violation::SuperAdmins { enrollment_nos } => tr!(
            lang,
            "terminals.policy_v_supers",
            count = enrollment_nos.len(),
            who = enrollment_nos.join(", ")
        ),
        Violation::ExtraAdmin { enrollment_no } => {
            tr!(lang, "terminals.policy_v_admin", no = enrollment_no)
        }
        Violation::PasswordUser { enrollment_no } => {
            tr!(lang, "terminals.policy_v_password", no = enrollment_no)
        }
        Violation::Fingerprints {
            enrollment_no,
            fingers,
        } => tr!(
            lang,
            "terminals.policy_v_fingers",
            no = enrollment_no,
            count = fingers.len(),
            fingers = fingers
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A policy change in the user's language.
pub(super) fn change_text(lang: Lang, c: &PolicyChange) -> String {
    match c {
        PolicyChange::Demote { uid, enrollment_no } => {
            tr!(
                lang,
                "terminals.policy_c_demote",
                no = enrollment_no,
                uid = uid
            )
        }
        PolicyChange::RemovePassword { uid, enrollment_no } => tr!(
            lang,
            "terminals.policy_c_password",
            no = enrollment_no,
            uid = uid
        ),
        PolicyChange::DeleteFingerprint {
            uid,
            enrollment_no,
            finger,
        } => tr!(
            lang,
            "terminals.policy_c_finger",
            no = enrollment_no,
            uid = uid,
            finger = finger
        ),
    }
}
