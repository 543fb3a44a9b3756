//! End-to-end through the real `kaoqin` binary: linking app users to employees is the
//! administrator's act (audited; the clerk is refused with exit 3 and nothing changes); nobody
//! approves their own request by any route (their linked employee, one they entered) with exit 3;
//! another supervisor can; the history names app users and employees as they are; `--session` is
//! numbered from 1 (`--session 1` = the morning, in `request show` and in the month), 0 is refused
//! with the valid range.

mod cli_common;
use cli_common::*;

fn clerk(env: &Env, args: &[&str]) -> Run {
    env.run_as("clerk", USER_PW, args, &[])
}

fn sup(env: &Env, args: &[&str]) -> Run {
    env.run_as("sup", USER_PW, args, &[])
}

/// Populated (root, sup, clerk, aud; 办公室 with 1001 张三) plus supervisor sup2, clerk clerk2 and
/// employee 2001 王五 (the supervisor `sup`'s own record, not linked yet).
fn env() -> Env {
    let env = Env::populated();
    for (name, role) in [("sup2", "supervisor"), ("clerk2", "hr_clerk")] {
        ok(&env.run_as(
            "root",
            ADMIN_PW,
            &["user", "add", "--name", name, "--role", role],
            &[("KAOQIN_NEW_PASSWORD", USER_PW)],
        ));
    }
    ok(&env.admin(&[
        "employee",
        "add",
        "--no",
        "2001",
        "--name",
        "王五",
        "--department",
        "办公室",
    ]));
    env
}

/// The audit log as csv lines (no header), as the administrator reads it.
fn audit(env: &Env, action: &str) -> Vec<String> {
    let r = env.admin(&["audit", "log", "--action", action, "--format", "csv"]);
    ok(&r);
    r.stdout.lines().skip(1).map(str::to_string).collect()
}

/// A half-day annual leave for `no` on `date`, session `n`, entered by `by`; returns its id.
fn half_day(env: &Env, by: &str, no: &str, date: &str, n: &str) -> String {
    let r = env.run_as(
        by,
        USER_PW,
        &[
            "request",
            "add",
            "--employee",
            no,
            "--kind",
            "leave",
            "--type",
            "annual",
            "--date",
            date,
            "--session",
            n,
        ],
        &[],
    );
    ok(&r);
    let id = r
        .stdout
        .split_whitespace()
        .nth(1)
        .expect("Request N submitted")
        .to_string();
    assert!(id.parse::<u32>().is_ok(), "{r:?}");
    id
}

#[test]
fn only_the_administrator_links_a_user_to_an_employee() {
    let env = env();
    fails(
        &clerk(&env, &["request", "link-user", "sup", "1001"]),
        3,
        "permission denied",
    );
    // Nothing changed: a request for 1001 is still sup's to decide.
    let refusals = audit(&env, "permission.denied");
    assert!(
        refusals
            .iter()
            .any(|l| l.contains(",clerk,hr_clerk,permission.denied,sup,")
                && l.contains("manage_users")),
        "{refusals:?}"
    );
    assert!(audit(&env, "user.link_employee").is_empty());
    let id = half_day(&env, "clerk", "1001", "2026-03-09", "1");
    ok(&sup(&env, &["request", "approve", &id]));

    ok(&env.admin(&["request", "link-user", "sup", "2001"]));
    let links = audit(&env, "user.link_employee");
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(
        links[0].contains(",root,admin,user.link_employee,sup,") && links[0].contains("2001"),
        "{links:?}"
    );
    // The clerk cannot move the link away to open a path around the rule.
    fails(
        &clerk(&env, &["request", "link-user", "sup", "1001"]),
        3,
        "permission denied",
    );
    assert_eq!(audit(&env, "user.link_employee").len(), 1);
    let own = half_day(&env, "clerk", "2001", "2026-03-10", "1");
    fails(
        &sup(&env, &["request", "approve", &own]),
        3,
        "nobody may approve or reject their own request",
    );
}

