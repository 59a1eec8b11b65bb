//! When the database cannot be opened, `syndic` says why in one line naming the file or
//! server, within its connect timeout, rather than retrying in silence (or in a screen of
//! pool errors) for half a minute.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Longer than any connect timeout here, so only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Runs `syndic migrate` against `database_url`; its stderr once it has exited (failing).
fn migrate_fails(database_url: &str, extra_env: &[(&str, &str)]) -> String {
    let child = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("migrate")
        .env("SYNDIC_DATABASE_URL", database_url)
        .env("RUST_LOG", "info")
        .envs(extra_env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (exited, exit) = mpsc::channel();
    std::thread::spawn(move || exited.send(child.wait_with_output().unwrap()));
    let output =
        exit.recv_timeout(HANG_GUARD).unwrap_or_else(|_| panic!("syndic migrate on {database_url} did not exit"));
    let (status, stderr) = (output.status, String::from_utf8(output.stderr).unwrap());
    assert!(!status.success(), "{database_url} should not open");
    stderr
}

/// The one line it printed: no pool errors, no colour codes.
fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line, not:\n{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no terminal colours in a pipe: {stderr:?}");
    lines[0]
}

#[test]
fn a_server_that_refuses_is_named() {
    // A port just freed: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let line = one_line(&migrate_fails(&format!("postgres://postgres@127.0.0.1:{port}/test"), &[])).to_owned();
    assert!(line.contains(&format!("connection refused at 127.0.0.1:{port}")), "{line}");
}

#[test]
fn a_server_that_never_answers_is_given_up_after_the_connect_timeout() {
    // Connections are accepted by the kernel, and never answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/test");
    let stderr = migrate_fails(&url, &[("SYNDIC_DATABASE_CONNECT_TIMEOUT_SECS", "1")]);
    let line = one_line(&stderr);
    assert!(line.contains(&format!("no answer from 127.0.0.1:{port} within 1s")), "{line}");
}

#[test]
fn a_read_only_database_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("syndic.db");
    let created = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("migrate")
        .env("SYNDIC_DATABASE_URL", format!("sqlite://{}", path.display()))
        .output()
        .unwrap();
    assert!(created.status.success());
    // Opened read-only, as a file without write permission is (permissions alone would
    // not stop root, which CI runs as).
    let line = one_line(&migrate_fails(&format!("sqlite://{}?mode=ro", path.display()), &[])).to_owned();
    assert!(line.contains(&format!("database file is read-only: {}", path.display())), "{line}");
}

#[test]
fn a_database_file_in_a_missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing/syndic.db");
    let line = one_line(&migrate_fails(&format!("sqlite://{}", path.display()), &[])).to_owned();
    assert!(line.contains(&format!("cannot open database file: {}", path.display())), "{line}");
}
