//! The organisation (one row) and its departments (处室, a tree). Repository functions only: no audit,
//! no permission checks (the services do both, in the caller's transaction).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError, is_fk_violation, is_unique_violation};

/// The organisation's name, if set (None before `kaoqin init`).
pub fn get_name(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT name FROM organisation WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets (or renames) the organisation.
pub fn set_name(conn: &Connection, name: &str) -> Result<()> {
    let name = crate::validate::non_empty("organisation name", name)?;
    conn.execute(
        "INSERT INTO organisation (id, name) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET name = excluded.name",
        params![name],
    )?;
    Ok(())
}

/// A department (处室). `parent_id` None means directly under the organisation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Department repository.
pub mod departments {
    use super::*;

    fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Department> {
        Ok(Department {
            id: r.get(0)?,
            name: r.get(1)?,
            parent_id: r.get(2)?,
        })
    }

    /// Adds a department; `parent` is the parent's id. Names are unique across the tree.
    pub fn add(conn: &Connection, name: &str, parent: Option<i64>) -> Result<Department> {
        let name = crate::validate::non_empty("department name", name)?;
        match conn.execute(
            "INSERT INTO departments (name, parent_id) VALUES (?1, ?2)",
            params![name, parent],
        ) {
            Ok(_) => Ok(Department {
                id: conn.last_insert_rowid(),
                name,
                parent_id: parent,
            }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Duplicate {
                what: "department",
                value: name,
            }),
            Err(e) if is_fk_violation(&e) => Err(StoreError::NotFound {
                what: "parent department",
                key: parent.map(|p| format!("#{p}")).unwrap_or_default(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// All departments, parents before children (depth-first, siblings by name).
    pub fn list(conn: &Connection) -> Result<Vec<Department>> {
        let mut stmt = conn.prepare(
            "WITH RECURSIVE t(id, name, parent_id, path) AS (
                 SELECT id, name, parent_id, name FROM departments WHERE parent_id IS NULL
                 UNION ALL
                 SELECT d.id, d.name, d.parent_id, t.path || char(31) || d.name
                 FROM departments d JOIN t ON d.parent_id = t.id)
             SELECT id, name, parent_id FROM t ORDER BY path",
        )?;
        let v = stmt
            .query_map([], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(v)
    }

    /// A department by id.
    pub fn get(conn: &Connection, id: i64) -> Result<Department> {
        conn.query_row(
            "SELECT id, name, parent_id FROM departments WHERE id = ?1",
            [id],
            row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "department",
            key: format!("#{id}"),
        })
    }

    /// A department by exact name, or None.
    pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Department>> {
        Ok(conn
            .query_row(
                "SELECT id, name, parent_id FROM departments WHERE name = ?1",
                [name.trim()],
                row,
            )
            .optional()?)
    }

    /// A department by exact name, or `NotFound { what: "department" }`.
    pub fn get_by_name(conn: &Connection, name: &str) -> Result<Department> {
        find_by_name(conn, name)?.ok_or_else(|| StoreError::NotFound {
            what: "department",
            key: name.to_string(),
        })
    }
}
