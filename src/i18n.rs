//! The user-interface languages and the locale files behind them.
//!
//! The strings live in `locales/{zh-CN,zh-TW,en}.yml` (shared words, shell, log-in, wizard) and
//! `locales/<page>/{zh-CN,zh-TW,en}.yml` (one directory per page, keys prefixed with the page's
//! name), merged and compiled in by `rust_i18n::i18n!` in `lib.rs`. The GUI keeps its language
//! in its own state and passes it to every `t!` call (`t!("key", locale = lang.code())`), so two
//! windows or two tests never fight over rust-i18n's global locale. This module holds no strings of its own beyond the language names.

// rust-i18n reads the locale files inside a proc macro, which Cargo does not know about;
// `build.rs` watches the `locales/` tree so that an edit to any locale file rebuilds the crate.

/// A language the interface is translated into.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// Traditional Chinese.
    ZhTw,
    English,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::ZhTw, Lang::English];

    /// The locale code, which is also the locale file's stem.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
            Lang::English => "en",
        }
    }

    /// The language's own name, shown in the language switch whatever the current language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::ZhCn => "简体中文",
            Lang::ZhTw => "繁體中文",
            Lang::English => "English",
        }
    }

    /// Parses a locale code leniently (`zh_CN`, `zh-cn`, `en-US`, `zh-Hant` ...).
    pub fn from_code(code: &str) -> Option<Lang> {
        let c = code.trim().to_ascii_lowercase().replace('_', "-");
        let c = c.split('.').next().unwrap_or_default();
        if c == "zh-tw" || c == "zh-hk" || c == "zh-mo" || c.starts_with("zh-hant") {
            Some(Lang::ZhTw)
        } else if c.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if c == "en" || c.starts_with("en-") {
            Some(Lang::English)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn locale_codes_parse_leniently() {
        let cases = [
            ("zh-CN", Some(Lang::ZhCn)),
            ("zh_CN.UTF-8", Some(Lang::ZhCn)),
            ("zh", Some(Lang::ZhCn)),
            ("zh-TW", Some(Lang::ZhTw)),
            ("zh_HK", Some(Lang::ZhTw)),
            ("zh-Hant-TW", Some(Lang::ZhTw)),
            ("en", Some(Lang::English)),
            ("en_US.UTF-8", Some(Lang::English)),
            ("fr-FR", None),
            ("", None),
        ];
        for (code, want) in cases {
            assert_eq!(Lang::from_code(code), want, "{code}");
        }
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }

    #[test]
    fn every_language_translates_the_app_title() {
        for lang in Lang::ALL {
            let title = crate::t!("app.title", locale = lang.code());
            assert_ne!(title, "app.title", "{lang:?} has no app.title");
        }
    }
}
