//! Reading a stored article row back into an `Article`.

use super::*;

fn parse_tags(raw: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("tags: {e}")))
}

fn parse_enclosures(raw: &str) -> Result<Vec<Enclosure>, StoreError> {
    let list: Vec<Value> = serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("enclosures: {e}")))?;
    Ok(list
        .iter()
        .map(|v| Enclosure {
            url: v["url"].as_str().unwrap_or_default().to_owned(),
            mime_type: v["type"].as_str().unwrap_or_default().to_owned(),
            length: v["length"].as_u64(),
        })
        .collect())
}

pub(in crate::store) fn article_from_row(row: &AnyRow) -> Result<Article, StoreError> {
    let outlet_slug: String = row.try_get("outlet_slug")?;
    let indexing: String = row.try_get("outlet_indexing")?;
    let image_url: Option<String> = row.try_get("image_url")?;
    let title: String = row.try_get("title")?;
    let outlet_title: String = row.try_get("outlet_title")?;
    Ok(Article {
        id: row.try_get("id")?,
        outlet: OutletRef {
            id: row.try_get("outlet_id")?,
            slug: Slug::parse(&outlet_slug).map_err(StoreError::Corrupt)?,
            name: row.try_get("outlet_name")?,
            homepage: row.try_get("outlet_homepage")?,
            rights: row.try_get("outlet_rights")?,
            indexing: Indexing::parse(&indexing).map_err(StoreError::Corrupt)?,
            grants: grants_at(row).map_err(StoreError::Corrupt)?,
            feed_url: row.try_get("outlet_feed_url")?,
            repost_terms: row.try_get("outlet_repost_terms")?,
        },
        original_url: row.try_get("original_url")?,
        original_title: (outlet_title != title).then_some(outlet_title),
        title,
        subtitle: row.try_get("subtitle")?,
        author: row.try_get("author")?,
        credit: row.try_get("credit")?,
        summary: row.try_get("summary")?,
        content_html: row.try_get("content_html")?,
        language: row.try_get("language")?,
        tags: parse_tags(&row.try_get::<String, _>("tags")?)?,
        rights: row.try_get("rights")?,
        image: image_url.map(|url| Image { url, caption: row.try_get("image_caption").ok().flatten() }),
        enclosures: parse_enclosures(&row.try_get::<String, _>("enclosures")?)?,
        original_published_at: time_at(row, "original_published_at")?,
        original_updated_at: optional_time_at(row, "original_updated_at")?,
        reposted_at: time_at(row, "reposted_at")?,
        updated_at: time_at(row, "updated_at")?,
        columns: Vec::new(),
        kept_images: Vec::new(),
        responsible_editor: row.try_get("editor_name")?,
        duplicate_of: row.try_get("duplicate_of")?,
        copies: Vec::new(),
    })
}
