//! `syndic column …` and `syndic outlet …`: the catalogue.

use crate::catalog::{ColumnEdit, ColumnForm, DomainsForm, OutletEdit, OutletForm};
use crate::domain::Actor;
use crate::operations::Operations;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub(super) enum ColumnCommand {
    /// Create a column.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        description: Option<String>,
        /// Slug of the parent column.
        #[arg(long)]
        parent: Option<String>,
    },
    /// List columns as a tree.
    List,
    /// Change a column.
    Edit {
        slug: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, conflicts_with = "clear_description")]
        description: Option<String>,
        #[arg(long)]
        clear_description: bool,
        /// Move under this column.
        #[arg(long, conflicts_with = "root")]
        parent: Option<String>,
        /// Make it a top-level column.
        #[arg(long)]
        root: bool,
    },
    /// Remove a column that has no articles and no sub-columns.
    Remove { slug: String },
}

#[derive(Debug, Subcommand)]
pub(super) enum OutletCommand {
    /// Create an outlet; prints its ingest token once.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        homepage: String,
        #[command(flatten)]
        terms: OutletTerms,
    },
    /// List outlets.
    List,
    /// Change an outlet.
    Edit {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        homepage: Option<String>,
        #[command(flatten)]
        terms: OutletTerms,
    },
    /// Issue an additional ingest token for an outlet; prints it once.
    Token { slug: String },
    /// List an outlet's tokens (ids and dates, never their values).
    Tokens { slug: String },
    /// Revoke one of an outlet's tokens (rotation: issue a new one, then revoke the old).
    Revoke { slug: String, token_id: i64 },
}

/// An outlet's optional settings, given alike when adding and when editing.
#[derive(Debug, Args)]
pub(super) struct OutletTerms {
    #[arg(long)]
    language: Option<String>,
    /// IANA time zone its naive timestamps are in (default UTC).
    #[arg(long)]
    timezone: Option<String>,
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
}

pub(super) async fn columns(operations: &Operations, command: ColumnCommand) -> anyhow::Result<()> {
    match command {
        ColumnCommand::Add { slug, title, description, parent } => {
            let form = ColumnForm { slug: Some(slug), title: Some(title), description, parent };
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
        ColumnCommand::Edit { slug, title, description, clear_description, parent, root } => {
            let edit = ColumnEdit {
                title,
                description: if clear_description { Some(None) } else { description.map(Some) },
                parent: if root { Some(None) } else { parent.map(Some) },
            };
            let column = operations.edit_column(&Actor::Cli, &slug, edit).await?;
            println!("column {} updated", column.slug);
        }
        ColumnCommand::Remove { slug } => {
            operations.remove_column(&Actor::Cli, &slug).await?;
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
                name,
                homepage,
                language: terms.language.map(Some),
                timezone: terms.timezone,
                rights: terms.rights.map(Some),
                indexing: terms.indexing,
                feed_content: terms.feed_content,
                partner_content: terms.partner_content,
            };
            let outlet = operations.edit_outlet(&Actor::Cli, &slug, edit).await?;
            println!("outlet {} updated", outlet.slug);
        }
        OutletCommand::Tokens { slug } => {
            for t in operations.outlet_tokens(&slug).await? {
                let state =
                    t.revoked_at.map_or("live".to_owned(), |at| format!("revoked {}", crate::publish::rfc3339(at)));
                println!("{}\tcreated {}\t{state}", t.id, crate::publish::rfc3339(t.created_at));
            }
        }
        OutletCommand::Revoke { slug, token_id } => {
            operations.revoke_outlet_token(&Actor::Cli, &slug, token_id).await?;
            println!("token {token_id} of {slug} revoked");
        }
        OutletCommand::Token { slug } => {
            let token = operations.issue_outlet_token(&Actor::Cli, &slug).await?;
            println!("new ingest token for {slug} (shown only now): {token}");
        }
    }
    Ok(())
}
