//! `syndic quarantine …`: reviewing what the content policy holds back.

use crate::domain::Actor;
use crate::operations::Operations;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(super) enum QuarantineCommand {
    /// List held articles with the term or domain that matched.
    List,
    /// Publish a held article as it stands.
    Release { id: i64 },
    /// Delete a held article.
    Reject { id: i64 },
}

pub(super) async fn run(operations: &Operations, command: QuarantineCommand) -> anyhow::Result<()> {
    match command {
        QuarantineCommand::List => {
            for a in operations.held_articles().await? {
                println!("{}\t{}\t{}\t{}", a.id, a.outlet_slug, a.original_url, a.reason);
            }
        }
        QuarantineCommand::Release { id } => {
            operations.release_article(&Actor::Cli, id).await?;
            println!("article {id} released");
        }
        QuarantineCommand::Reject { id } => {
            operations.reject_article(&Actor::Cli, id).await?;
            println!("article {id} rejected");
        }
    }
    Ok(())
}
