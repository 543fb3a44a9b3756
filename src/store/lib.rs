//! SQLite store (placeholder until filled).
