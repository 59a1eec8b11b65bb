//! Demo content for `syndic serve --demo`: outlets, a column tree, an editor and a
//! dozen articles (one of them the example page's, with its 责任编辑 and an editor's
//! shorter title; one waiting for review, from an outlet under manual review), compiled
//! into the binary and loaded through the same catalog, ingest and correction paths as
//! real input. The demo's users get a random password when it is loaded, printed once,
//! so that the console can be tried.

use crate::catalog::{self, ColumnForm, OutletForm, UserForm};
use crate::domain::audit::Action;
use crate::domain::{token, Actor};
use crate::ingest::edit::ArticleEdit;
use crate::ingest::{push::draft_from_push, push::PushArticle, Pipeline};
use crate::store::Audit;
use crate::store::FeedScope;
use anyhow::{anyhow, Context};
use serde::Deserialize;

const DEMO_CONTENT: &str = include_str!("../examples/demo.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoContent {
    columns: Vec<ColumnForm>,
    /// Without passwords: each is given a random one when loaded.
    users: Vec<UserForm>,
    outlets: Vec<OutletForm>,
    articles: Vec<DemoArticle>,
}

#[derive(Deserialize)]
struct DemoArticle {
    outlet: String,
    /// An editor's correction of it, made once it is stored.
    #[serde(default)]
    edit: Option<ArticleEdit>,
    #[serde(flatten)]
    article: PushArticle,
}

/// What loading the demo created: each outlet's slug and ingest token, each user's
/// username and password; and the editors' corrections of its articles (by id), for
/// `Operations::load_demo` to make as any editor's edit is made.
pub struct DemoLoaded {
    pub tokens: Vec<(String, String)>,
    pub users: Vec<(String, String)>,
    pub articles: usize,
    pub edits: Vec<(i64, ArticleEdit)>,
}

/// Hex digits of a demo user's random password (64 bits).
const DEMO_PASSWORD_CHARS: usize = 16;

/// Fills an empty database with the demo content; leaves a database that already has
/// columns, outlets or articles alone and returns `None`. Its columns and outlets are
/// recorded in the audit log as `actor`'s; its articles, pushed, are not.
pub async fn load_if_empty(
    pipeline: &Pipeline,
    site_zone: chrono_tz::Tz,
    actor: &Actor,
) -> anyhow::Result<Option<DemoLoaded>> {
    let store = &pipeline.store;
    let has_content = !store.column_tree().await?.all().is_empty()
        || !store.list_outlets().await?.is_empty()
        || store.count_articles(&FeedScope::Site).await? > 0;
    if has_content {
        return Ok(None);
    }
    let content: DemoContent = serde_json::from_str(DEMO_CONTENT).context("examples/demo.json is malformed")?;
    for column in content.columns {
        catalog::add_column(store, column, Audit::new(actor, Action::ColumnAdd)).await?;
    }
    let mut users = Vec::new();
    for mut user in content.users {
        let password: String = token::generate("").chars().take(DEMO_PASSWORD_CHARS).collect();
        user.password = Some(password.clone());
        let added = catalog::add_user(store, user, Audit::new(actor, Action::UserAdd)).await?;
        users.push((added.username.to_string(), password));
    }
    let mut tokens = Vec::new();
    for outlet in content.outlets {
        let (outlet, token) =
            catalog::add_outlet(store, outlet, site_zone, Audit::new(actor, Action::OutletAdd)).await?;
        tokens.push((outlet.slug.to_string(), token));
    }
    let columns = store.column_tree().await?;
    let (mut articles, mut edits) = (0, Vec::new());
    for item in content.articles {
        let outlet = store.outlet_by_slug(&item.outlet).await?;
        let draft = draft_from_push(item.article, &outlet, &columns)
            .map_err(|errors| anyhow!("demo article of {} is invalid: {errors}", item.outlet))?;
        let accepted = pipeline.accept(&outlet, &draft).await?;
        edits.extend(item.edit.map(|edit| (accepted.id, edit)));
        articles += 1;
    }
    Ok(Some(DemoLoaded { tokens, users, articles, edits }))
}
