//! The Requests page's form for a new request (the clerk enters it on the employee's behalf):
//! employee picker with search, kind, leave type, from/to, place, supplement time and evidence,
//! reason; field errors inline. Turns the typed values into the domain's `RequestKind`; the
//! service checks the request's own rules when it stores it.

use kaoqin_domain::timefmt;
use kaoqin_domain::{LeaveType, PunchKind, RequestKind, Span, SpanEnd, SpanError};

use crate::i18n::Lang;

use super::super::model::EmployeeRow;
use super::schedules::field_error;

/// The kinds the form offers, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Kind {
    #[default]
    Leave,
    Outing,
    Trip,
    Supplement,
    Overtime,
}

impl Kind {
    pub(crate) const ALL: [Kind; 5] = [
        Kind::Leave,
        Kind::Outing,
        Kind::Trip,
        Kind::Supplement,
        Kind::Overtime,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Kind::Leave => "requests.kind_leave",
            Kind::Outing => "requests.kind_outing",
            Kind::Trip => "requests.kind_trip",
            Kind::Supplement => "requests.kind_supplement",
            Kind::Overtime => "requests.kind_overtime",
        }
    }
}

/// Which part of a day a leave, outing or trip covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Part {
    /// Whole days (or hours, when the times are typed).
    #[default]
    Whole,
    /// The first session of the shift (usually the morning).
    First,
    /// The second session (usually the afternoon).
    Second,
}

/// (field, locale key) pairs of a form that does not describe a request yet.
pub(crate) type FieldErrors = Vec<(&'static str, &'static str)>;

/// The new-request form, every value as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestForm {
    pub employee_search: String,
    pub employee: Option<String>,
    pub kind: Kind,
    pub leave_type: String,
    pub from: String,
    pub to: String,
    pub place: String,
    /// Half a day: one session of the date in "from".
    pub part: Part,
    pub at: String,
    pub punch_out: bool,
    pub evidence: String,
    pub reason: String,
    /// (field, locale key).
    pub errors: Vec<(&'static str, &'static str)>,
}

impl RequestForm {
    /// The employee, kind and reason the form describes, or the fields to fix.
    pub(crate) fn build(&self) -> Result<(String, RequestKind, String), FieldErrors> {
        let mut errors = Vec::new();
        let employee = self.employee.clone();
        if employee.is_none() {
            errors.push(("employee", "requests.need_employee"));
        }
        let reason = self.reason.trim().to_owned();
        let span = |errors: &mut Vec<_>, times_only: bool| -> Option<Span> {
            if !times_only && self.part != Part::Whole {
                let session = if self.part == Part::First { 0 } else { 1 };
                let Ok(date) = timefmt::parse_date(&self.from) else {
                    errors.push(("from", "requests.bad_date"));
                    return None;
                };
                let to = self.to.trim();
                if !to.is_empty() && timefmt::parse_date(to).ok() != Some(date) {
                    errors.push(("to", "requests.half_one_day"));
                    return None;
                }
                return Some(Span::Session { date, session });
            }
            let parsed = if times_only {
                Span::parse_times(&self.from, &self.to).map(|(from, to)| Span::Range { from, to })
            } else {
                Span::parse(&self.from, &self.to)
            };
            parsed
                .map_err(|e| errors.extend(span_errors(&e, &self.to, times_only)))
                .ok()
        };
        let kind = match self.kind {
            Kind::Leave => {
                if self.leave_type.is_empty() {
                    errors.push(("leave_type", "requests.need_leave_type"));
                }
                span(&mut errors, false).map(|span| RequestKind::Leave {
                    leave_type: self.leave_type.clone(),
                    span,
                })
            }
            Kind::Outing => {
                if self.place.trim().is_empty() {
                    errors.push(("place", "requests.need_place"));
                }
                if reason.is_empty() {
                    errors.push(("reason", "requests.need_reason"));
                }
                span(&mut errors, false).map(|span| RequestKind::Outing {
                    place: self.place.trim().to_owned(),
                    span,
                })
            }
            Kind::Trip => span(&mut errors, false).map(|span| RequestKind::Trip {
                destination: self.place.trim().to_owned(),
                span,
            }),
            Kind::Supplement => {
                if reason.is_empty() {
                    errors.push(("reason", "requests.need_reason"));
                }
                if self.evidence.trim().is_empty() {
                    errors.push(("evidence", "requests.need_evidence"));
                }
                match timefmt::parse_datetime(&self.at) {
                    Ok(at) => Some(RequestKind::Supplement {
                        at,
                        punch: if self.punch_out {
                            PunchKind::Out
                        } else {
                            PunchKind::In
                        },
                        evidence: self.evidence.trim().to_owned(),
                    }),
                    Err(_) => {
                        errors.push(("at", "requests.bad_datetime"));
                        None
                    }
                }
            }
            Kind::Overtime => match span(&mut errors, true) {
                Some(Span::Range { from, to }) => Some(RequestKind::Overtime { from, to }),
                _ => None,
            },
        };
        match (employee, kind) {
            (Some(e), Some(k)) if errors.is_empty() => Ok((e, k, reason)),
            _ => Err(errors),
        }
    }
}

