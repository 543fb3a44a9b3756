//! The organisation and its departments (处室, a tree): name, add, list. Department references are
//! by name at this edge; ids stay inside the store.

use kaoqin_store::{departments, org};
use serde_json::json;

use super::error::AppResult;
use super::permissions::Action;
use super::session::Session;
use super::validate;

/// A department with its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentInfo {
    pub name: String,
    pub parent: Option<String>,
    /// 0 for a top-level department (directly under the organisation).
    pub depth: usize,
}

impl Session {
    /// The organisation's name ("" if never set).
    pub fn organisation(&self) -> AppResult<String> {
        self.require(Action::ViewOrganisation, "organisation")?;
        Ok(org::get_name(self.conn())?.unwrap_or_default())
    }

    /// Adds a department under `parent` (by name) or at the top.
    pub fn add_department(
        &mut self,
        name: &str,
        parent: Option<&str>,
    ) -> AppResult<DepartmentInfo> {
        self.require(Action::ManageDepartments, name)?;
        validate::name("department name", name)?;
        let parent_dep = match parent {
            Some(p) => Some(departments::find_by_name(self.conn(), p)?.ok_or_else(|| {
                kaoqin_store::StoreError::NotFound {
                    what: "parent department",
                    key: p.to_string(),
                }
            })?),
            None => None,
        };
        let parent_id = parent_dep.as_ref().map(|d| d.id);
        let parent_name = parent_dep.map(|d| d.name);
        self.act(
            Action::ManageDepartments,
            "department.add",
            name.trim(),
            |tx| {
                let d = departments::add(tx, name, parent_id)?;
                Ok((d, json!({ "parent": parent_name })))
            },
        )?;
        self.list_departments()?
            .into_iter()
            .find(|d| d.name == name.trim())
            .ok_or_else(|| {
                kaoqin_store::StoreError::NotFound {
                    what: "department",
                    key: name.into(),
                }
                .into()
            })
    }

    /// All departments, parents before children.
    pub fn list_departments(&self) -> AppResult<Vec<DepartmentInfo>> {
        self.require(Action::ViewOrganisation, "departments")?;
        let all = departments::list(self.conn())?;
        let by_id = |id: i64| all.iter().find(|d| d.id == id);
        Ok(all
            .iter()
            .map(|d| {
                let mut depth = 0;
                let mut cur = d.parent_id;
                // Bounded walk: a damaged parent link cannot loop forever.
                while let Some(p) = cur.and_then(by_id) {
                    depth += 1;
                    cur = p.parent_id;
                    if depth > all.len() {
                        break;
                    }
                }
                DepartmentInfo {
                    name: d.name.clone(),
                    parent: d.parent_id.and_then(by_id).map(|p| p.name.clone()),
                    depth,
                }
            })
            .collect())
    }
}
