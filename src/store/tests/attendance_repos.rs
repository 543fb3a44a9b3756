//! Schema v2 repositories on real SQLite: shifts/rotations/assignments, calendar days, requests with
//! their append-only history, leaders, month results replaced per run, and the input fingerprint that
//! changes with every input (and only then).

mod common;
use common::*;
use kaoqin_store::calendar_days::{self, CalendarDay};
use kaoqin_store::month_results::{self, DayRow, RunInfo, SummaryRow};
use kaoqin_store::punches::{self, NewPunch};
use kaoqin_store::requests::{self, HistoryRow, RequestFilter, RequestRow};
use kaoqin_store::schedules::{self, AssignmentRow};
use kaoqin_store::{StoreError, departments, employees};

fn request(no: &str, from: &str, to: &str) -> RequestRow {
    RequestRow {
        id: 0,
        employee_no: no.into(),
        kind: "leave".into(),
        kind_json: r#"{"kind":"leave"}"#.into(),
        reason: "r".into(),
        state: "submitted".into(),
        applicant: "clerk".into(),
        approver: None,
        from: d(from),
        to: d(to),
        created_at: t("2026-03-01 09:00:00"),
        updated_at: t("2026-03-01 09:00:00"),
    }
}

#[test]
fn shifts_and_assignments_round_trip() {
    let (_d, _p, store) = fresh();
    let c = store.conn();
    assert_eq!(schedules::put_shift(c, "X", "{\"a\":1}").unwrap(), None);
    assert_eq!(
        schedules::put_shift(c, "X", "{\"a\":2}")
            .unwrap()
            .as_deref(),
        Some("{\"a\":1}")
    );
    assert_eq!(
        schedules::list_shifts(c).unwrap(),
        vec![("X".to_string(), "{\"a\":2}".to_string())]
    );
    assert!(matches!(
        schedules::put_shift(c, " ", "{}"),
        Err(StoreError::Invalid { field: "code", .. })
    ));
    let row = AssignmentRow {
        id: 0,
        target_kind: "department".into(),
        target: "办公室".into(),
        plan_kind: "shift".into(),
        plan: "X".into(),
        from: Some(d("2026-03-01")),
        to: None,
    };
    let id = schedules::add_assignment(c, &row).unwrap();
    assert_eq!(
        schedules::list_assignments(c).unwrap(),
        vec![AssignmentRow { id, ..row.clone() }]
    );
    let backwards = AssignmentRow {
        to: Some(d("2026-02-01")),
        ..row.clone()
    };
    assert!(matches!(
        schedules::add_assignment(c, &backwards),
        Err(StoreError::Invalid { field: "to", .. })
    ));
    let bad_kind = AssignmentRow {
        target_kind: "planet".into(),
        ..row
    };
    assert!(matches!(
        schedules::add_assignment(c, &bad_kind),
        Err(StoreError::Invalid {
            field: "assignment",
            ..
        })
    ));
}

#[test]
fn calendar_days_set_replace_remove() {
    let (_d, _p, store) = fresh();
    let c = store.conn();
    let day = CalendarDay {
        date: d("2026-03-06"),
        kind: "other_holiday".into(),
        name: "活动".into(),
        statutory: false,
    };
    calendar_days::set(c, &day).unwrap();
    calendar_days::set(
        c,
        &CalendarDay {
            statutory: true,
            ..day.clone()
        },
    )
    .unwrap();
    assert_eq!(
        calendar_days::list(c).unwrap(),
        vec![CalendarDay {
            statutory: true,
            ..day
        }]
    );
    assert!(calendar_days::remove(c, d("2026-03-06")).unwrap());
    assert!(!calendar_days::remove(c, d("2026-03-06")).unwrap());
}

