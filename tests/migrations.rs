//! Applied migrations are never edited: every migration file is pinned by its SHA-384
//! in `migrations/applied.sha384` (the format of `sha384sum`, so `cd migrations &&
//! sha384sum -c applied.sha384` checks it too). sqlx refuses to start a database that
//! recorded another checksum for a migration, so an edit would lock out every database
//! migrated before it. A new migration appends its line; no line is ever changed.

use sha2::{Digest, Sha384};
use std::collections::BTreeMap;
use std::path::Path;

fn pinned() -> BTreeMap<String, String> {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/applied.sha384")).unwrap();
    list.lines()
        .map(|line| {
            let (checksum, file) = line.split_once("  ").expect("`CHECKSUM  FILE` lines");
            (file.to_owned(), checksum.to_owned())
        })
        .collect()
}

fn migration_files() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files = BTreeMap::new();
    for backend in ["sqlite", "postgres"] {
        for entry in std::fs::read_dir(root.join(backend)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "sql") {
                let checksum = hex::encode(Sha384::digest(std::fs::read(&path).unwrap()));
                files.insert(format!("{backend}/{}", path.file_name().unwrap().to_string_lossy()), checksum);
            }
        }
    }
    files
}

#[test]
fn no_migration_is_edited_and_every_one_is_pinned() {
    let pinned = pinned();
    let files = migration_files();
    for (file, checksum) in &files {
        match pinned.get(file) {
            None => panic!("migrations/{file} is new: append `{checksum}  {file}` to migrations/applied.sha384"),
            Some(pinned) => assert_eq!(
                pinned, checksum,
                "migrations/{file} was edited after it was applied: restore it and add a new migration instead"
            ),
        }
    }
    for file in pinned.keys() {
        assert!(files.contains_key(file), "migrations/{file} was applied and must stay");
    }
}

#[test]
fn both_backends_have_the_same_migrations() {
    let files = migration_files();
    let names = |backend: &str| -> Vec<String> {
        files.keys().filter_map(|f| f.strip_prefix(&format!("{backend}/")).map(str::to_owned)).collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
}
