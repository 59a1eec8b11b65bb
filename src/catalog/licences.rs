//! Marking outlets licensed from the national source list (稿源单位名单), which is
//! published as names and updated from time to time: one name or domain a line.

use super::{CatalogError, MAX_DESCRIPTION_CHARS};
use crate::domain::text::optional_text;
use crate::domain::{FieldErrors, Outlet};
use crate::store::outlets::OutletChanges;
use crate::store::{Audit, Store};

/// What a list did to the outlets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LicenceReport {
    /// Each line that named outlets, with their slugs.
    pub matched: Vec<(String, Vec<String>)>,
    /// Lines that named no outlet.
    pub not_matched: Vec<String>,
    /// Slugs of the outlets that were licensed and are no longer on the list: they are
    /// un-licensed (their articles stay where they are).
    pub unlicensed: Vec<String>,
}

/// The list's entries: its lines, trimmed, less blank lines and `#` comments.
pub fn entries(list: &str) -> Vec<String> {
    list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

/// Whether `entry` names `outlet`: its name exactly, or one of its domains (or a host
/// under one, as `www.cjxww.cn` under `cjxww.cn`), in any case.
fn names(entry: &str, outlet: &Outlet) -> bool {
    if entry == outlet.name.trim() {
        return true;
    }
    let host = entry.trim_end_matches('.').to_lowercase();
    let domains = outlet.domains.effective(&outlet.homepage).unwrap_or_default();
    domains.iter().any(|d| host == *d || host.strip_suffix(d.as_str()).is_some_and(|rest| rest.ends_with('.')))
}

/// Licenses the outlets `list` names and un-licenses the licensed ones it does not;
/// with `licence_ref` (the list's edition, say), every outlet on the list records it as
/// what its licence was checked against. Each outlet that changes is one audited edit
/// (`audit`, before and after).
pub async fn license_from_list(
    store: &Store,
    list: &str,
    licence_ref: Option<&str>,
    audit: Audit<'_>,
) -> Result<LicenceReport, CatalogError> {
    let licence_ref = optional_text(licence_ref, MAX_DESCRIPTION_CHARS)
        .map_err(|reason| CatalogError::Invalid(FieldErrors::single("licence_ref", reason)))?;
    let outlets = store.list_outlets().await?;
    let mut report = LicenceReport::default();
    let mut on_list = vec![false; outlets.len()];
    for entry in entries(list) {
        let slugs: Vec<String> = outlets
            .iter()
            .enumerate()
            .filter(|(_, outlet)| names(&entry, outlet))
            .map(|(i, outlet)| {
                on_list[i] = true;
                outlet.slug.to_string()
            })
            .collect();
        match slugs.is_empty() {
            true => report.not_matched.push(entry),
            false => report.matched.push((entry, slugs)),
        }
    }
    for (outlet, listed) in outlets.iter().zip(on_list) {
        let new_ref = licence_ref.as_ref().filter(|r| listed && outlet.reposting.licence_ref.as_ref() != Some(*r));
        if outlet.reposting.licensed != listed || new_ref.is_some() {
            let changes = OutletChanges {
                licensed: Some(listed),
                licence_ref: new_ref.map(|r| Some(r.clone())),
                ..OutletChanges::default()
            };
            store.update_outlet(outlet.id, &changes, audit).await?;
            if !listed {
                report.unlicensed.push(outlet.slug.to_string());
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_and_comments_are_not_entries() {
        assert_eq!(entries("# 2024 edition\n\n 昌吉日报 \r\nwww.cjxww.cn\n  # note\n"), ["昌吉日报", "www.cjxww.cn"]);
    }
}
