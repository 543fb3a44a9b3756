//! The Requests page driven headless on a real database: the clerk enters a leave request for an
//! employee (inline validation first), the supervisor approves one and rejects another with a note
//! from the inbox and sees the history; approving one's own request is refused with the service's
//! localized message. Outcomes are read back through the services.

mod gui_common;

use egui_kittest::kittest::Queryable;
use gui_common::*;
use kaoqin::app::clock::ThreadSleeper;
use kaoqin::app::employees::EmployeeInput;
use kaoqin::app::requests::ActorName;
use kaoqin::app::session::Session;
use kaoqin::i18n::Lang;
use kaoqin_domain::{RequestKind, Span};
use kaoqin_store::requests::RequestFilter;

const LANG: Lang = Lang::ZhCn;

/// A few frames for tables and grids that lay themselves out over two frames (sizing passes)
/// before a click lands on them.
fn settle(h: &mut H) {
    for _ in 0..4 {
        h.step();
    }
}

fn login(env: &Env, user: &str) -> Session {
    Session::login(
        &env.paths,
        user,
        &format!("{user}-pass-1"),
        test_clock(),
        &ThreadSleeper,
    )
    .expect("service log-in")
}

/// Users of every role, department 办公室 with 1001 张三 and 1002 李四; the supervisor is 1002.
fn setup() -> Env {
    let env = env_with_users();
    let mut admin = Session::login(
        &env.paths,
        "admin",
        "admin-pass-1",
        test_clock(),
        &ThreadSleeper,
    )
    .expect("admin");
    admin.add_department("办公室", None).expect("department");
    for (no, name) in [("1001", "张三"), ("1002", "李四")] {
        admin
            .add_employee(&EmployeeInput {
                no: no.into(),
                name: name.into(),
                department: "办公室".into(),
                hired: None,
                position: None,
                card: None,
            })
            .expect("employee");
    }
    admin.link_user_employee("zhuguan", "1002").expect("link");
    env
}

fn leave(from: (u32, u32), to: (u32, u32)) -> RequestKind {
    let d = |(m, d)| chrono::NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    RequestKind::Leave {
        leave_type: "personal".into(),
        span: Span::Days {
            from: d(from),
            to: d(to),
        },
    }
}

fn state_of(env: &Env, id: i64) -> String {
    login(env, "kaoqinyuan")
        .show_request(id)
        .expect("request")
        .row
        .state
}