#[test]
fn requests_keep_state_and_append_only_history() {
    let (_d, _p, store) = fresh();
    let c = store.conn();
    let id = requests::add(c, &request("1001", "2026-03-04", "2026-03-05")).unwrap();
    requests::add(c, &request("1002", "2026-04-01", "2026-04-01")).unwrap();
    let h = HistoryRow {
        at: t("2026-03-02 10:00:00"),
        actor: "sup".into(),
        action: "approve".into(),
        from_state: "submitted".into(),
        to_state: "approved".into(),
        comment: "ok".into(),
    };
    requests::set_state(c, id, "approved", Some("sup"), &h).unwrap();
    let got = requests::get(c, id).unwrap();
    assert_eq!(
        (got.state.as_str(), got.approver.as_deref()),
        ("approved", Some("sup"))
    );
    assert_eq!(requests::history(c, id).unwrap(), vec![h.clone()]);
    // A second decision that also started from "submitted" (read before the first committed) is
    // refused, and leaves neither state nor history changed.
    let reject = HistoryRow {
        actor: "sup2".into(),
        action: "reject".into(),
        to_state: "rejected".into(),
        ..h.clone()
    };
    match requests::set_state(c, id, "rejected", Some("sup2"), &reject) {
        Err(StoreError::Invalid { reason, .. }) => {
            assert!(reason.contains("changed meanwhile"), "{reason}")
        }
        other => panic!("a stale decision was not refused: {other:?}"),
    }
    assert_eq!(requests::get(c, id).unwrap().state, "approved");
    assert_eq!(requests::history(c, id).unwrap(), vec![h.clone()]);
    // Overlap filter: March finds only the first.
    let march = requests::list(
        c,
        &RequestFilter {
            from: Some(d("2026-03-01")),
            to: Some(d("2026-03-31")),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(march.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    // History is append-only even from raw SQL; an unknown state is refused.
    assert!(c.execute("DELETE FROM request_history", []).is_err());
    assert!(
        c.execute("UPDATE request_history SET actor = 'x'", [])
            .is_err()
    );
    assert!(requests::set_state(c, id, "lost", None, &h).is_err());
    assert!(matches!(
        requests::set_state(c, 999, "approved", None, &h),
        Err(StoreError::NotFound {
            what: "request",
            ..
        })
    ));
    requests::set_department_leader(c, "办公室", "2001").unwrap();
    assert_eq!(
        requests::department_leader(c, "办公室").unwrap().as_deref(),
        Some("2001")
    );
    requests::link_user_employee(c, "sup", "2001").unwrap();
    assert_eq!(
        requests::user_employee(c, "sup").unwrap().as_deref(),
        Some("2001")
    );
    assert_eq!(requests::user_employee(c, "nobody").unwrap(), None);
}

#[test]
fn month_results_are_replaced_per_run() {
    let (_d, _p, store) = fresh();
    let c = store.conn();
    let info = |fp: &str| RunInfo {
        month: "2026-03".into(),
        fingerprint: fp.into(),
        run_at: t("2026-04-01 09:00:00"),
        run_by: "clerk".into(),
        employees: 1,
        days: 2,
    };
    let day = |date: &str, line: &str| DayRow {
        employee_no: "1001".into(),
        date: d(date),
        department: "办公室".into(),
        csv_row: line.into(),
        json: "{}".into(),
    };
    let sum = SummaryRow {
        employee_no: "1001".into(),
        department: "办公室".into(),
        json: "{}".into(),
    };
    month_results::replace(
        c,
        &info("a"),
        &[day("2026-03-02", "x2"), day("2026-03-01", "x1")],
        std::slice::from_ref(&sum),
    )
    .unwrap();
    assert_eq!(
        month_results::csv_rows(c, "2026-03", None, None).unwrap(),
        vec!["x1", "x2"]
    );
    month_results::replace(c, &info("b"), &[day("2026-03-01", "y1")], &[sum]).unwrap();
    assert_eq!(
        month_results::csv_rows(c, "2026-03", None, None).unwrap(),
        vec!["y1"]
    );
    assert_eq!(
        month_results::csv_rows(c, "2026-03", Some("其他"), None).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        month_results::run_info(c, "2026-03")
            .unwrap()
            .unwrap()
            .fingerprint,
        "b"
    );
    assert_eq!(month_results::run_info(c, "2026-04").unwrap(), None);
}

#[test]
fn fingerprint_changes_with_every_input() {
    let (_d, _p, mut store) = fresh();
    let (from, to) = (d("2026-02-28"), d("2026-04-01"));
    let fp = |s: &kaoqin_store::Store| month_results::fingerprint(s.conn(), from, to).unwrap();
    let mut seen = vec![fp(&store)];
    let mut changed = |s: &kaoqin_store::Store, what: &str| {
        let now = fp(s);
        assert!(
            !seen.contains(&now),
            "{what} did not change the fingerprint {now}"
        );
        seen.push(now);
    };
    let dept = departments::add(store.conn(), "办公室", None).unwrap();
    employees::add(
        store.conn(),
        &employees::NewEmployee {
            enrollment_no: "1001".into(),
            name: "张三".into(),
            department_id: Some(dept.id),
            ..Default::default()
        },
    )
    .unwrap();
    changed(&store, "an employee");
    schedules::put_shift(store.conn(), "X", "{}").unwrap();
    changed(&store, "a shift");
    calendar_days::set(
        store.conn(),
        &CalendarDay {
            date: d("2026-03-06"),
            kind: "rest_day".into(),
            name: String::new(),
            statutory: false,
        },
    )
    .unwrap();
    changed(&store, "a calendar day");
    requests::add(store.conn(), &request("1001", "2026-03-04", "2026-03-04")).unwrap();
    changed(&store, "a request");
    let sid = session(store.conn(), "T1");
    let tx = store.transaction().unwrap();
    let p = |ts: &str| NewPunch {
        enrollment_no: "1001".into(),
        ts: t(ts),
        verify_mode: 15,
        in_out_state: 0,
        work_code: 0,
    };
    punches::insert_batch(
        &tx,
        sid,
        "SN1",
        t("2026-04-02 09:00:00"),
        &[p("2026-03-02 08:50:00")],
    )
    .unwrap();
    tx.commit().unwrap();
    changed(&store, "a punch in the month");
    // A punch outside the month's range leaves it as it was.
    let before = fp(&store);
    let tx = store.transaction().unwrap();
    punches::insert_batch(
        &tx,
        sid,
        "SN1",
        t("2026-06-02 09:00:00"),
        &[p("2026-06-01 08:50:00")],
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(fp(&store), before);
}
