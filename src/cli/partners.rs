//! `syndic partner …`: partners, who read the article API.

use crate::catalog::PartnerForm;
use crate::domain::Actor;
use crate::operations::Operations;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(super) enum PartnerCommand {
    /// Create a partner; prints its read token once.
    Add {
        #[arg(long)]
        name: String,
        /// A column it may read, with its sub-columns (repeatable; none: every column).
        #[arg(long = "column")]
        columns: Vec<String>,
    },
    /// List partners.
    List,
    /// Revoke a partner's token.
    Revoke { id: i64 },
}

pub(super) async fn run(operations: &Operations, command: PartnerCommand) -> anyhow::Result<()> {
    match command {
        PartnerCommand::Add { name, columns } => {
            let form = PartnerForm { name: Some(name), columns: Some(columns) };
            let (partner, token) = operations.add_partner(&Actor::Cli, form).await?;
            println!("partner {} created", partner.id);
            println!("read token (shown only now): {token}");
        }
        PartnerCommand::List => {
            let tree = operations.column_tree().await?;
            for p in operations.partners().await? {
                let columns: Vec<&str> =
                    p.column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.as_str()).collect();
                let state = if p.revoked_at.is_some() { "revoked" } else { "active" };
                println!(
                    "{}	{}	{}	{state}",
                    p.id,
                    p.name,
                    if columns.is_empty() { "*".into() } else { columns.join(",") }
                );
            }
        }
        PartnerCommand::Revoke { id } => {
            operations.revoke_partner(&Actor::Cli, id).await?;
            println!("partner {id} revoked");
        }
    }
    Ok(())
}
