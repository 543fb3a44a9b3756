//! Tests of the pure parts of device administration: the policy plan and violations, and the
//! enrollment comparison.

use kaoqin_store::employees::Employee;
use serde_json::json;

use super::*;

fn u(uid: u16, privilege: u8, pw: bool) -> DeviceUser {
    DeviceUser {
        uid,
        enrollment_no: format!("{}", 1000 + uid),
        name: format!("u{uid}"),
        privilege,
        has_password: pw,
        card: 0,
        fingers: vec![],
    }
}

#[test]
fn policy_plans_are_table_driven() {
    // (users, expected changes, expected violation count)
    let cases: Vec<(Vec<DeviceUser>, Vec<PolicyChange>, usize)> = vec![
        (vec![u(1, 14, true), u(2, 0, false)], vec![], 0),
        (
            vec![u(1, 14, true), u(2, 14, false)],
            vec![PolicyChange::Demote {
                uid: 2,
                enrollment_no: "1002".into(),
            }],
            2,
        ),
        (
            vec![u(1, 14, true), u(2, 6, true), u(3, 0, true)],
            vec![
                PolicyChange::Demote {
                    uid: 2,
                    enrollment_no: "1002".into(),
                },
                PolicyChange::RemovePassword {
                    uid: 2,
                    enrollment_no: "1002".into(),
                },
                PolicyChange::RemovePassword {
                    uid: 3,
                    enrollment_no: "1003".into(),
                },
            ],
            3,
        ),
        // A disabled super admin (15) is still the kept super admin.
        (vec![u(1, 15, true), u(2, 1, false)], vec![], 0),
        (vec![u(1, 0, false)], vec![], 1),
    ];
    for (users, changes, violations) in cases {
        assert_eq!(plan_policy(&users, false), changes, "{users:?}");
        assert_eq!(
            policy_violations(&users, false).len(),
            violations,
            "{users:?}"
        );
        // Without fingerprints, face-only changes nothing.
        assert_eq!(plan_policy(&users, true), changes, "{users:?}");
    }
}

#[test]
fn fingerprints_violate_only_a_face_only_policy() {
    let mut a = u(1, 14, true);
    a.fingers = vec![0];
    let mut b = u(2, 0, false);
    b.fingers = vec![3, 6];
    let users = vec![a, b, u(3, 0, false)];
    assert_eq!(plan_policy(&users, false), vec![]);
    assert_eq!(policy_violations(&users, false), Vec::<String>::new());
    let del = |uid: u16, finger: u8| PolicyChange::DeleteFingerprint {
        uid,
        enrollment_no: format!("{}", 1000 + uid),
        finger,
    };
    // The super admin's fingerprint goes too: face only means face only.
    assert_eq!(
        plan_policy(&users, true),
        vec![del(1, 0), del(2, 3), del(2, 6)]
    );
    assert_eq!(
        policy_violations(&users, true),
        vec![
            "1001 has 1 fingerprint template(s) (finger 0); the terminal is face-only",
            "1002 has 2 fingerprint template(s) (finger 3, 6); the terminal is face-only",
        ]
    );
    // Audit details name the change and never carry template bytes.
    assert_eq!(
        serde_json::to_value(del(2, 6)).unwrap_or_default(),
        json!({ "change": "delete_fingerprint", "uid": 2, "enrollment_no": "1002", "finger": 6 })
    );
}

#[test]
fn enrollment_compares_numbers_and_names() {
    let emp = |no: &str, name: &str, active: bool| Employee {
        id: 0,
        enrollment_no: no.into(),
        name: name.into(),
        department_id: None,
        department: None,
        position: None,
        hire_date: None,
        leave_date: None,
        card_no: None,
        active,
    };
    let mut a = u(2, 0, false);
    a.name = "欧阳娜娜".into();
    let mut b = u(3, 0, false);
    b.name = "王芳".into();
    let users = vec![u(1, 14, true), a, b, u(4, 0, false)];
    let staff = vec![
        emp("1002", "欧阳娜娜", true),
        emp("1003", "王 芳", true),
        emp("1004", "离职", false),
        emp("1009", "新人", true),
    ];
    let r = enrollment_report(&users, &staff);
    assert_eq!(r.not_enrolled, vec![("1009".into(), "新人".into())]);
    assert_eq!(r.not_employees, vec![("1004".into(), "u4".into())]);
    assert_eq!(
        r.name_mismatches,
        vec![("1003".into(), "王 芳".into(), "王芳".into())]
    );
}
