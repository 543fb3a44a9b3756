//! Tests of the device-administration view (password check, policy and enrollment texts).

use super::check_password;
use super::views::{change_text, violation_text};
use crate::i18n::Lang;
use kaoqin_sync::device_admin::{PolicyChange, Violation};

#[test]
fn passwords_are_typed_twice_and_are_4_to_8_digits() {
    assert_eq!(
        check_password("1234", "1234").map(|p| p.expose().to_owned()),
        Ok("1234".into())
    );
    assert_eq!(
        check_password("12345678", "12345678").map(|p| p.expose().to_owned()),
        Ok("12345678".into())
    );
    assert_eq!(
        check_password("1234", "1235"),
        Err("terminals.password_mismatch")
    );
    assert_eq!(check_password("123", "123"), Err("terminals.password_rule"));
    assert_eq!(
        check_password("123456789", "123456789"),
        Err("terminals.password_rule")
    );
    assert_eq!(
        check_password("12a4", "12a4"),
        Err("terminals.password_rule")
    );
}

#[test]
fn policy_findings_are_said_in_each_language_with_their_details() {
    let no = || "1007".to_string();
    let violations = [
        (Violation::NoSuperAdmin, vec![]),
        (
            Violation::SuperAdmins {
                enrollment_nos: vec!["1001".into(), "1007".into()],
            },
            vec!["2", "1001, 1007"],
        ),
        (
            Violation::ExtraAdmin {
                enrollment_no: no(),
            },
            vec!["1007"],
        ),
        (
            Violation::PasswordUser {
                enrollment_no: no(),
            },
            vec!["1007"],
        ),
        (
            Violation::Fingerprints {
                enrollment_no: no(),
                fingers: vec![0, 6],
            },
            vec!["1007", "2", "0, 6"],
        ),
    ];
    let changes = [
        PolicyChange::Demote {
            uid: 7,
            enrollment_no: no(),
        },
        PolicyChange::RemovePassword {
            uid: 7,
            enrollment_no: no(),
        },
        PolicyChange::DeleteFingerprint {
            uid: 7,
            enrollment_no: no(),
            finger: 6,
        },
    ];
    for lang in Lang::ALL {
        for (v, parts) in &violations {
            let text = violation_text(lang, v);
            assert!(
                !text.contains("%{") && !text.contains("policy_"),
                "{lang:?}: {text}"
            );
            for p in parts {
                assert!(text.contains(p), "{lang:?}: {text} lacks {p}");
            }
        }
        for c in &changes {
            let text = change_text(lang, c);
            assert!(
                !text.contains("%{") && !text.contains("policy_"),
                "{lang:?}: {text}"
            );
            assert!(
                text.contains("1007") && text.contains('7'),
                "{lang:?}: {text}"
            );
        }
    }
    // Not the English service text in Chinese.
    assert!(violation_text(Lang::ZhCn, &violations[3].0).contains("密码"));
}
