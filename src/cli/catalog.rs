//! `syndic column …` and `syndic outlet …`: the catalogue.

use super::NameMissing;
use crate::catalog::{ColumnEdit, ColumnForm, DomainsForm, OutletEdit, OutletForm};
use crate::domain::Actor;
use crate::operations::Operations;
use anyhow::Context;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub(super) enum ColumnCommand {
    /// Create a column.
    Add {
        /// Its address: lower-case letters, digits and hyphens (`/columns/SLUG`).
        #[arg(long)]
        slug: String,
        /// Its title, shown on pages and feeds.
        #[arg(long)]
        title: String,
        /// A line about it, shown on its page and in its feeds.
        #[arg(long)]
        description: Option<String>,
        /// Slug of the parent column.
        #[arg(long)]
        parent: Option<String>,
        /// Take articles from licensed outlets (稿源单位) only, here and in the columns under it.
        #[arg(long)]
        licensed_only: bool,
        /// Refuse editors' titles that say other than the original title (only punctuation
        /// and spacing may change), here and in the columns under it.
        #[arg(long)]
        strict_titles: bool,
        /// Leave out of its feeds and pages the duplicates of another outlet's public
        /// article (one story from many outlets), as site-wide ones do.
        #[arg(long)]
        hide_duplicates: bool,
    },
    /// List columns as a tree.
    List,
    /// Change a column.
    Edit {
        /// The column's slug.
        slug: String,
        /// A new title.
        #[arg(long)]
        title: Option<String>,
        /// A new description.
        #[arg(long, conflicts_with = "clear_description")]
        description: Option<String>,
        /// Remove its description.
        #[arg(long)]
        clear_description: bool,
        /// Move under this column.
        #[arg(long, conflicts_with = "root")]
        parent: Option<String>,
        /// Make it a top-level column.
        #[arg(long)]
        root: bool,
        /// Take articles from licensed outlets only (articles already filed stay).
        #[arg(long, conflicts_with = "open_to_all")]
        licensed_only: bool,
        /// Take articles from every outlet again.
        #[arg(long)]
        open_to_all: bool,
        /// Refuse editors' titles that say other than the original title (titles already
        /// edited stay).
        #[arg(long, conflicts_with = "free_titles")]
        strict_titles: bool,
        /// Let editors retitle articles again.
        #[arg(long)]
        free_titles: bool,
        /// Leave duplicates of other outlets' public articles out of its feeds and pages.
        #[arg(long, conflicts_with = "show_duplicates")]
        hide_duplicates: bool,
        /// List every article filed in it again, duplicates included.
        #[arg(long)]
        show_duplicates: bool,
    },
    /// Remove a column that has no articles and no sub-columns.
    Remove {
        /// The column's slug.
        slug: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum OutletCommand {
    /// Create an outlet; prints its ingest token once.
    Add {
        /// Its address on the site: lower-case letters, digits and hyphens (`/outlets/SLUG`).
        #[arg(long)]
        slug: String,
        /// Its name, shown as the source (来源) of its articles.
        #[arg(long)]
        name: String,
        /// Its homepage; its registrable domain is where its articles may be, by default.
        #[arg(long)]
        homepage: String,
        #[command(flatten)]
        terms: OutletTerms,
    },
    /// List outlets.
    List,
    /// Change an outlet.
    Edit {
        /// The outlet's slug.
        slug: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new homepage.
        #[arg(long)]
        homepage: Option<String>,
        #[command(flatten)]
        terms: OutletTerms,
    },
    /// Issue an additional ingest token for an outlet; prints it once.
    Token {
        /// The outlet's slug.
        slug: String,
    },
    /// List an outlet's tokens (ids and dates, never their values).
    Tokens {
        /// The outlet's slug.
        slug: String,
    },
    /// Mark outlets licensed from the national source list (稿源单位名单): one outlet name
    /// or domain a line (UTF-8; blank lines and # comments ignored). Licensed outlets the
    /// list leaves out are un-licensed; their articles stay where they are.
    Licensed {
        /// The list's file.
        #[arg(long)]
        from: std::path::PathBuf,
        /// What the list is, such as its edition ("2024年版"): recorded as the licence_ref
        /// of every outlet on it (without it, licence_refs are left as they are).
        #[arg(long = "ref", value_name = "TEXT")]
        licence_ref: Option<String>,
    },
    /// Revoke one of an outlet's tokens (rotation: issue a new one, then revoke the old).
    Revoke {
        /// The outlet's slug.
        slug: String,
        /// The token's id (see `outlet tokens`).
        token_id: i64,
    },
}

/// An outlet's optional settings, given alike when adding and when editing.
#[derive(Debug, Args)]
pub(super) struct OutletTerms {
    /// The language of its articles, such as zh-CN.
    #[arg(long)]
    language: Option<String>,
    /// IANA time zone its naive timestamps are in (default: the site's, `[site] timezone`).
    #[arg(long)]
    timezone: Option<String>,
    /// The rights line of its articles that carry none of their own.
    #[arg(long)]
    rights: Option<String>,
    /// self | original | noindex
    #[arg(long)]
    indexing: Option<String>,
    /// What public feeds carry: full | summary
    #[arg(long)]
    feed_content: Option<String>,
    /// What partners get: full | summary | none
    #[arg(long)]
    partner_content: Option<String>,
    /// A domain its original URLs may be on, with its subdomains (repeatable; default: the
    /// homepage's registrable domain); `any` lifts the restriction.
    #[arg(long = "domain", value_name = "DOMAIN")]
    domains: Vec<String>,
    /// On the national source list (稿源单位): may file into licensed-only columns.
    #[arg(long, conflicts_with = "not_licensed")]
    licensed: bool,
    /// Not on the national source list.
    #[arg(long)]
    not_licensed: bool,
    /// What the licence was checked against, such as the list's edition.
    #[arg(long)]
    licence_ref: Option<String>,
    /// Refuse everything the outlet sends or its feeds carry (it withdrew its permission
    /// to repost); what is published stays.
    #[arg(long, conflicts_with = "allow_repost")]
    no_repost: bool,
    /// Take its articles again.
    #[arg(long)]
    allow_repost: bool,
    /// Plain text shown under each of its articles (版权归原作者所有…).
    #[arg(long)]
    repost_terms: Option<String>,
    /// auto (publish at once, the default) | manual (hold each new article for review)
    #[arg(long)]
    review: Option<String>,
    /// The username of its default responsible editor (责任编辑): an enabled admin, or an
    /// enabled editor of every column, recorded on its articles published without
    /// review; "" clears it.
    #[arg(long)]
    default_editor: Option<String>,
    /// Keep copies of its articles' images and serve them (only where the outlet grants
    /// that right).
    #[arg(long, conflicts_with = "no_keep_images")]
    keep_images: bool,
    /// Point readers at its original images again.
    #[arg(long)]
    no_keep_images: bool,
}

impl OutletTerms {
    /// The domains given, as the catalog takes them; `None` when none were.
    fn domains(&self) -> Option<DomainsForm> {
        match self.domains.as_slice() {
            [] => None,
            [only] if only.trim() == "any" => Some(DomainsForm::Keyword(only.clone())),
            names => Some(DomainsForm::Names(names.to_vec())),
        }
    }

    /// `--licensed`, `--not-licensed` or neither.
    fn licensed(&self) -> Option<bool> {
        (self.licensed || self.not_licensed).then_some(self.licensed)
    }

    /// `--allow-repost`, `--no-repost` or neither.
    fn allow_repost(&self) -> Option<bool> {
        (self.allow_repost || self.no_repost).then_some(self.allow_repost)
    }

    /// `--keep-images`, `--no-keep-images` or neither.
    fn keep_images(&self) -> Option<bool> {
        (self.keep_images || self.no_keep_images).then_some(self.keep_images)
    }
}

pub(super) async fn columns(operations: &Operations, command: ColumnCommand) -> anyhow::Result<()> {
    match command {
        ColumnCommand::Add { slug, title, description, parent, licensed_only, strict_titles, hide_duplicates } => {
            let form = ColumnForm {
                slug: Some(slug),
                title: Some(title),
                description,
                parent,
                licensed_only: Some(licensed_only),
                strict_titles: Some(strict_titles),
                hide_duplicates: Some(hide_duplicates),
            };
            let column = operations.add_column(&Actor::Cli, form).await?;
            println!("column {} created", column.slug);
        }
        ColumnCommand::List => {
            let tree = operations.column_tree().await?;
            let mut stack: Vec<(usize, &crate::domain::Column)> = tree.roots().map(|c| (0, c)).collect();
            stack.reverse();
            while let Some((depth, column)) = stack.pop() {
                println!("{}{}\t{}", "  ".repeat(depth), column.slug, column.title);
                let mut children: Vec<_> = tree.children(column.id).map(|c| (depth + 1, c)).collect();
                children.reverse();
                stack.extend(children);
            }
        }
        ColumnCommand::Edit {
            slug,
            title,
            description,
            clear_description,
            parent,
            root,
            licensed_only,
            open_to_all,
            strict_titles,
            free_titles,
            hide_duplicates,
            show_duplicates,
        } => {
            let edit = ColumnEdit {
                licensed_only: (licensed_only || open_to_all).then_some(licensed_only),
                strict_titles: (strict_titles || free_titles).then_some(strict_titles),
                hide_duplicates: (hide_duplicates || show_duplicates).then_some(hide_duplicates),
                title,
                description: if clear_description { Some(None) } else { description.map(Some) },
                parent: if root { Some(None) } else { parent.map(Some) },
            };
            let column =
                operations.edit_column(&Actor::Cli, &slug, edit).await.naming(|| format!("column '{slug}'"))?;
            println!("column {} updated", column.slug);
        }
        ColumnCommand::Remove { slug } => {
            operations.remove_column(&Actor::Cli, &slug).await.naming(|| format!("column '{slug}'"))?;
            println!("column {slug} removed");
        }
    }
    Ok(())
}

pub(super) async fn outlets(operations: &Operations, command: OutletCommand) -> anyhow::Result<()> {
    match command {
        OutletCommand::Add { slug, name, homepage, terms } => {
            let form = OutletForm {
                domains: terms.domains(),
                licensed: terms.licensed(),
                allow_repost: terms.allow_repost(),
                keep_images: terms.keep_images(),
                licence_ref: terms.licence_ref,
                repost_terms: terms.repost_terms,
                review: terms.review,
                default_editor: terms.default_editor,
                slug: Some(slug),
                name: Some(name),
                homepage: Some(homepage),
                language: terms.language,
                timezone: terms.timezone,
                rights: terms.rights,
                indexing: terms.indexing,
                feed_content: terms.feed_content,
                partner_content: terms.partner_content,
            };
            let (outlet, token) = operations.add_outlet(&Actor::Cli, form).await?;
            println!("outlet {} created", outlet.slug);
            println!("ingest token (shown only now): {token}");
        }
        OutletCommand::List => {
            for o in operations.outlets().await? {
                let domains = o.domains.effective(&o.homepage).map_or("any".to_owned(), |d| d.join(","));
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{domains}",
                    o.slug,
                    o.name,
                    o.homepage,
                    o.timezone.name(),
                    o.indexing.as_str()
                );
            }
        }
        OutletCommand::Edit { slug, name, homepage, terms } => {
            let edit = OutletEdit {
                domains: terms.domains().map(Some),
                licensed: terms.licensed(),
                allow_repost: terms.allow_repost(),
                keep_images: terms.keep_images(),
                licence_ref: terms.licence_ref.map(Some),
                repost_terms: terms.repost_terms.map(Some),
                review: terms.review,
                default_editor: terms.default_editor.map(Some),
                name,
                homepage,
                language: terms.language.map(Some),
                timezone: terms.timezone,
                rights: terms.rights.map(Some),
                indexing: terms.indexing,
                feed_content: terms.feed_content,
                partner_content: terms.partner_content,
            };
            let outlet =
                operations.edit_outlet(&Actor::Cli, &slug, edit).await.naming(|| format!("outlet '{slug}'"))?;
            println!("outlet {} updated", outlet.slug);
        }
        OutletCommand::Licensed { from, licence_ref } => {
            let list = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
            let list = String::from_utf8(list).with_context(|| format!("{} is not UTF-8", from.display()))?;
            let report = operations.license_from_list(&Actor::Cli, &list, licence_ref.as_deref()).await?;
            for (entry, slugs) in &report.matched {
                println!("matched\t{entry}\t{}", slugs.join(","));
            }
            for entry in &report.not_matched {
                println!("not matched\t{entry}");
            }
            for slug in &report.unlicensed {
                println!("no longer on the list (un-licensed)\t{slug}");
            }
            println!(
                "{} matched, {} not matched, {} un-licensed",
                report.matched.len(),
                report.not_matched.len(),
                report.unlicensed.len()
            );
        }
        OutletCommand::Tokens { slug } => {
            for t in operations.outlet_tokens(&slug).await.naming(|| format!("outlet '{slug}'"))? {
                let state =
                    t.revoked_at.map_or("live".to_owned(), |at| format!("revoked {}", crate::publish::rfc3339(at)));
                println!("{}\tcreated {}\t{state}", t.id, crate::publish::rfc3339(t.created_at));
            }
        }
        OutletCommand::Revoke { slug, token_id } => {
            operations
                .revoke_outlet_token(&Actor::Cli, &slug, token_id)
                .await
                .naming(|| format!("token {token_id} of outlet '{slug}'"))?;
            println!("token {token_id} of {slug} revoked");
        }
        OutletCommand::Token { slug } => {
            let token =
                operations.issue_outlet_token(&Actor::Cli, &slug).await.naming(|| format!("outlet '{slug}'"))?;
            println!("new ingest token for {slug} (shown only now): {token}");
        }
    }
    Ok(())
}
