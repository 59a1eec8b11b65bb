//! `syndic quarantine …`: reviewing what the content policy holds back.

use super::NameMissing;
use crate::domain::Actor;
use crate::operations::Operations;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(super) enum QuarantineCommand {
    /// List held articles: id, outlet, title, original URL and the term or domain that
    /// matched ("nothing held" when there are none).
    List,
    /// Publish a held article as it stands.
    Release {
        /// The article's id (see `quarantine list`).
        id: i64,
    },
    /// Delete a held article.
    Reject {
        /// The article's id (see `quarantine list`).
        id: i64,
    },
}

pub(super) async fn run(operations: &Operations, command: QuarantineCommand) -> anyhow::Result<()> {
    match command {
        QuarantineCommand::List => {
            let held = operations.held_articles().await?;
            if held.is_empty() {
                println!("nothing held");
            }
            for a in held {
                println!("{}\t{}\t{}\t{}\t{}", a.id, a.outlet_slug, a.title, a.original_url, a.reason);
            }
        }
        QuarantineCommand::Release { id } => {
            let now = operations.release_article(&Actor::Cli, id).await.naming(|| format!("held article {id}"))?;
            println!("article {id} released, now {}", now.as_str());
        }
        QuarantineCommand::Reject { id } => {
            operations.reject_article(&Actor::Cli, id).await.naming(|| format!("held article {id}"))?;
            println!("article {id} rejected");
        }
    }
    Ok(())
}