#[test]
fn nobody_approves_their_own_request_by_any_route_and_history_names_people_as_they_are() {
    let env = env();
    ok(&env.admin(&["request", "link-user", "sup", "2001"]));
    let id = half_day(&env, "clerk", "2001", "2026-03-09", "1");
    // The supervisor's own linked employee: approve and reject refused with the permission code.
    for step in ["approve", "reject"] {
        fails(
            &sup(&env, &["request", step, &id]),
            3,
            "nobody may approve or reject their own request",
        );
    }
    let show = sup(&env, &["request", "show", &id]);
    ok(&show);
    assert!(show.stdout.contains("· submitted"), "{show:?}");
    let refusals = audit(&env, "permission.denied");
    assert!(
        refusals
            .iter()
            .any(|l| l.contains(&format!(",sup,supervisor,permission.denied,request {id},"))),
        "{refusals:?}"
    );

    // A request the supervisor entered (as a clerk, before a change of role).
    let entered = half_day(&env, "clerk2", "1001", "2026-03-10", "2");
    ok(&env.admin(&["user", "role", "clerk2", "--role", "supervisor"]));
    fails(
        &env.run_as("clerk2", USER_PW, &["request", "approve", &entered], &[]),
        3,
        "you entered it",
    );

    // Another supervisor decides both.
    ok(&env.run_as(
        "sup2",
        USER_PW,
        &["request", "approve", &id, "--comment", "同意"],
        &[],
    ));
    ok(&env.run_as("sup2", USER_PW, &["request", "approve", &entered], &[]));
    let show = sup(&env, &["request", "show", &id]);
    ok(&show);
    assert!(show.stdout.contains("· approved"), "{show:?}");
    assert!(
        show.stdout.contains("entered by: clerk (app user)"),
        "{show:?}"
    );
    assert!(
        show.stdout
            .lines()
            .any(|l| l.ends_with("  2001 王五  submit  draft -> submitted  ")),
        "{show:?}"
    );
    assert!(
        show.stdout
            .lines()
            .any(|l| l.ends_with("  sup2 (app user)  approve  submitted -> approved  同意")),
        "{show:?}"
    );
}

/// An approved 补签 sign-out for 1001 at 18:05 on `date` (a punch of its own kind).
fn signed_out(env: &Env, date: &str) {
    let at = format!("{date} 18:05");
    let r = clerk(
        env,
        &[
            "request",
            "add",
            "--employee",
            "1001",
            "--kind",
            "supplement",
            "--at",
            &at,
            "--punch",
            "out",
            "--evidence",
            "同事证明",
            "--reason",
            "忘记签退",
        ],
    );
    ok(&r);
    let id = r
        .stdout
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    ok(&sup(env, &["request", "approve", &id]));
}

#[test]
fn sessions_are_numbered_from_one_and_session_one_is_the_morning() {
    let env = env();
    ok(&env.admin(&[
        "schedule",
        "assign",
        "--shift",
        "B",
        "--department",
        "办公室",
        "--from",
        "2026-01-01",
    ]));

    // 0 is not a session: refused, with the sessions of 1001's shift that day.
    let r = clerk(
        &env,
        &[
            "request",
            "add",
            "--employee",
            "1001",
            "--kind",
            "leave",
            "--type",
            "annual",
            "--date",
            "2026-03-09",
            "--session",
            "0",
        ],
    );
    fails(&r, 1, "there is no session 0 for 1001 on 2026-03-09");
    assert!(r.stderr.contains("1–2 (1 上午, 2 下午)"), "{r:?}");
    let r = clerk(
        &env,
        &[
            "request",
            "add",
            "--employee",
            "1001",
            "--kind",
            "leave",
            "--type",
            "annual",
            "--date",
            "2026-03-09",
            "--session",
            "3",
        ],
    );
    fails(&r, 1, "there is no session 3");
    let r = clerk(&env, &["request", "list", "--format", "csv"]);
    assert_eq!(r.stdout.lines().count(), 1, "nothing entered: {r:?}");

    // Morning leave on the 9th, afternoon leave on the 10th; only the evening sign-out each day.
    signed_out(&env, "2026-03-09");
    signed_out(&env, "2026-03-10");
    let morning = half_day(&env, "clerk", "1001", "2026-03-09", "1");
    let afternoon = half_day(&env, "clerk", "1001", "2026-03-10", "2");
    for id in [&morning, &afternoon] {
        ok(&sup(&env, &["request", "approve", id]));
    }
    let show = sup(&env, &["request", "show", &morning]);
    assert!(
        show.stdout.contains("leave annual: 2026-03-09 session 1"),
        "{show:?}"
    );
    let show = sup(&env, &["request", "show", &afternoon]);
    assert!(
        show.stdout.contains("leave annual: 2026-03-10 session 2"),
        "{show:?}"
    );

    let r = clerk(
        &env,
        &[
            "month",
            "show",
            "2026-03",
            "--format",
            "csv",
            "--employee",
            "1001",
        ],
    );
    ok(&r);
    let row = |d: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("1001,2026-03-{d},")))
            .unwrap_or_default()
            .to_string()
    };
    // The 9th: the morning is on leave and the afternoon signed out: a normal day.
    assert_eq!(
        row("09"),
        "1001,2026-03-09,workday,normal;leave:annual;supplement,0,0,0,0",
        "{r:?}"
    );
    // The 10th: the afternoon is on leave; the morning's sign-in is missing (preset B: not absent).
    assert_eq!(
        row("10"),
        "1001,2026-03-10,workday,missing_in;leave:annual;supplement,0,0,0,0",
        "{r:?}"
    );
}

