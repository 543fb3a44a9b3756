//! Table cases for approved (and not approved) requests and for calendar days: leave, outing, trip,
//! supplements, overtime requests, make-up Saturdays, rest days, statutory and shifted holidays.

use super::super::*;

pub(crate) fn request_and_calendar_cases() -> Vec<Case> {
    let no = "1001";
    let day = d(MON);
    vec![
        // Requests.
        case(
            "half-day leave covers the morning",
            a(),
            &["13:20"],
            "normal;leave:annual",
        )
        .req(approved(
            1,
            no,
            RequestKind::Leave {
                leave_type: "annual".into(),
                span: Span::Session {
                    date: day,
                    session: 0,
                },
            },
        )),
        case("whole-day sick leave", a(), &[], "leave:sick").req(approved(
            2,
            no,
            leave_days(no, "sick", MON, MON),
        )),
        case("outing covering the whole day", dd(), &[], "outing").req(approved(
            3,
            no,
            RequestKind::Outing {
                place: "市局".into(),
                span: Span::Range {
                    from: at(day, "07:00"),
                    to: at(day, "20:00"),
                },
            },
        )),
        case(
            "outing covering the afternoon only",
            dd(),
            &["07:30", "12:00"],
            "normal;outing",
        )
        .req(approved(
            4,
            no,
            RequestKind::Outing {
                place: "客户".into(),
                span: Span::Range {
                    from: at(day, "13:30"),
                    to: at(day, "19:30"),
                },
            },
        )),
        case(
            "outing until the end needs no sign-out",
            dd(),
            &["07:30", "12:00", "14:00"],
            "normal;outing",
        )
        .req(approved(
            15,
            no,
            RequestKind::Outing {
                place: "现场".into(),
                span: Span::Range {
                    from: at(day, "16:00"),
                    to: at(day, "19:30"),
                },
            },
        )),
        case(
            "leave until the end: early leaving is excused",
            b(),
            &["08:50", "16:00"],
            "normal;leave:personal",
        )
        .req(approved(
            16,
            no,
            RequestKind::Leave {
                leave_type: "personal".into(),
                span: Span::Range {
                    from: at(day, "16:00"),
                    to: at(day, "18:00"),
                },
            },
        )),
        case(
            "supplement for a forgotten sign-in",
            a(),
            &["13:20"],
            "normal;supplement",
        )
        .req(approved(
            5,
            no,
            RequestKind::Supplement {
                at: at(day, "08:55"),
                punch: PunchKind::In,
                evidence: "接待记录".into(),
            },
        )),
        case(
            "supplement for a forgotten sign-out",
            b(),
            &["08:50"],
            "normal;supplement",
        )
        .req(approved(
            6,
            no,
            RequestKind::Supplement {
                at: at(day, "18:00"),
                punch: PunchKind::Out,
                evidence: "同事确认".into(),
            },
        )),
        case("rejected leave is ignored", a(), &[], "absent")
            .absent(2)
            .req(with_state(
                approved(7, no, leave_days(no, "annual", MON, MON)),
                RequestState::Rejected,
            )),
        case("withdrawn leave is ignored", a(), &[], "absent")
            .absent(2)
            .req(with_state(
                approved(8, no, leave_days(no, "annual", MON, MON)),
                RequestState::Withdrawn,
            )),
        case("submitted leave is ignored", a(), &[], "absent")
            .absent(2)
            .req(with_state(
                approved(9, no, leave_days(no, "annual", MON, MON)),
                RequestState::Submitted,
            )),
        case("another employee's leave is ignored", a(), &[], "absent")
            .absent(2)
            .req(approved(10, "2002", leave_days("2002", "annual", MON, MON))),
        case(
            "leave 07:30–09:00 moves the due time",
            dd(),
            &["09:00", "12:00", "14:00", "19:00"],
            "normal;leave:personal",
        )
        .req(approved(
            11,
            no,
            RequestKind::Leave {
                leave_type: "personal".into(),
                span: Span::Range {
                    from: at(day, "07:30"),
                    to: at(day, "09:00"),
                },
            },
        )),
        case("business trip", b(), &[], "trip").req(approved(
            12,
            no,
            RequestKind::Trip {
                destination: "北京".into(),
                span: Span::Days {
                    from: d("2026-11-15"),
                    to: d("2026-11-18"),
                },
            },
        )),
        case(
            "overtime counted from an approved request",
            ot_by_request(),
            &["08:50", "20:30"],
            "normal;overtime",
        )
        .ot(90)
        .req(approved(
            13,
            no,
            RequestKind::Overtime {
                from: at(day, "18:00"),
                to: at(day, "19:30"),
            },
        )),
        case(
            "overtime punches without a request do not count when requests are required",
            ot_by_request(),
            &["08:50", "20:30"],
            "normal",
        ),
        // Calendar days.
        case(
            "make-up Saturday is a workday",
            c(),
            &["08:50", "17:35"],
            "normal",
        )
        .on("2026-02-14"),
        case(
            "make-up Saturday without punches is absent",
            c(),
            &[],
            "absent",
        )
        .absent(2)
        .on("2026-02-14"),
        case(
            "rest day work is rest-day overtime, lunch 12:00–13:10 not counted",
            c(),
            &["09:00", "13:10"],
            "overtime;restday",
        )
        .ot(180)
        .ot_kind(OvertimeKind::RestDay)
        .on("2026-11-21"),
        case("rest day without punches", c(), &[], "restday").on("2026-11-21"),
        case(
            "statutory holiday work",
            c(),
            &["09:00", "12:10"],
            "overtime;holiday",
        )
        .ot(180)
        .ot_kind(OvertimeKind::Holiday)
        .on("2026-10-01"),
        // Overtime classes: statutory days 300 %, shifted days off 200 %, workdays 150 %.
        case(
            "shifted day off in the National Day block is rest-day overtime, lunch excluded",
            c(),
            &["09:00", "17:30"],
            "overtime;holiday",
        )
        .ot(420)
        .ot_kind(OvertimeKind::RestDay)
        .on("2026-10-04"),
        case(
            "statutory National Day, a full day less lunch",
            c(),
            &["09:00", "17:30"],
            "overtime;holiday",
        )
        .ot(420)
        .ot_kind(OvertimeKind::Holiday)
        .on("2026-10-01"),
        case(
            "workday overtime after C's 30-minute break",
            c(),
            &["08:50", "19:00"],
            "normal;overtime",
        )
        .ot(60)
        .ot_kind(OvertimeKind::Workday),
        case("leave on a holiday consumes nothing", a(), &[], "holiday")
            .on("2026-10-02")
            .req(approved(
                14,
                no,
                leave_days(no, "annual", "2026-09-28", "2026-10-09"),
            )),
    ]
}
