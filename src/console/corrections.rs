//! An article's corrections on its console page: the edit form (title, subtitle,
//! summary, content, image), the original title (原标题) beside an edited one, and an
//! outlet's correction after an edit with its two resolutions as buttons. Shown only to
//! a user who may change the article; its refusals beside the fields they name.

use super::form::{Form, Kind, Values};
use super::labels::CorrectionLabels;
use super::{CatalogLabels, Viewer};
use crate::domain::Article;
use crate::store::StaffArticle;
use maud::{html, Markup};

/// The edit form's hidden field holding the version it was drawn from (`form_version`).
pub const VERSION: &str = "version";

/// The version of an article an edit form was drawn from: when its content last
/// changed, in microseconds. A form posted from another version is refused, so that a
/// stale form cannot put back what changed since (an outlet's correction above all).
pub fn form_version(article: &Article) -> String {
    article.updated_at.timestamp_micros().to_string()
}

/// The edit form's values for an article as it shows now, with its version.
pub fn edit_values(article: &Article) -> Values {
    let mut values = Values::default();
    values.set(VERSION, form_version(article));
    values.set("title", article.title.clone());
    for (name, value) in
        [("subtitle", &article.subtitle), ("summary", &article.summary), ("content_html", &article.content_html)]
    {
        values.set(name, value.clone().unwrap_or_default());
    }
    let image = article.image.as_ref();
    values.set("image_url", image.map(|i| i.url.clone()).unwrap_or_default());
    values.set("image_caption", image.and_then(|i| i.caption.clone()).unwrap_or_default());
    values
}

/// The original title, when an editor changed the one shown, and who edited what: rows
/// of the article's attribution list.
pub fn edit_rows(viewer: &Viewer<'_>, found: &StaffArticle) -> Markup {
    let l = &viewer.labels.corrections;
    let edit = &found.edit;
    html! {
        @if let Some(original) = &found.article.original_title {
            dt { (l.original_title) } dd.original-title { (original) }
        }
        @if !edit.fields.is_empty() {
            dt { (l.edited) } dd { (edited_names(l, &edit.fields).join(" · ")) }
            @if let Some(by) = &edit.by { dt { (l.edited_by) } dd { (by) } }
        }
    }
}

/// The edited fields as the form labels them.
fn edited_names(l: &CorrectionLabels, fields: &[&str]) -> Vec<&'static str> {
    let label = |field: &&str| match *field {
        "title" => Some(l.title),
        "subtitle" => Some(l.subtitle),
        "summary" => Some(l.summary),
        "content_html" => Some(l.content),
        "image" => Some(l.image_url),
        _ => None,
    };
    fields.iter().filter_map(label).collect()
}

/// The badge of an article its outlet corrected after an edit.
pub fn corrected_badge(viewer: &Viewer<'_>, found: &StaffArticle) -> Markup {
    html! {
        @if found.edit.outlet_corrected_at.is_some() {
            " " span.badge.corrected { (viewer.labels.corrections.outlet_corrected) }
        }
    }
}

/// The outlet's correction after an edit, with both resolutions; nothing when there is
/// none. `action` is the form's address.
pub fn correction_card(viewer: &Viewer<'_>, found: &StaffArticle, action: &str) -> Markup {
    let l = &viewer.labels.corrections;
    html! {
        @if found.edit.outlet_corrected_at.is_some() {
            section.card aria-labelledby="corrected-heading" {
                h2 #corrected-heading { (l.outlet_corrected) }
                p.hint { (l.outlet_corrected_hint) }
                form method="post" action=(action) {
                    (viewer.csrf_field())
                    div.actions {
                        button type="submit" name="take" value="outlet" { (l.take_outlet) }
                        button type="submit" name="take" value="edit" { (l.take_edit) }
                    }
                }
            }
        }
    }
}

/// The edit form, showing `form`'s values (the article's, or as posted when refused).
pub fn edit_card(viewer: &Viewer<'_>, found: &StaffArticle, form: &Form<'_>, action: &str) -> Markup {
    let l = &viewer.labels.corrections;
    html! {
        section.card aria-labelledby="edit-heading" {
            h2 #edit-heading { (l.edit) }
            p.hint { (l.edit_hint) }
            form.edit method="post" action=(action) {
                (viewer.csrf_field())
                input type="hidden" name=(VERSION) value=(form.values.get(VERSION));
                (form.summary(CatalogLabels::of(viewer.labels)))
                (form.input("title", l.title, Kind::Text, true, None))
                @if let Some(original) = &found.article.original_title {
                    p.hint { (l.original_title) ": " (original) }
                }
                (form.input("subtitle", l.subtitle, Kind::Text, false, None))
                (form.textarea("summary", l.summary, Some(l.summary_hint)))
                (form.textarea("content_html", l.content, Some(l.content_hint)))
                (form.input("image_url", l.image_url, Kind::Url, false, None))
                (form.input("image_caption", l.image_caption, Kind::Text, false, None))
                button type="submit" { (l.save) }
            }
        }
    }
}
