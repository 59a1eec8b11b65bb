//! What the audit log shows of each kind of thing: the fields an operator set, as the
//! admin API names them, columns by slug. Never a secret (tokens, digests, password
//! hashes are not fields of these types), nor what syndic keeps about a thing by
//! itself (a source's poll status, timestamps of the row).

use super::Fields;
use crate::domain::column::Column;
use crate::domain::domains::OutletDomains;
use crate::domain::source::Source;
use crate::domain::{Outlet, User};
use crate::store::partners::Partner;
use crate::store::StoreError;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// Column slugs by id, read in the change's transaction.
pub(in crate::store) struct Slugs(HashMap<i64, String>);

impl Slugs {
    pub(in crate::store) async fn read(conn: &mut AnyConnection) -> Result<Slugs, StoreError> {
        let rows = sqlx::query("SELECT id, slug FROM columns").fetch_all(&mut *conn).await?;
        let slugs =
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("slug")?))).collect::<Result<_, StoreError>>()?;
        Ok(Slugs(slugs))
    }

    /// A column's slug; one no longer there by its id.
    fn of(&self, id: i64) -> Value {
        self.0.get(&id).map_or_else(|| json!(id), |slug| json!(slug))
    }

    fn all(&self, ids: &[i64]) -> Value {
        Value::Array(ids.iter().map(|id| self.of(*id)).collect())
    }
}

fn object(value: Value) -> Fields {
    match value {
        Value::Object(fields) => fields,
        _ => unreachable!("built from json!({{…}})"),
    }
}

pub(in crate::store) fn column(column: &Column, slugs: &Slugs) -> Fields {
    object(json!({
        "slug": column.slug.as_str(),
        "title": column.title,
        "description": column.description,
        "parent": column.parent_id.map(|id| slugs.of(id)),
        "licensed_only": column.licensed_only,
        "strict_titles": column.strict_titles,
        "hide_duplicates": column.hide_duplicates,
    }))
}

pub(in crate::store) fn outlet(outlet: &Outlet) -> Fields {
    let domains = match &outlet.domains {
        OutletDomains::OfHomepage => Value::Null,
        OutletDomains::Any => json!("any"),
        OutletDomains::Listed(names) => json!(names),
    };
    object(json!({
        "slug": outlet.slug.as_str(),
        "name": outlet.name,
        "homepage": outlet.homepage,
        "language": outlet.language,
        "timezone": outlet.timezone.name(),
        "rights": outlet.rights,
        "indexing": outlet.indexing.as_str(),
        "feed_content": outlet.grants.feeds.as_str(),
        "partner_content": outlet.grants.partners.as_str(),
        "domains": domains,
        "licensed": outlet.reposting.licensed,
        "licence_ref": outlet.reposting.licence_ref,
        "allow_repost": outlet.reposting.allow_repost,
        "repost_terms": outlet.reposting.terms,
        "review": outlet.review.as_str(),
        "default_editor": outlet.default_editor.as_ref().map(|u| u.as_str()),
        "keep_images": outlet.keep_images,
    }))
}

pub(in crate::store) fn source(source: &Source, slugs: &Slugs) -> Fields {
    let routing = &source.routing;
    let routes: Vec<Value> = routing
        .routes
        .iter()
        .map(|r| json!({"match": r.matching.as_str(), "value": r.value, "column": slugs.of(r.column_id)}))
        .collect();
    object(json!({
        "outlet": source.outlet_slug,
        "url": source.url,
        "kind": source.kind.as_str(),
        "rules": source.rules.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()),
        "full_text": source.full_text,
        "interval_secs": source.interval_secs,
        "columns": slugs.all(&routing.columns),
        "routes": routes,
        "include": routing.include,
        "exclude": routing.exclude,
        "review": source.review.as_str(),
    }))
}

pub(in crate::store) fn partner(partner: &Partner, slugs: &Slugs) -> Fields {
    object(json!({
        "name": partner.name,
        "columns": slugs.all(&partner.column_ids),
        "revoked": partner.revoked_at.is_some(),
    }))
}

pub(in crate::store) fn user(user: &User, slugs: &Slugs) -> Fields {
    object(json!({
        "username": user.username.as_str(),
        "name": user.real_name,
        "role": user.role.as_str(),
        "columns": slugs.all(&user.column_ids),
        "disabled": user.is_disabled(),
        "language": user.language.map(|language| language.as_str()),
    }))
}
