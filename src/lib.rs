//! Kaoqin application (placeholder until filled).
