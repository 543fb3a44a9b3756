//! The locale files: every key in every language, no empty value, every key the GUI uses exists,
//! and the bundled font draws every character of every translation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use egui::epaint::text::{FontId, Fonts, TextOptions};

const LOCALES: [&str; 3] = ["zh-CN", "zh-TW", "en"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Parsed with rust-i18n's own loader: exactly what `i18n!` compiles in.
fn load() -> BTreeMap<String, BTreeMap<String, String>> {
    let dir = root().join("locales");
    let all = rust_i18n_support::load_locales(dir.to_str().expect("utf-8 path"), |_| false);
    for locale in LOCALES {
        assert!(
            all.contains_key(locale),
            "locales/{locale}.yml is missing or does not parse"
        );
    }
    all
}

#[test]
fn every_locale_has_every_key_and_no_empty_value() {
    let all = load();
    let union: BTreeSet<&String> = all.values().flat_map(|m| m.keys()).collect();
    assert!(union.len() > 50, "suspiciously few keys: {}", union.len());
    let mut problems = Vec::new();
    for locale in LOCALES {
        let map = &all[locale];
        for key in &union {
            match map.get(*key) {
                None => problems.push(format!("{locale}: missing {key}")),
                Some(v) if v.trim().is_empty() => problems.push(format!("{locale}: empty {key}")),
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "locale problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn placeholders_agree_across_locales() {
    let all = load();
    let names = |s: &str| -> BTreeSet<String> {
        s.split("%{")
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .map(str::to_owned)
            .collect()
    };
    let mut problems = Vec::new();
    for (key, zh) in &all["zh-CN"] {
        for locale in ["zh-TW", "en"] {
            if let Some(other) = all[locale].get(key)
                && names(zh) != names(other)
            {
                problems.push(format!(
                    "{key}: zh-CN {:?} vs {locale} {:?}",
                    names(zh),
                    names(other)
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "placeholder mismatches:\n{}",
        problems.join("\n")
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/gui") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every string literal in src/gui that looks like a locale key ("section.name") must exist.
#[test]
fn every_key_used_by_the_gui_exists() {
    let all = load();
    let zh = &all["zh-CN"];
    let sections: BTreeSet<&str> = zh.keys().filter_map(|k| k.split('.').next()).collect();
    let mut files = Vec::new();
    rust_files(&root().join("src/gui"), &mut files);
    let mut used = 0;
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (i, part) in text.split('"').enumerate() {
            let looks_like_key = i % 2 == 1
                && part.contains('.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                && part.split('.').next().is_some_and(|s| sections.contains(s));
            if looks_like_key {
                used += 1;
                if !zh.contains_key(part) {
                    missing.push(format!("{}: {part}", file.display()));
                }
            }
        }
    }
    assert!(
        used > 50,
        "found only {used} keys in src/gui; is the scan broken?"
    );
    assert!(
        missing.is_empty(),
        "keys used but not in locales/zh-CN.yml:\n{}",
        missing.join("\n")
    );
}

/// The bundled subset must cover the UI in all three languages, or zh-TW labels would show boxes
/// on a machine without a system CJK font (re-run assets/fonts/make-font-subset.sh after editing).
#[test]
fn bundled_font_draws_every_translated_character() {
    let mut fonts = Fonts::new(TextOptions::default(), kaoqin::gui::fonts::definitions());
    let font = FontId::proportional(14.0);
    let all = load();
    let mut missing = BTreeSet::new();
    for locale in LOCALES {
        for value in all[locale].values() {
            for c in value.chars().filter(|c| !c.is_control()) {
                if !fonts.has_glyph(&font, c) {
                    missing.insert(c);
                }
            }
        }
    }
    for lang in kaoqin::i18n::Lang::ALL {
        for c in lang.native_name().chars() {
            if !fonts.has_glyph(&font, c) {
                missing.insert(c);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "characters the bundled font lacks: {missing:?}"
    );
    // GB2312 coverage, spot-checked: common surnames and attendance words.
    for c in "张王李赵刘陈杨黄周吴考勤迟到早退旷工请假补签加班√".chars() {
        assert!(fonts.has_glyph(&font, c), "bundled font lacks {c}");
    }
}