#[test]
fn spans_and_times_are_read_as_in_the_window_and_refused_with_the_option_to_fix() {
    let env = env();
    let add = |extra: &[&str]| {
        let mut a = vec!["request", "add", "--employee", "1001"];
        a.extend_from_slice(extra);
        clerk(&env, &a)
    };
    // Hours: the end may be a bare time on the start's day; dates as a clerk types them.
    let r = add(&[
        "--kind",
        "leave",
        "--type",
        "personal",
        "--from",
        "2026-03-10 09:00",
        "--to",
        "11:30",
    ]);
    ok(&r);
    let r = clerk(&env, &["request", "show", "1"]);
    assert!(
        r.stdout
            .contains("leave personal: 2026-03-10 09:00 to 2026-03-10 11:30"),
        "{r:?}"
    );
    ok(&add(&[
        "--kind",
        "trip",
        "--place",
        "市局",
        "--from",
        "2026/3/11",
        "--to",
        "2026.3.12",
    ]));
    let r = clerk(&env, &["request", "show", "2"]);
    assert!(
        r.stdout.contains("trip to 市局: 2026-03-11 to 2026-03-12"),
        "{r:?}"
    );
    ok(&add(&[
        "--kind",
        "overtime",
        "--from",
        "2026-03-10 18:00",
        "--to",
        "2026-03-10 20:30",
    ]));
    let refused: &[(&[&str], &str)] = &[
        (
            &[
                "--kind",
                "overtime",
                "--from",
                "2026-03-10",
                "--to",
                "2026-03-10 20:30",
            ],
            "invalid --from: give a date and a time at both ends",
        ),
        (
            &[
                "--kind",
                "leave",
                "--type",
                "annual",
                "--from",
                "2026-03-10 18:00",
                "--to",
                "08:00",
            ],
            "invalid --to: the end 2026-03-10 08:00 is before the start 2026-03-10 18:00",
        ),
        (
            &["--kind", "leave", "--type", "annual", "--from", "2026-3-32"],
            "invalid --from: '2026-3-32' is not a real calendar date: March 2026 has 31 days",
        ),
        (
            &[
                "--kind",
                "trip",
                "--from",
                "2026-03-01",
                "--to",
                "2027-03-02",
            ],
            "invalid --to: from 2026-03-01 to 2027-03-02 is 367 days; a request covers at most 366 days",
        ),
        (
            &[
                "--kind",
                "supplement",
                "--at",
                "2026-03-10",
                "--punch",
                "in",
                "--evidence",
                "x",
                "--reason",
                "y",
            ],
            "invalid --at: '2026-03-10' is not a date and time; write it as YYYY-MM-DD HH:MM",
        ),
    ];
    for (args, message) in refused {
        fails(&add(args), 1, message);
    }
    assert_eq!(
        audit(&env, "request.add").len(),
        3,
        "nothing stored when refused"
    );
}