#[test]
fn clerk_enters_a_leave_request_and_supervisor_approves_it_with_a_note() {
    let env = setup();
    let mut h = harness(&env, LANG);
    open_page(
        &mut h,
        LANG,
        "kaoqinyuan",
        "kaoqinyuan-pass-1",
        "nav.requests",
    );
    wait_for(&mut h, "the request form", |h| {
        has_button(h, &tr(LANG, "requests.submit"))
    });
    settle(&mut h);
    // Nothing filled in: the form says what is missing, next to the field.
    click_button(&mut h, &tr(LANG, "requests.submit"));
    assert!(has(&h, &tr(LANG, "requests.need_employee")));
    type_into(&mut h, &tr(LANG, "requests.employee"), "张三");
    h.get_by_label("1001 张三 · 办公室").click();
    h.step();
    type_into(&mut h, &tr(LANG, "requests.from"), "2026-12-03");
    type_into(&mut h, &tr(LANG, "requests.to"), "2026-12-01");
    click_button(&mut h, &tr(LANG, "requests.submit"));
    assert!(has(&h, &tr(LANG, "requests.to_before_from")));
    h.get_by_label(&tr(LANG, "requests.to")).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(&tr(LANG, "requests.to"))
        .type_text("2026-12-04");
    h.step();
    type_into(&mut h, &tr(LANG, "requests.reason"), "回老家探亲");
    click_button(&mut h, &tr(LANG, "requests.submit"));
    let added = tr(LANG, "requests.added").replace("%{id}", "1");
    wait_for(&mut h, "the request submitted", |h| has(h, &added));
    settle(&mut h);

    let rows = login(&env, "kaoqinyuan")
        .list_requests(&RequestFilter::default())
        .expect("list");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.employee_no.as_str(), r.kind.as_str(), r.state.as_str()),
        ("1001", "leave", "submitted")
    );
    assert_eq!(r.reason, "回老家探亲");
    assert_eq!(
        (r.from.to_string(), r.to.to_string()),
        ("2026-12-03".into(), "2026-12-04".into())
    );
    assert_eq!(r.applicant, "kaoqinyuan");

    // The supervisor's inbox holds it; approve with a note.
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "zhuguan", "zhuguan-pass-1", "nav.requests");
    wait_for(&mut h, "the inbox", |h| has(h, "#1"));
    settle(&mut h);
    h.get_by_label("#1").click();
    h.step();
    wait_for(&mut h, "the request's history", |h| {
        has_text(h, &tr(LANG, "requests.action_submit"))
    });
    settle(&mut h);
    type_into(&mut h, &tr(LANG, "requests.note"), "同意，注意交接");
    click_button(&mut h, &tr(LANG, "requests.approve"));
    wait_for(&mut h, "the approval in the history", |h| {
        has_text(h, "同意，注意交接")
    });
    settle(&mut h);
    assert_eq!(state_of(&env, 1), "approved");
    let view = login(&env, "zhuguan").show_request(1).expect("show");
    let last = view.history.last().expect("history");
    assert_eq!(
        (
            last.action.as_str(),
            last.to_state.as_str(),
            last.comment.as_str()
        ),
        ("approve", "approved", "同意，注意交接")
    );
    assert_eq!(view.row.approver.as_deref(), Some("zhuguan"));
    // The history line names who and what: the app user as such, not the employee (1002) he is.
    assert_eq!(view.actors.last(), Some(&ActorName::User("zhuguan".into())));
    let line = tr(LANG, "requests.history_line");
    assert!(line.contains("%{actor}"));
    let who = tr(LANG, "requests.actor_user").replace("%{name}", "zhuguan");
    assert!(has_text(
        &h,
        &format!("{who}：{}", tr(LANG, "requests.action_approve"))
    ));
    // Decided: no longer in the inbox.
    let inbox = tr(LANG, "requests.tab_inbox").replace("%{count}", "0");
    assert!(has(&h, &inbox), "inbox count not 0");
}

#[test]
fn supervisor_rejects_with_a_note_and_cannot_decide_own_request() {
    let env = setup();
    let mut clerk = login(&env, "kaoqinyuan");
    let other = clerk
        .add_request("1001", leave((12, 7), (12, 7)), "私事")
        .expect("request");
    let own = clerk
        .add_request("1002", leave((12, 8), (12, 9)), "家事")
        .expect("own request");
    drop(clerk);

    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "zhuguan", "zhuguan-pass-1", "nav.requests");
    let first = format!("#{other}");
    wait_for(&mut h, "the inbox", |h| has(h, &first));
    settle(&mut h);
    // The supervisor's own request (he is 1002) is not in his inbox.
    assert!(!has(&h, &format!("#{own}")), "own request in the inbox");
    h.get_by_label(&first).click();
    wait_for(&mut h, "the request's details", |h| {
        has(h, &tr(LANG, "requests.note"))
    });
    type_into(&mut h, &tr(LANG, "requests.note"), "人手不足");
    click_button(&mut h, &tr(LANG, "requests.reject"));
    wait_for(&mut h, "the rejection in the history", |h| {
        has_text(h, "人手不足")
    });
    settle(&mut h);
    assert_eq!(state_of(&env, other), "rejected");

    // In the full list, try to approve his own request: the service refuses, the page says why.
    h.get_by_label(&tr(LANG, "requests.tab_all")).click();
    h.step();
    let own_label = format!("#{own}");
    wait_for(&mut h, "the full list", |h| has(h, &own_label));
    settle(&mut h);
    h.get_by_label(&own_label).click();
    h.step();
    wait_for(&mut h, "the request's details", |h| {
        has_button(h, &tr(LANG, "requests.approve"))
    });
    settle(&mut h);
    click_button(&mut h, &tr(LANG, "requests.approve"));
    let refusal = tr(LANG, "requests.err_self");
    wait_for(&mut h, "the refusal", |h| has(h, &refusal));
    settle(&mut h);
    assert_eq!(state_of(&env, own), "submitted");

    // Filters: rejected only.
    // (The filter comes first; the list and the details name the state too.)
    h.get_all_by_label(&tr(LANG, "requests.state_rejected"))
        .next()
        .expect("state filter")
        .click();
    h.step();
    h.step();
    assert!(has(&h, &first) && !has(&h, &own_label));
}