/// The fields to mark for a span the domain refused (`to` is the typed end: when the start cannot
/// be read, an unreadable end is marked too).
fn span_errors(e: &SpanError, to: &str, times_only: bool) -> FieldErrors {
    let unreadable = if times_only {
        "requests.bad_datetime"
    } else {
        "requests.bad_when"
    };
    match e {
        SpanError::Start(_) => {
            let mut errors = vec![("from", unreadable)];
            if !to.trim().is_empty()
                && timefmt::parse_date_or_datetime(to).is_err()
                && timefmt::parse_time(to).is_err()
            {
                errors.push(("to", unreadable));
            }
            errors
        }
        SpanError::End(_) => vec![("to", unreadable)],
        SpanError::NeedTimes(SpanEnd::Start) => vec![("from", "requests.bad_datetime")],
        SpanError::NeedTimes(SpanEnd::End) => vec![("to", "requests.bad_datetime")],
        SpanError::Mixed => vec![("to", "requests.mixed")],
        SpanError::EndBeforeStart { .. } | SpanError::Empty { .. } => {
            vec![("to", "requests.to_before_from")]
        }
        SpanError::TooLong { .. } => vec![("to", "requests.too_long")],
        SpanError::BadSession { .. } => vec![("from", "requests.bad_date")],
    }
}

