//! The terminal form (add / edit, every transport): its state as typed, the fields, and the check
//! that turns it into what the terminal services take. Used by the Terminals page and by the
//! first-run wizard's "first terminal" step.
//!
//! Checks only what the form itself can know; the service checks the rest. Must not call services.

use crate::app::terminals::takes_comm_key;
use crate::i18n::Lang;
use kaoqin_domain::CommKey;
use kaoqin_store::{TerminalKind, TextEncoding};

use super::super::backend::terminals::{TerminalDetail, TerminalForm};
use super::super::widgets;

/// The terminal form as typed.
#[derive(Debug, Clone)]
pub(crate) struct FormState {
    /// Editing this terminal; `None` = a new one.
    pub(crate) editing: Option<String>,
    pub(crate) name: String,
    pub(crate) kind: TerminalKind,
    pub(crate) address: String,
    pub(crate) baud: String,
    pub(crate) machine: String,
    pub(crate) encoding: TextEncoding,
    pub(crate) location: String,
    /// The serial number (a USB-only terminal is registered with it); fixed once known.
    pub(crate) serial: String,
    pub(crate) has_serial: bool,
    pub(crate) secret: String,
    pub(crate) has_secret: bool,
    pub(crate) clear_secret: bool,
    pub(crate) problem: Option<&'static str>,
}

impl Default for FormState {
    fn default() -> Self {
        FormState {
            editing: None,
            name: String::new(),
            kind: TerminalKind::ZkTcp,
            address: String::new(),
            baud: String::new(),
            machine: "1".into(),
            encoding: TextEncoding::Gbk,
            location: String::new(),
            serial: String::new(),
            has_serial: false,
            secret: String::new(),
            has_secret: false,
            clear_secret: false,
            problem: None,
        }
    }
}

impl FormState {
    /// The form for editing `d`: everything but the secret, which is kept unless typed again.
    pub(crate) fn edit(d: &TerminalDetail) -> Self {
        FormState {
            editing: Some(d.name.clone()),
            name: d.name.clone(),
            kind: d.kind,
            address: d.address.clone(),
            baud: d.baud.map(|b| b.to_string()).unwrap_or_default(),
            machine: d.machine.to_string(),
            encoding: d.encoding,
            location: d.location.clone(),
            serial: d.serial_no.clone().unwrap_or_default(),
            has_serial: d.serial_no.is_some(),
            has_secret: d.has_secret,
            ..FormState::default()
        }
    }
}

/// Checks the form and builds what the service takes.
pub(crate) fn check_form(f: &FormState, existing: &[&str]) -> Result<TerminalForm, &'static str> {
    let name = f.name.trim();
    if name.is_empty() {
        return Err("terminals.need_name");
    }
    let renamed = f.editing.as_deref() != Some(name);
    if renamed && existing.contains(&name) {
        return Err("terminals.name_taken");
    }
    if f.address.trim().is_empty() {
        return Err(match f.kind {
            TerminalKind::ZkSerial => "terminals.need_path",
            TerminalKind::Isapi => "terminals.need_url",
            _ => "terminals.need_address",
        });
    }
    let num = |s: &str| -> Result<Option<u32>, ()> {
        let s = s.trim();
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<u32>().map(Some).map_err(|_| ())
        }
    };
    let serial = f.kind == TerminalKind::ZkSerial;
    let baud = if serial {
        num(&f.baud).map_err(|()| "terminals.bad_baud")?
    } else {
        None
    };
    let machine = if serial {
        match num(&f.machine).map_err(|()| "terminals.bad_machine")? {
            Some(0) => return Err("terminals.bad_machine"),
            m => m,
        }
    } else {
        None
    };
    let secret = if f.clear_secret {
        Some(String::new())
    } else if f.secret.is_empty() {
        // Adding: no secret; editing: keep the stored one.
        None
    } else {
        if takes_comm_key(f.kind) && f.secret.parse::<CommKey>().is_err() {
            return Err("terminals.bad_comm_key");
        }
        Some(f.secret.clone())
    };
    Ok(TerminalForm {
        name: name.to_owned(),
        kind: f.kind,
        address: f.address.trim().to_owned(),
        baud,
        machine,
        encoding: f.encoding,
        location: f.location.trim().to_owned(),
        serial: Some(f.serial.trim().to_owned()).filter(|s| !s.is_empty() && !f.has_serial),
        secret,
    })
}

pub(crate) fn kind_key(k: TerminalKind) -> &'static str {
    match k {
        TerminalKind::ZkTcp => "terminals.kind_zk_tcp",
        TerminalKind::ZkUdp => "terminals.kind_zk_udp",
        TerminalKind::ZkSerial => "terminals.kind_zk_serial",
        TerminalKind::Isapi => "terminals.kind_isapi",
    }
}