#[test]
fn auditor_reads_requests_without_deciding() {
    let env = setup();
    login(&env, "kaoqinyuan")
        .add_request("1001", leave((12, 7), (12, 7)), "私事")
        .expect("request");
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "jiandu", "jiandu-pass-1", "nav.requests");
    wait_for(&mut h, "the list", |h| has(h, "#1"));
    settle(&mut h);
    assert!(!has_button(&h, &tr(LANG, "requests.submit")));
    h.get_by_label("#1").click();
    h.step();
    wait_for(&mut h, "the history", |h| {
        has_text(h, &tr(LANG, "requests.action_submit"))
    });
    settle(&mut h);
    assert!(!has_button(&h, &tr(LANG, "requests.approve")));
}

#[test]
fn clerk_withdraws_a_submitted_request_and_the_supervisor_cancels_an_approved_one() {
    let env = setup();
    let mut clerk = login(&env, "kaoqinyuan");
    let submitted = clerk
        .add_request("1001", leave((12, 7), (12, 7)), "私事")
        .expect("request");
    let approved = clerk
        .add_request("1001", leave((12, 10), (12, 10)), "体检")
        .expect("request");
    drop(clerk);
    login(&env, "zhuguan")
        .approve_request(approved, "同意")
        .expect("approve");
    let withdraw = tr(LANG, "requests.withdraw");
    let cancel = tr(LANG, "requests.withdraw_approved");

    // The clerk withdraws the submitted one.
    let mut h = request_in_all(&env, "kaoqinyuan", submitted);
    decide_with_note(&mut h, &withdraw, "员工不休了");
    assert_eq!(state_of(&env, submitted), "withdrawn");
    // An approved request is the approver's to cancel: the clerk has no button for it.
    h.get_by_label(&format!("#{approved}")).click();
    settle(&mut h);
    wait_for(&mut h, "its history", |h| has_text(h, "同意"));
    assert!(!has_button(&h, &withdraw) && !has_button(&h, &cancel));

    let mut h = request_in_all(&env, "zhuguan", approved);
    decide_with_note(&mut h, &cancel, "任务变更，取消休假");
    assert_eq!(state_of(&env, approved), "withdrawn");
}

/// Signed in as `user` (password `<user>-pass-1`) on the Requests page's full list, with request
/// `id` selected.
fn request_in_all(env: &Env, user: &str, id: i64) -> H {
    let mut h = harness(env, LANG);
    let password = format!("{user}-pass-1");
    open_page(&mut h, LANG, user, &password, "nav.requests");
    let all = tr(LANG, "requests.tab_all");
    wait_for(&mut h, "the page", |h| has(h, &all));
    h.get_by_label(&all).click();
    h.step();
    let label = format!("#{id}");
    wait_for(&mut h, "the full list", |h| has(h, &label));
    settle(&mut h);
    h.get_by_label(&label).click();
    h.step();
    h
}

/// Types `note`, clicks `button` and waits for the note in the request's history.
fn decide_with_note(h: &mut H, button: &str, note: &str) {
    wait_for(h, "the button", |h| has_button(h, button));
    type_into(h, &tr(LANG, "requests.note"), note);
    click_button(h, button);
    wait_for(h, "the note in the history", |h| has_text(h, note));
}