/// Draws the form; true when the user submits it (button or Enter in a single-line field).
pub(crate) fn show(
    ui: &mut egui::Ui,
    lang: Lang,
    f: &mut RequestForm,
    employees: &[EmployeeRow],
    leave_types: &[LeaveType],
    busy: bool,
) -> bool {
    let mut submit = false;
    let errors = f.errors.clone();
    if f.leave_type.is_empty()
        && let Some(t) = leave_types.first()
    {
        f.leave_type = t.code.clone();
    }
    let enter = |r: &egui::Response, ui: &egui::Ui| {
        r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
    };
    egui::Grid::new("request-form")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let l = ui.label(tr!(lang, "requests.employee"));
            ui.vertical(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut f.employee_search)
                        .hint_text(tr!(lang, "requests.employee_hint"))
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
                let search = f.employee_search.trim();
                if let Some(e) = employees.iter().find(|e| e.active && e.no == search) {
                    f.employee = Some(e.no.clone());
                }
                let matches: Vec<&EmployeeRow> = employees
                    .iter()
                    .filter(|e| e.active)
                    .filter(|e| super::matches(search, &[&e.no, &e.name, &e.department]))
                    .take(10)
                    .collect();
                ui.horizontal_wrapped(|ui| {
                    ui.set_max_width(640.0);
                    for e in matches {
                        let text = format!("{} {} · {}", e.no, e.name, e.department);
                        if ui
                            .selectable_label(f.employee.as_deref() == Some(e.no.as_str()), text)
                            .clicked()
                        {
                            f.employee = Some(e.no.clone());
                        }
                    }
                });
                match f
                    .employee
                    .as_ref()
                    .and_then(|no| employees.iter().find(|e| &e.no == no))
                {
                    Some(e) => ui.label(tr!(
                        lang,
                        "requests.employee_chosen",
                        no = e.no.as_str(),
                        name = e.name.as_str()
                    )),
                    None => ui.weak(tr!(lang, "requests.employee_none")),
                };
                field_error(ui, lang, &errors, "employee");
            });
            ui.end_row();

            ui.label(tr!(lang, "requests.kind"));
            ui.horizontal(|ui| {
                for k in Kind::ALL {
                    if ui
                        .selectable_label(f.kind == k, tr!(lang, k.key()))
                        .clicked()
                    {
                        f.kind = k;
                        f.errors.clear();
                    }
                }
            });
            ui.end_row();

            if f.kind == Kind::Leave {
                ui.label(tr!(lang, "requests.leave_type"));
                ui.vertical(|ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.set_max_width(640.0);
                        for t in leave_types {
                            let name = if lang == Lang::English {
                                &t.name_en
                            } else {
                                &t.name_zh
                            };
                            ui.selectable_value(&mut f.leave_type, t.code.clone(), name);
                        }
                    });
                    field_error(ui, lang, &errors, "leave_type");
                });
                ui.end_row();
            }
            if matches!(f.kind, Kind::Outing | Kind::Trip) {
                let key = if f.kind == Kind::Outing {
                    "requests.place"
                } else {
                    "requests.destination"
                };
                let l = ui.label(tr!(lang, key));
                ui.vertical(|ui| {
                    let r = ui
                        .add(egui::TextEdit::singleline(&mut f.place).desired_width(320.0))
                        .labelled_by(l.id);
                    submit |= enter(&r, ui);
                    field_error(ui, lang, &errors, "place");
                });
                ui.end_row();
            }
            if f.kind == Kind::Supplement {
                let l = ui.label(tr!(lang, "requests.at"));
                ui.vertical(|ui| {
                    ui.horizontal(|ui| {
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(&mut f.at)
                                    .hint_text("2026-11-25 08:30")
                                    .desired_width(160.0),
                            )
                            .labelled_by(l.id);
                        submit |= enter(&r, ui);
                        ui.selectable_value(
                            &mut f.punch_out,
                            false,
                            tr!(lang, "requests.punch_in"),
                        );
                        ui.selectable_value(
                            &mut f.punch_out,
                            true,
                            tr!(lang, "requests.punch_out"),
                        );
                    });
                    field_error(ui, lang, &errors, "at");
                });
                ui.end_row();
                let l = ui.label(tr!(lang, "requests.evidence"));
                ui.vertical(|ui| {
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut f.evidence)
                                .hint_text(tr!(lang, "requests.evidence_hint"))
                                .desired_width(420.0),
                        )
                        .labelled_by(l.id);
                    submit |= enter(&r, ui);
                    field_error(ui, lang, &errors, "evidence");
                });
                ui.end_row();
            } else {
                let hint = if f.kind == Kind::Overtime {
                    "2026-11-25 18:00"
                } else {
                    "2026-11-25"
                };
                if f.kind != Kind::Overtime {
                    ui.label(tr!(lang, "requests.part"));
                    ui.horizontal(|ui| {
                        for (part, key) in [
                            (Part::Whole, "requests.part_whole"),
                            (Part::First, "requests.part_first"),
                            (Part::Second, "requests.part_second"),
                        ] {
                            ui.selectable_value(&mut f.part, part, tr!(lang, key));
                        }
                    });
                    ui.end_row();
                }
                for (field, key, value) in [
                    ("from", "requests.from", &mut f.from),
                    ("to", "requests.to", &mut f.to),
                ] {
                    let l = ui.label(tr!(lang, key));
                    ui.vertical(|ui| {
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(value)
                                    .hint_text(hint)
                                    .desired_width(160.0),
                            )
                            .labelled_by(l.id);
                        submit |= enter(&r, ui);
                        field_error(ui, lang, &errors, field);
                    });
                    ui.end_row();
                }
                ui.label("");
                ui.weak(tr!(lang, "requests.when_hint"));
                ui.end_row();
            }
            let l = ui.label(tr!(lang, "requests.reason"));
            ui.vertical(|ui| {
                let r = ui
                    .add(egui::TextEdit::singleline(&mut f.reason).desired_width(420.0))
                    .labelled_by(l.id);
                submit |= enter(&r, ui);
                field_error(ui, lang, &errors, "reason");
            });
            ui.end_row();
        });
    let button = egui::Button::new(tr!(lang, "requests.submit"));
    submit |= ui.add_enabled(!busy, button).clicked();
    submit && !busy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: Kind) -> RequestForm {
        RequestForm {
            employee: Some("1001".into()),
            kind,
            leave_type: "annual".into(),
            ..Default::default()
        }
    }

    #[test]
    fn leave_by_days_or_times() {
        let mut f = form(Kind::Leave);
        f.from = "2026-12-01".into();
        f.to = "2026-12-02".into();
        let (no, kind, _) = f.build().expect("valid");
        assert_eq!(no, "1001");
        assert!(matches!(
            kind,
            RequestKind::Leave {
                span: Span::Days { .. },
                ..
            }
        ));
        f.from = "2026-12-01 09:00".into();
        f.to = "2026-12-01 12:00".into();
        let (_, kind, _) = f.build().expect("valid");
        assert!(matches!(
            kind,
            RequestKind::Leave {
                span: Span::Range { .. },
                ..
            }
        ));
        f.to = String::new();
        f.from = "2026-12-03".into();
        let (_, kind, _) = f.build().expect("one day");
        assert_eq!(kind.dates().0, kind.dates().1);
    }

    #[test]
    fn half_days_are_one_session_of_one_date() {
        let d = |s: &str| timefmt::parse_date(s).expect("date");
        let half = |kind, part, from: &str, to: &str| {
            let mut f = form(kind);
            f.place = "市局".into();
            f.reason = "开会".into();
            f.part = part;
            f.from = from.into();
            f.to = to.into();
            f.build()
        };
        let span_of = |k: &RequestKind| match k {
            RequestKind::Leave { span, .. }
            | RequestKind::Outing { span, .. }
            | RequestKind::Trip { span, .. } => Some(span.clone()),
            _ => None,
        };
        type Case<'a> = (Kind, Part, &'a str, &'a str, Result<Span, FieldErrors>);
        let cases: Vec<Case> = vec![
            (
                Kind::Leave,
                Part::First,
                "2026-12-01",
                "",
                Ok(Span::Session {
                    date: d("2026-12-01"),
                    session: 0,
                }),
            ),
            (
                Kind::Outing,
                Part::Second,
                "2026-12-01",
                "2026-12-01",
                Ok(Span::Session {
                    date: d("2026-12-01"),
                    session: 1,
                }),
            ),
            (
                Kind::Trip,
                Part::Second,
                "2026-12-01",
                "2026-12-02",
                Err(vec![("to", "requests.half_one_day")]),
            ),
            (
                Kind::Leave,
                Part::First,
                "2026-12-01 09:00",
                "",
                Err(vec![("from", "requests.bad_date")]),
            ),
        ];
        for (kind, part, from, to, want) in cases {
            let got = half(kind, part, from, to).map(|(_, k, _)| span_of(&k).expect("a span"));
            assert_eq!(got, want, "{kind:?} {part:?} {from} {to}");
        }
    }

    #[test]
    fn spans_are_read_by_the_domain_as_in_the_cli() {
        let build = |kind, from: &str, to: &str| {
            let mut f = form(kind);
            f.from = from.into();
            f.to = to.into();
            f.build().map(|(_, k, _)| k)
        };
        let at = |s: &str| timefmt::parse_datetime(s).expect("time");
        // A bare end time is on the start's day; dates as the CLI reads them.
        assert!(matches!(
            build(Kind::Leave, "2026-12-01 09:00", "12:00"),
            Ok(RequestKind::Leave { span: Span::Range { from, to }, .. })
                if from == at("2026-12-01 09:00") && to == at("2026-12-01 12:00")
        ));
        assert_eq!(
            build(Kind::Leave, "2026/12/1", "20261203").map(|k| k.dates()),
            Ok((
                timefmt::parse_date("2026-12-01").expect("date"),
                timefmt::parse_date("2026-12-03").expect("date")
            ))
        );
        assert_eq!(
            build(Kind::Overtime, "2026-12-01 18:00", "20:30"),
            Ok(RequestKind::Overtime {
                from: at("2026-12-01 18:00"),
                to: at("2026-12-01 20:30")
            })
        );
        let refused: &[(Kind, &str, &str, FieldErrors)] = &[
            (
                Kind::Leave,
                "2026-12-01",
                "2028-01-01",
                vec![("to", "requests.too_long")],
            ),
            (
                Kind::Leave,
                "soon",
                "later",
                vec![("from", "requests.bad_when"), ("to", "requests.bad_when")],
            ),
            (
                Kind::Leave,
                "soon",
                "2026-12-01",
                vec![("from", "requests.bad_when")],
            ),
            (
                Kind::Leave,
                "2026-12-01",
                "later",
                vec![("to", "requests.bad_when")],
            ),
            (
                Kind::Overtime,
                "2026-12-01 18:00",
                "2026-12-02",
                vec![("to", "requests.bad_datetime")],
            ),
            (
                Kind::Overtime,
                "2026-12-01 18:00",
                "17:00",
                vec![("to", "requests.to_before_from")],
            ),
        ];
        for (kind, from, to, want) in refused {
            assert_eq!(
                build(*kind, from, to).as_ref(),
                Err(want),
                "{kind:?} {from} {to}"
            );
        }
    }

    #[test]
    fn errors_name_their_fields() {
        let mut f = form(Kind::Leave);
        f.employee = None;
        f.from = "2026-12-05".into();
        f.to = "2026-12-01".into();
        let e = f.build().expect_err("invalid");
        assert_eq!(
            e,
            vec![
                ("employee", "requests.need_employee"),
                ("to", "requests.to_before_from")
            ]
        );
        f.employee = Some("1".into());
        f.to = "2026-12-06 10:00".into();
        assert_eq!(
            f.build().expect_err("mixed"),
            vec![("to", "requests.mixed")]
        );
        let mut o = form(Kind::Overtime);
        o.from = "2026-12-01".into();
        assert_eq!(
            o.build().expect_err("dates"),
            vec![("from", "requests.bad_datetime")]
        );
        let mut s = form(Kind::Supplement);
        s.at = "yesterday".into();
        let fields: Vec<_> = s
            .build()
            .expect_err("supplement")
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(fields, vec!["reason", "evidence", "at"]);
        let mut out = form(Kind::Outing);
        out.from = "2026-12-01".into();
        let fields: Vec<_> = out
            .build()
            .expect_err("outing")
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(fields, vec!["place", "reason"]);
    }
}
