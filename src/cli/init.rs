//! `syndic init`: writes the `syndic.toml` of a new site, so that an editor starting a
//! portal answers a few questions (or gives flags) instead of learning the file's keys.
//! On a terminal it asks for what the flags leave out, offering a default for each; else
//! the flags are all it reads. What it writes is loaded back through `Config::load`, the
//! way `serve` will read it, before it takes the file's place: a site name, base URL,
//! language, time zone, owner and licence line (an ICP number), listen address, database
//! URL, and a new admin token, printed once. The file is readable by its owner only.

use crate::config::{Config, Overrides};
use crate::domain::token;
use anyhow::{bail, Context};
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The file to write.
    #[arg(long, default_value = "syndic.toml")]
    out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    /// The site's name, on every page and feed (required without a terminal).
    #[arg(long)]
    name: Option<String>,
    /// The public address of the site, such as https://news.example.cn (required without
    /// a terminal); every URL syndic publishes starts with it.
    #[arg(long)]
    base_url: Option<String>,
    /// The site's language: page labels and feeds' language (default zh-CN).
    #[arg(long)]
    language: Option<String>,
    /// The time zone pages show times in, and outlets' naive times are read in (default
    /// Asia/Shanghai).
    #[arg(long)]
    timezone: Option<String>,
    /// Who runs the site, for the footer.
    #[arg(long)]
    owner: Option<String>,
    /// Licence or registration line for the footer, such as an ICP number.
    #[arg(long)]
    licence: Option<String>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
}

/// One answer: its key in the file, what the question says, and its default.
struct Question {
    key: &'static str,
    asks: &'static str,
    default: Option<&'static str>,
}

const NAME: Question = Question { key: "name", asks: "Site name", default: None };
const BASE_URL: Question = Question { key: "base_url", asks: "Public address (https://…)", default: None };
const LANGUAGE: Question = Question { key: "language", asks: "Language", default: Some("zh-CN") };
const TIMEZONE: Question = Question { key: "timezone", asks: "Time zone", default: Some("Asia/Shanghai") };
const OWNER: Question = Question { key: "owner", asks: "Owner, for the footer (may be empty)", default: Some("") };
const LICENCE: Question =
    Question { key: "licence", asks: "Licence or ICP line, for the footer (may be empty)", default: Some("") };
const LISTEN: Question = Question { key: "listen", asks: "Listen on", default: Some("127.0.0.1:8080") };

/// Writes the configuration file; `database_url` is the global option's, when given.
pub fn run(args: InitArgs, database_url: Option<String>) -> anyhow::Result<()> {
    if args.out.exists() && !args.force {
        bail!("{} exists; give --force to replace it", args.out.display());
    }
    let mut asker = std::io::stdin().is_terminal().then(|| std::io::stdin().lock());
    let mut answer = |given: Option<String>, question: &Question| -> anyhow::Result<String> {
        if let Some(value) = given {
            return Ok(value.trim().to_owned());
        }
        match (&mut asker, question.default) {
            (Some(input), default) => ask(input, question, default),
            (None, Some(default)) => Ok(default.to_owned()),
            (None, None) => {
                bail!("--{} is required (or run syndic init on a terminal)", question.key.replace('_', "-"))
            }
        }
    };
    let name = answer(args.name, &NAME)?;
    let base_url = answer(args.base_url, &BASE_URL)?;
    let language = answer(args.language, &LANGUAGE)?;
    let timezone = answer(args.timezone, &TIMEZONE)?;
    let owner = answer(args.owner, &OWNER)?;
    let licence = answer(args.licence, &LICENCE)?;
    let listen = answer(args.listen, &LISTEN)?;
    let admin_token = token::generate("sya_");
    let database_url = database_url.unwrap_or_else(|| crate::config::DEFAULT_DATABASE_URL.to_owned());

    let mut file =
        String::from("# syndic configuration, written by `syndic init`. Every key is described in README.md.\n");
    for (key, value) in [("database_url", &database_url), ("listen", &listen), ("base_url", &base_url)] {
        file.push_str(&format!("{key} = {}\n", toml_string(value)));
    }
    file.push_str(&format!(
        "# Bearer token of the admin API; keep it secret.\nadmin_token = {}\n",
        toml_string(&admin_token)
    ));
    file.push_str("\n[site]\n");
    for (key, value) in [("name", &name), ("language", &language), ("timezone", &timezone)] {
        file.push_str(&format!("{key} = {}\n", toml_string(value)));
    }
    for (key, value) in [("owner", &owner), ("licence", &licence)] {
        if !value.is_empty() {
            file.push_str(&format!("{key} = {}\n", toml_string(value)));
        }
    }
    write_checked(&args.out, &file)?;
    println!("wrote {}", args.out.display());
    println!("admin token (shown only this once; it is in the file): {admin_token}");
    println!("next: syndic serve   (then add columns and outlets: syndic column add, syndic outlet add)");
    Ok(())
}

/// Asks `question` on the terminal until it gets an answer (the default, when there is
/// one, for an empty line).
fn ask(input: &mut impl BufRead, question: &Question, default: Option<&str>) -> anyhow::Result<String> {
    loop {
        match default {
            Some(default) if !default.is_empty() => eprint!("{} [{default}]: ", question.asks),
            _ => eprint!("{}: ", question.asks),
        }
        std::io::stderr().flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            bail!("no answer for {}", question.key);
        }
        match (line.trim(), default) {
            ("", Some(default)) => return Ok(default.to_owned()),
            ("", None) => eprintln!("an answer is needed"),
            (answer, _) => return Ok(answer.to_owned()),
        }
    }
}

/// A TOML basic string: a JSON string literal is one (the same escapes, UTF-8 as is).
fn toml_string(value: &str) -> String {
    serde_json::to_string(value).expect("a string serialises")
}

/// Writes `contents` beside `path`, loads it as `serve` would (so a bad answer is
/// refused naming its key, and nothing is left behind), then moves it into place,
/// readable by its owner only.
fn write_checked(path: &Path, contents: &str) -> anyhow::Result<()> {
    let partial = path.with_extension("toml.partial");
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
    }
    let loaded = Config::load(&Overrides { config_file: Some(partial.clone()), ..Overrides::default() });
    if let Err(error) = loaded {
        let _ = std::fs::remove_file(&partial);
        return Err(error.into());
    }
    std::fs::rename(&partial, path).with_context(|| format!("cannot move the file into {}", path.display()))?;
    Ok(())
}