/// The form's fields; the caller adds the footer (problem, Save/Cancel).
pub(crate) fn fields(ui: &mut egui::Ui, lang: Lang, form: &mut FormState) {
    widgets::labelled_text(ui, &tr!(lang, "terminals.form_name"), &mut form.name, false);
    let l = ui.label(tr!(lang, "terminals.form_kind"));
    egui::ComboBox::from_id_salt("terminal-kind")
        .selected_text(tr!(lang, kind_key(form.kind)))
        .width(360.0)
        .show_ui(ui, |ui| {
            for k in TerminalKind::ALL {
                ui.selectable_value(&mut form.kind, k, tr!(lang, kind_key(k)));
            }
        })
        .response
        .labelled_by(l.id);
    let (addr_key, hint_key) = match form.kind {
        TerminalKind::ZkSerial => ("terminals.form_path", "terminals.hint_path"),
        TerminalKind::Isapi => ("terminals.form_url", "terminals.hint_url"),
        _ => ("terminals.form_address", "terminals.hint_address"),
    };
    widgets::labelled_text(ui, &tr!(lang, addr_key), &mut form.address, false);
    ui.small(tr!(lang, hint_key));
    if form.kind == TerminalKind::ZkSerial {
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.set_width(170.0);
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.form_baud"),
                    &mut form.baud,
                    false,
                );
            });
            ui.vertical(|ui| {
                ui.set_width(170.0);
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.form_machine"),
                    &mut form.machine,
                    false,
                );
            });
        });
    }
    let l = ui.label(tr!(lang, "terminals.form_encoding"));
    ui.horizontal(|ui| {
        ui.radio_value(
            &mut form.encoding,
            TextEncoding::Gbk,
            tr!(lang, "terminals.enc_gbk"),
        )
        .labelled_by(l.id);
        ui.radio_value(&mut form.encoding, TextEncoding::Utf8, "UTF-8");
    });
    widgets::labelled_text(
        ui,
        &tr!(lang, "terminals.form_location"),
        &mut form.location,
        false,
    );
    if form.has_serial {
        ui.label(tr!(lang, "terminals.form_serial"));
        ui.monospace(&form.serial);
        ui.small(tr!(lang, "terminals.serial_fixed"));
    } else {
        widgets::labelled_text(
            ui,
            &tr!(lang, "terminals.form_serial"),
            &mut form.serial,
            false,
        );
        ui.small(tr!(lang, "terminals.hint_serial"));
    }
    let secret_key = if form.kind == TerminalKind::Isapi {
        "terminals.form_isapi_password"
    } else {
        "terminals.form_comm_key"
    };
    widgets::labelled_text(ui, &tr!(lang, secret_key), &mut form.secret, true);
    if form.editing.is_some() {
        if form.has_secret {
            ui.small(tr!(lang, "terminals.secret_kept"));
            ui.checkbox(&mut form.clear_secret, tr!(lang, "terminals.secret_clear"));
        } else {
            ui.small(tr!(lang, "terminals.secret_none"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_checks_by_kind() {
        let lists: [&str; 0] = [];
        let tcp = FormState {
            name: "大厅".into(),
            address: "192.168.1.201:4370".into(),
            ..FormState::default()
        };
        let f = check_form(&tcp, &lists).expect("valid");
        assert_eq!((f.baud, f.machine, f.secret), (None, None, None));
        let serial = FormState {
            kind: TerminalKind::ZkSerial,
            address: "/dev/ttyUSB0".into(),
            baud: "9600".into(),
            machine: "2".into(),
            secret: "1234".into(),
            ..tcp.clone()
        };
        let f = check_form(&serial, &lists).expect("valid");
        assert_eq!(
            (f.baud, f.machine, f.secret),
            (Some(9600), Some(2), Some("1234".into()))
        );
        let cases = [
            (
                FormState {
                    name: " ".into(),
                    ..tcp.clone()
                },
                "terminals.need_name",
            ),
            (
                FormState {
                    address: "".into(),
                    ..tcp.clone()
                },
                "terminals.need_address",
            ),
            (
                FormState {
                    baud: "fast".into(),
                    ..serial.clone()
                },
                "terminals.bad_baud",
            ),
            (
                FormState {
                    machine: "0".into(),
                    ..serial.clone()
                },
                "terminals.bad_machine",
            ),
            (
                FormState {
                    secret: "abc".into(),
                    ..tcp.clone()
                },
                "terminals.bad_comm_key",
            ),
            (
                FormState {
                    secret: "1000000".into(),
                    ..serial.clone()
                },
                "terminals.bad_comm_key",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(check_form(&f, &lists).unwrap_err(), want);
        }
        let isapi = FormState {
            kind: TerminalKind::Isapi,
            address: "http://10.0.0.9".into(),
            secret: "pass word".into(),
            ..tcp
        };
        assert!(check_form(&isapi, &lists).is_ok());
    }
}
