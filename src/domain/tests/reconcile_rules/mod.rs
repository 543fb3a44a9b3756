//! The reconciliation rules HR signs by, as table cases written by hand before the code: arriving
//! early is never an absence, the split points decide the session, late and early beyond the
//! thresholds are absence, a half day excused is half a day, and ZK's strict windows as an option.

use super::*;

mod requests_and_days;
pub(super) use requests_and_days::request_and_calendar_cases;

pub(super) fn rule_cases() -> Vec<Case> {
    let day = d(MON);
    vec![
        // ZK's strict windows keep the old reading, as an explicit option.
        case(
            "strict A: before the window is ignored, the morning absent",
            strict(a()),
            &["08:29", "13:20"],
            "absent",
        )
        .absent(1)
        .unmatched(1),
        case(
            "strict C: before the window is a missing sign-in",
            strict(c()),
            &["08:44", "17:30"],
            "missing_in",
        )
        .unmatched(1),
        case(
            "strict C: a sign-out before its window is missing",
            strict(c()),
            &["08:50", "15:29"],
            "missing_out",
        )
        .unmatched(1),
        case(
            "strict B: after the sign-in window is ignored",
            strict(b()),
            &["11:01", "17:56"],
            "missing_in",
        )
        .unmatched(1),
        // Split points: C's gap 12:00–13:30 splits at 12:45, A's too; a punch at the split is the later session's.
        case(
            "C 12:44 is a spare morning punch",
            c(),
            &["08:50", "12:44", "17:30"],
            "normal",
        )
        .extra(1),
        case(
            "C 12:45 belongs to the afternoon: no morning sign-in",
            c(),
            &["12:45", "17:30"],
            "missing_in",
        )
        .extra(1),
        case(
            "C 12:44 alone is a morning sign-in 224 minutes late: absent",
            c(),
            &["12:44", "17:30"],
            "absent",
        )
        .absent(1),
        case(
            "C with its split moved to 12:15, 12:20 is the afternoon's",
            c_with(|s| s.sessions[0].split_after = Some(T::hm(12, 15))),
            &["12:20", "17:30"],
            "missing_in",
        )
        .extra(1),
        case(
            "A 12:44 is the morning's: the afternoon has no sign-in",
            a(),
            &["08:50", "12:44"],
            "absent",
        )
        .absent(1)
        .extra(1),
        case(
            "A 12:45 is an early afternoon sign-in: on time",
            a(),
            &["08:50", "12:45"],
            "normal",
        ),
        // Late and early beyond the thresholds (C: from 09:00 with 15 minutes' grace, absent after 120).
        case(
            "C 10:30 is 90 minutes late",
            c(),
            &["10:30", "17:30"],
            "late",
        )
        .late(90),
        case(
            "C 11:01 is 121 minutes late: absent",
            c(),
            &["11:01", "17:30"],
            "absent",
        )
        .absent(1),
        case(
            "C 11:10 is heavier than 10:30: absent",
            c(),
            &["11:10", "17:30"],
            "absent",
        )
        .absent(1),
        case(
            "C leaving at 14:00 is 210 minutes early: absent",
            c(),
            &["08:50", "14:00"],
            "absent",
        )
        .absent(1),
        case(
            "B leaving at 12:40 is early leave, not a missing sign-out",
            b(),
            &["08:50", "12:40"],
            "early",
        )
        .early(315),
        case(
            "A sign-in at 12:00, the window's last minute, is 180 late: absent",
            a(),
            &["12:00", "13:20"],
            "absent",
        )
        .absent(1),
        case(
            "A sign-in at 12:01, after the window, is late too: absent",
            a(),
            &["12:01", "13:20"],
            "absent",
        )
        .absent(1),
        // D: a punch between the sign-in window (to 09:30) and the sign-out window (from 11:00).
        case(
            "D lone 10:00 is nearer the sign-in side: late 150, no sign-out",
            dd(),
            &["10:00", "14:00", "19:00"],
            "late;missing_out",
        )
        .late(150),
        case(
            "D lone 10:16 is past the 10:15 midpoint: early 104, no sign-in",
            dd(),
            &["10:16", "14:00", "19:00"],
            "early;missing_in",
        )
        .early(104),
        case(
            "D leaving at 10:30 after signing in is early 90",
            dd(),
            &["07:30", "10:30", "14:00", "19:00"],
            "early",
        )
        .early(90),
        case(
            "D arriving at 10:30 and signing out at noon is late 180",
            dd(),
            &["10:30", "12:00", "14:00", "19:00"],
            "late",
        )
        .late(180),
        case(
            "D two punches between the windows: late in, early out",
            dd(),
            &["10:00", "10:40", "14:00", "19:00"],
            "late;early",
        )
        .late(150)
        .early(80),
        // A half day excused is half a day: the other session is still judged.
        case(
            "D afternoon leave, morning normal",
            dd(),
            &["07:30", "12:00"],
            "normal;leave:personal",
        )
        .req(half(101, 1, "personal")),
        case(
            "D morning leave, afternoon 20 late",
            dd(),
            &["14:20", "19:00"],
            "late;leave:personal",
        )
        .late(20)
        .req(half(102, 0, "personal")),
        case(
            "A morning leave, afternoon never signed: absent",
            a(),
            &[],
            "absent;leave:annual",
        )
        .absent(1)
        .req(half(103, 0, "annual")),
        case(
            "C afternoon sick leave, morning 40 late",
            c(),
            &["09:40"],
            "late;leave:sick",
        )
        .late(40)
        .req(half(104, 1, "sick")),
        case(
            "B afternoon leave: leaving at 12:05 is a spare punch, not an exception",
            b(),
            &["08:50", "12:05"],
            "normal;leave:personal",
        )
        .extra(1)
        .req(half(105, 1, "personal")),
        case(
            "C outing 09:00–11:00: arriving 11:05 is within the grace",
            c(),
            &["11:05", "17:30"],
            "normal;outing",
        )
        .req(approved(
            106,
            "1001",
            RequestKind::Outing {
                place: "税务局".into(),
                span: Span::Range {
                    from: at(day, "09:00"),
                    to: at(day, "11:00"),
                },
            },
        )),
    ]
}
