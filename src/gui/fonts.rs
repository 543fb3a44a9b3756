//! Fonts: the bundled GB2312 subset of Noto Sans CJK SC first, then installed system CJK fonts.
//!
//! The bundled font is compiled into the binary, so Chinese always renders, even on a machine with
//! no fonts at all (where eframe's fontconfig-based `system_fonts` feature would panic; we build
//! eframe without it). Characters outside GB2312 (rare name characters such as 堃 or 喆) come from
//! a system CJK font, read from disk only the first time such a character is drawn.
//! This module must not decide anything about layout or style.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use egui::{
    FallbackRequest, FontData, FontDefinitions, FontFamily, FontInsert, FontPriority, FontProvider,
    InsertFontFamily,
};

/// Noto Sans CJK SC Regular, GB2312 + ASCII + Latin-1 + locale characters (assets/fonts/OFL.txt).
pub const BUNDLED_CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-GB2312.otf");

/// The name the bundled font is registered under in egui's font definitions.
pub const BUNDLED_CJK_NAME: &str = "NotoSansSC-GB2312";

/// Environment variable naming an extra font file (`.ttf`, `.otf`, `.ttc`) tried before the
/// well-known system paths, e.g. for a site that installs its own font.
pub const ENV_CJK_FONT: &str = "KAOQIN_CJK_FONT";

/// egui's default fonts plus the bundled CJK font: first for proportional text (so a mixed
/// Chinese/Latin label has one baseline and one look), after Hack for monospace.
pub fn definitions() -> FontDefinitions {
    let mut defs = FontDefinitions::default();
    defs.font_data.insert(
        BUNDLED_CJK_NAME.to_owned(),
        Arc::new(FontData::from_static(BUNDLED_CJK)),
    );
    if let Some(list) = defs.families.get_mut(&FontFamily::Proportional) {
        list.insert(0, BUNDLED_CJK_NAME.to_owned());
    }
    if let Some(list) = defs.families.get_mut(&FontFamily::Monospace) {
        list.push(BUNDLED_CJK_NAME.to_owned());
    }
    defs
}

/// Installs the bundled fonts and, after them, a lazy provider for each system CJK font found.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
    ctx.set_font_providers(system_font_providers());
}

/// One provider per installed CJK font file, in order of preference; empty when none is installed.
pub fn system_font_providers() -> Vec<Arc<dyn FontProvider>> {
    system_font_candidates()
        .into_iter()
        .filter(|(path, _)| path.is_file())
        .map(|(path, index)| Arc::new(SystemFontFile::new(path, index)) as Arc<dyn FontProvider>)
        .collect()
}

/// Well-known CJK font files and the face index of the Simplified Chinese face in each.
fn system_font_candidates() -> Vec<(PathBuf, u32)> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os(ENV_CJK_FONT).filter(|p| !p.is_empty()) {
        out.push((PathBuf::from(p), 0));
    }
    if cfg!(windows) {
        let windir =
            std::env::var_os("WINDIR").map_or_else(|| PathBuf::from(r"C:\Windows"), PathBuf::from);
        let fonts = windir.join("Fonts");
        // Microsoft YaHei first (Vista and later), then the older SimSun / SimHei, then JhengHei.
        for (file, index) in [
            ("msyh.ttc", 0),
            ("msyh.ttf", 0),
            ("simsun.ttc", 0),
            ("simhei.ttf", 0),
            ("msjh.ttc", 0),
        ] {
            out.push((fonts.join(file), index));
        }
    } else if cfg!(target_os = "macos") {
        out.push((PathBuf::from("/System/Library/Fonts/PingFang.ttc"), 0));
        out.push((PathBuf::from("/System/Library/Fonts/STHeiti Light.ttc"), 0));
    } else {
        // Noto Sans CJK collections: face 2 is SC (JP, KR, SC, TC, HK order).
        for dir in [
            "/usr/share/fonts/opentype/noto",   // Debian, Ubuntu
            "/usr/share/fonts/noto-cjk",        // Arch
            "/usr/share/fonts/google-noto-cjk", // Fedora
            "/usr/share/fonts/opentype/noto-cjk",
        ] {
            out.push((Path::new(dir).join("NotoSansCJK-Regular.ttc"), 2));
        }
        for path in [
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
            "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
            "/usr/share/fonts/truetype/arphic/uming.ttc",
        ] {
            out.push((PathBuf::from(path), 0));
        }
    }
    out
}

/// A system font file, read on first need and kept for the life of the process.
struct SystemFontFile {
    path: PathBuf,
    index: u32,
    name: String,
    data: OnceLock<Option<FontData>>,
}

impl SystemFontFile {
    fn new(path: PathBuf, index: u32) -> Self {
        let name = format!("system:{}#{index}", path.display());
        SystemFontFile {
            path,
            index,
            name,
            data: OnceLock::new(),
        }
    }

    fn data(&self) -> Option<&FontData> {
        self.data
            .get_or_init(|| match std::fs::read(&self.path) {
                Ok(bytes) => {
                    tracing::info!(font = %self.path.display(), "loaded system CJK font for rare characters");
                    let mut data = FontData::from_owned(bytes);
                    data.index = self.index;
                    Some(data)
                }
                Err(err) => {
                    tracing::warn!(font = %self.path.display(), %err, "cannot read system font");
                    None
                }
            })
            .as_ref()
    }
}

impl FontProvider for SystemFontFile {
    fn font_for(&self, _request: &FallbackRequest<'_>) -> Option<FontInsert> {
        // egui checks the glyph itself and moves on to the next provider if this font lacks it.
        let data = self.data()?.clone();
        let families = [FontFamily::Proportional, FontFamily::Monospace]
            .into_iter()
            .map(|family| InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            })
            .collect();
        Some(FontInsert::new(&self.name, data, families))
    }
}
