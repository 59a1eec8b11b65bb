//! `syndic user …`: the people who run the portal, their roles and personal API tokens.
//! Passwords are read from standard input only, never from the command line (where
//! `ps` and shell histories would show them), and are never printed.

use super::NameMissing;
use crate::catalog::{UserEdit, UserForm};
use crate::domain::{Actor, User};
use crate::operations::Operations;
use anyhow::Context;
use clap::Subcommand;
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Create a user, with the password read from standard input.
    Add {
        /// The login name: lower-case ASCII letters, digits and inner hyphens.
        username: String,
        /// The real name, shown as 责任编辑.
        #[arg(long)]
        name: String,
        /// What the user may do.
        #[arg(long, value_parser = ["admin", "editor", "viewer"])]
        role: String,
        /// A column the user sees and changes, with its sub-columns (repeatable; none: every column).
        #[arg(long = "column")]
        columns: Vec<String>,
        /// Read the password from the first line of standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users: username, role, columns, state, real name.
    List,
    /// Change a user's real name, role or columns, or enable a disabled user.
    Edit {
        /// The user's login name.
        username: String,
        /// The new real name.
        #[arg(long)]
        name: Option<String>,
        /// The new role.
        #[arg(long, value_parser = ["admin", "editor", "viewer"])]
        role: Option<String>,
        /// The new column scope (repeatable; replaces the old one).
        #[arg(long = "column", conflicts_with = "all_columns")]
        columns: Vec<String>,
        /// Let the user see and change every column.
        #[arg(long)]
        all_columns: bool,
        /// Enable a disabled user again.
        #[arg(long)]
        enable: bool,
    },
    /// Disable a user: their token stops working at once.
    Disable {
        /// The user's login name.
        username: String,
    },
    /// Set a user's password, read from the first line of standard input.
    Password {
        /// The user's login name.
        username: String,
    },
    /// Issue a personal API token for the admin API (printed once; the one before stops working).
    Token {
        /// The user's login name.
        username: String,
    },
}

pub(super) async fn run(operations: &Operations, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { username, name, role, columns, password_stdin: _ } => {
            let password = read_password()?;
            let form = UserForm {
                username: Some(username),
                name: Some(name),
                role: Some(role),
                columns: Some(columns),
                password: Some(password),
            };
            let user = operations.add_user(&Actor::Cli, form).await?;
            println!("user {} created ({})", user.username, user.role.as_str());
        }
        UserCommand::List => {
            let tree = operations.column_tree().await?;
            for user in operations.users().await? {
                let columns: Vec<&str> =
                    user.column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.username,
                    user.role.as_str(),
                    if columns.is_empty() { "*".into() } else { columns.join(",") },
                    if user.is_disabled() { "disabled" } else { "enabled" },
                    user.real_name
                );
            }
        }
        UserCommand::Edit { username, name, role, columns, all_columns, enable } => {
            let columns = (all_columns || !columns.is_empty()).then_some(Some(columns));
            let edit = UserEdit { name, role, columns, disabled: enable.then_some(false), ..UserEdit::default() };
            let user = edit_user(operations, &username, edit).await?;
            println!("user {} changed", user.username);
        }
        UserCommand::Disable { username } => {
            let edit = UserEdit { disabled: Some(true), ..UserEdit::default() };
            let user = edit_user(operations, &username, edit).await?;
            println!("user {} disabled", user.username);
        }
        UserCommand::Password { username } => {
            let edit = UserEdit { password: Some(read_password()?), ..UserEdit::default() };
            let user = edit_user(operations, &username, edit).await?;
            println!("password of {} set", user.username);
        }
        UserCommand::Token { username } => {
            let token =
                operations.issue_user_token(&Actor::Cli, &username).await.naming(|| format!("user '{username}'"))?;
            println!("personal API token of {username} (shown only now): {token}");
        }
    }
    Ok(())
}

async fn edit_user(operations: &Operations, username: &str, edit: UserEdit) -> anyhow::Result<User> {
    operations.edit_user(&Actor::Cli, username, edit).await.naming(|| format!("user '{username}'"))
}

/// The first line of standard input, without its line break.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(&line).to_owned())
}
