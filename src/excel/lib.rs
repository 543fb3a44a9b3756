//! Excel export and import (placeholder until filled).
