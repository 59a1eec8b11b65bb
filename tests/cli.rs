//! The `syndic` binary's catalog commands, run as a user would, against a SQLite file.

use std::process::{Command, Output};

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli { dir: tempfile::tempdir().unwrap() }
    }

    fn run(&self, args: &[&str]) -> Output {
        let database = format!("sqlite://{}", self.dir.path().join("cli.db").display());
        Command::new(env!("CARGO_BIN_EXE_syndic"))
            .args(args)
            .env("SYNDIC_DATABASE_URL", database)
            .env("SYNDIC_FETCH_ALLOW", "127.0.0.0/8")
            .env("RUST_LOG", "warn")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "{args:?} should fail");
        String::from_utf8(output.stderr).unwrap()
    }
}

#[test]
fn columns_are_managed_from_the_command_line() {
    let cli = Cli::new();
    cli.ok(&["migrate"]);
    cli.ok(&["column", "add", "--slug", "zhuanti", "--title", "专题栏目"]);
    cli.ok(&["column", "add", "--slug", "party-96", "--title", "庆祝建党96周年", "--parent", "zhuanti"]);
    cli.ok(&["column", "add", "--slug", "english", "--title", "English"]);
    assert_eq!(cli.ok(&["column", "list"]), "zhuanti\t专题栏目\n  party-96\t庆祝建党96周年\nenglish\tEnglish\n");

    cli.ok(&["column", "edit", "party-96", "--parent", "english", "--title", "Party"]);
    assert!(cli.ok(&["column", "list"]).contains("english\tEnglish\n  party-96\tParty\n"));
    assert!(cli.fails(&["column", "remove", "english"]).contains("sub-column"));
    cli.ok(&["column", "edit", "party-96", "--root"]);
    cli.ok(&["column", "add", "--slug", "wire", "--title", "通稿", "--hide-duplicates"]);
    cli.ok(&["column", "edit", "wire", "--show-duplicates"]);
    let log = cli.ok(&["audit", "--target", "column:wire", "--json"]);
    let entries: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries[1]["after"]["hide_duplicates"], true, "{log}");
    assert_eq!(
        (&entries[0]["before"]["hide_duplicates"], &entries[0]["after"]["hide_duplicates"]),
        (&true.into(), &false.into()),
        "{log}"
    );
    assert!(cli
        .fails(&["column", "edit", "wire", "--hide-duplicates", "--show-duplicates"])
        .contains("--show-duplicates"));
    cli.ok(&["column", "remove", "english"]);
    assert!(!cli.ok(&["column", "list"]).contains("english"));

    // What was not found is named as the user typed it.
    assert!(cli.fails(&["column", "edit", "nope", "--title", "x"]).contains("column 'nope' not found"));
    assert!(cli.fails(&["outlet", "token", "nope"]).contains("outlet 'nope' not found"));
    assert!(cli.fails(&["source", "remove", "99"]).contains("source 99 not found"));

    let error = cli.fails(&["column", "add", "--slug", "Bad Slug", "--title", "x"]);
    assert!(error.contains("slug"), "{error}");
}

#[test]
fn outlets_are_managed_from_the_command_line_and_their_token_shown_once() {
    let cli = Cli::new();
    let added = cli.ok(&[
        "outlet",
        "add",
        "--slug",
        "cjrb",
        "--name",
        "昌吉日报",
        "--homepage",
        "http://www.cjxww.cn/",
        "--timezone",
        "Asia/Shanghai",
        "--indexing",
        "original",
    ]);
    assert!(added.contains("ingest token (shown only now): syo_"), "{added}");
    let listed = cli.ok(&["outlet", "list"]);
    assert_eq!(listed, "cjrb\t昌吉日报\thttp://www.cjxww.cn/\tAsia/Shanghai\toriginal\tcjxww.cn\n");
    assert!(!listed.contains("syo_"));

    cli.ok(&["outlet", "edit", "cjrb", "--indexing", "self", "--rights", "版权所有"]);
    assert!(cli.ok(&["outlet", "list"]).ends_with("\tself\tcjxww.cn\n"));
    cli.ok(&["outlet", "edit", "cjrb", "--domain", "cjxww.cn", "--domain", "CJRB.cn."]);
    assert!(cli.ok(&["outlet", "list"]).ends_with("\tcjxww.cn,cjrb.cn\n"));
    cli.ok(&["outlet", "edit", "cjrb", "--domain", "any"]);
    assert!(cli.ok(&["outlet", "list"]).ends_with("\tany\n"));
    assert!(cli.ok(&["outlet", "token", "cjrb"]).contains("syo_"));

    cli.ok(&["outlet", "edit", "cjrb", "--keep-images"]);
    let edit = cli.ok(&["audit", "--target", "outlet:cjrb", "--action", "outlet.edit", "--limit", "1", "--json"]);
    let edit: serde_json::Value = serde_json::from_str(&edit).unwrap();
    assert_eq!(
        (&edit["before"]["keep_images"], &edit["after"]["keep_images"]),
        (&false.into(), &true.into()),
        "{edit}"
    );
    assert!(cli.fails(&["outlet", "edit", "cjrb", "--keep-images", "--no-keep-images"]).contains("--no-keep-images"));

    let error =
        cli.fails(&["outlet", "add", "--slug", "x", "--name", "X", "--homepage", "ftp://x", "--timezone", "Mars"]);
    assert!(error.contains("homepage") && error.contains("timezone"), "{error}");
}

#[test]
fn a_feed_file_is_imported_from_the_command_line() {
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "local", "--title", "本地新闻"]);
    cli.ok(&[
        "outlet",
        "add",
        "--slug",
        "cjrb",
        "--name",
        "昌吉日报",
        "--homepage",
        "http://www.cjxww.cn/",
        "--timezone",
        "Asia/Shanghai",
    ]);
    let feed = cli.dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>t</title><link>http://www.cjxww.cn/</link>\
         <item><title>一</title><link>/a?id=1</link><pubDate>2018-06-28 11:39:20</pubDate></item>\
         <item><title>二</title><link>/a?id=2</link></item></channel></rss>",
    )
    .unwrap();
    let output = cli.ok(&["import", "--outlet", "cjrb", "--column", "local", feed.to_str().unwrap()]);
    assert!(output.ends_with("2 items: 2 new, 0 updated, 0 unchanged, 0 refused, 0 held in quarantine\n"), "{output}");
    let again = cli.ok(&["import", "--outlet", "cjrb", "--column", "local", feed.to_str().unwrap()]);
    assert!(
        again.ends_with("2 items: 0 new, 0 updated, 2 unchanged, 0 refused, 0 held in quarantine\n"),
        "re-importing changes nothing: {again}"
    );
    assert!(cli
        .fails(&["import", "--outlet", "cjrb", "--column", "nope", feed.to_str().unwrap()])
        .contains("unknown column"));

    // Refusals are listed one by one while few, then counted by reason.
    let items: String = (0..30)
        .map(|n| format!("<item><title>外{n}</title><link>http://elsewhere.example/{n}</link></item>"))
        .collect();
    std::fs::write(&feed, format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>")).unwrap();
    let refused = cli.ok(&["import", "--outlet", "cjrb", "--column", "local", feed.to_str().unwrap()]);
    let lines: Vec<&str> = refused.lines().collect();
    assert!(lines[0].starts_with("30 items: 0 new, 0 updated, 0 unchanged, 30 refused"), "{refused}");
    assert_eq!(lines.len(), 2, "one line per reason: {refused}");
    assert!(lines[1].starts_with("  refused 30: ") && lines[1].contains("domains"), "{refused}");
}

#[test]
fn sources_are_managed_from_the_command_line() {
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "local", "--title", "本地新闻"]);
    cli.ok(&["column", "add", "--slug", "party", "--title", "党建"]);
    cli.ok(&["outlet", "add", "--slug", "cjrb", "--name", "昌吉日报", "--homepage", "http://www.cjxww.cn/"]);
    // An address the fetch guard would refuse at every poll is refused at once.
    let internal =
        cli.fails(&["source", "add", "--outlet", "cjrb", "--url", "http://10.1.2.3/rss.xml", "--column", "local"]);
    assert!(internal.contains("10.1.2.3 is an internal address"), "{internal}");
    let added = cli.ok(&[
        "source",
        "add",
        "--outlet",
        "cjrb",
        "--url",
        "http://127.0.0.1:9/rss.xml",
        "--column",
        "local",
        "--route",
        "keyword:木垒:party",
        "--include",
        "昌吉",
    ]);
    assert!(added.starts_with("source 1 added"), "{added}");
    let listed = cli.ok(&["source", "list"]);
    assert!(listed.contains("http://127.0.0.1:9/rss.xml"), "{listed}");
    cli.ok(&["source", "edit", "1", "--interval", "3600", "--route", "category:基层党建:party", "--exclude", "广告"]);
    assert!(cli.fails(&["source", "edit", "1", "--route", "tag:x:party"]).contains("routes"));
    let polled = cli.ok(&["source", "poll", "1"]);
    assert!(polled.contains("source 1 failed"), "{polled}");
    let listed = cli.ok(&["source", "list"]);
    assert!(listed.contains("failures=1") && listed.contains("error="), "{listed}");
    cli.ok(&["source", "remove", "1"]);
    assert_eq!(cli.ok(&["source", "list"]), "");
}

#[test]
fn held_articles_are_listed_with_their_titles() {
    let cli = Cli::new();
    assert_eq!(cli.ok(&["quarantine", "list"]), "nothing held\n");
    cli.ok(&["column", "add", "--slug", "local", "--title", "本地新闻"]);
    cli.ok(&["outlet", "add", "--slug", "cjrb", "--name", "昌吉日报", "--homepage", "http://www.cjxww.cn/"]);
    let feed = cli.dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>t</title>\
         <item><title>赛事竞猜 bet365</title><link>http://www.cjxww.cn/a</link></item></channel></rss>",
    )
    .unwrap();
    let imported = cli.ok(&[
        "import",
        "--outlet",
        "cjrb",
        "--column",
        "local",
        "--blocked-terms",
        "bet365",
        feed.to_str().unwrap(),
    ]);
    assert!(imported.contains("1 held in quarantine"), "{imported}");
    let held = cli.ok(&["quarantine", "list"]);
    assert!(held.starts_with("1\tcjrb\t赛事竞猜 bet365\thttp://www.cjxww.cn/a\t"), "{held}");
}

#[test]
fn the_search_index_is_rebuilt_from_the_command_line_beside_the_database() {
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "local", "--title", "本地新闻"]);
    cli.ok(&["outlet", "add", "--slug", "cjrb", "--name", "昌吉日报", "--homepage", "http://www.cjxww.cn/"]);
    let feed = cli.dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>t</title><link>http://www.cjxww.cn/</link>\
         <item><title>做带领群众奔向幸福生活的头雁</title><link>/a?id=1</link></item>\
         <item><title>二</title><link>/a?id=2</link></item></channel></rss>",
    )
    .unwrap();
    cli.ok(&["import", "--outlet", "cjrb", "--column", "local", feed.to_str().unwrap()]);
    let output = cli.ok(&["search", "reindex"]);
    let dir = cli.dir.path().join("cli.db.search");
    assert!(output.starts_with("indexed 2 articles ("), "{output}");
    assert!(output.contains(&format!(" into {} in ", dir.display())), "{output}");
    assert!(dir.join("meta.json").is_file(), "the index is beside the database");
    let elsewhere = cli.dir.path().join("index");
    let output = cli.ok(&["search", "reindex", "--search-dir", elsewhere.to_str().unwrap()]);
    assert!(output.starts_with("indexed 2 articles ("), "{output}");
    assert!(elsewhere.join("meta.json").is_file());
}

#[test]
fn options_are_offered_where_they_apply_and_each_says_what_it_does() {
    let cli = Cli::new();
    let partner = cli.ok(&["partner", "add", "--help"]);
    assert!(!partner.contains("--blocked-domains") && !partner.contains("--fetch-allow"), "{partner}");
    for command in [&["serve", "--help"][..], &["import", "--help"], &["source", "poll", "--help"]] {
        let help = cli.ok(command);
        assert!(help.contains("--blocked-domains") && help.contains("--fetch-allow"), "{command:?}: {help}");
    }
    // Every option and argument has a description on the line after it.
    let commands: &[&[&str]] = &[
        &["init"],
        &["serve"],
        &["column", "add"],
        &["column", "edit"],
        &["outlet", "add"],
        &["outlet", "edit"],
        &["outlet", "revoke"],
        &["source", "add"],
        &["source", "edit"],
        &["source", "preview"],
        &["quarantine", "release"],
        &["partner", "add"],
        &["partner", "revoke"],
        &["audit"],
        &["search", "reindex"],
        &["import"],
        &["sitemap"],
        &["backup"],
        &["restore"],
        &["transfer"],
    ];
    for command in commands {
        let help = cli.ok(&[command, &["--help"][..]].concat());
        let lines: Vec<&str> = help.lines().collect();
        let mut checked = 0;
        for (i, line) in lines.iter().enumerate() {
            let entry = line.trim_start();
            let indent = line.len() - entry.len();
            // An option or argument heads its entry; its description follows on the same
            // line (after two spaces) or on the next.
            if (2..=6).contains(&indent) && (entry.starts_with('-') || entry.starts_with('<')) {
                let described = entry.split_once("  ").is_some_and(|(_, text)| !text.trim().is_empty())
                    || lines.get(i + 1).is_some_and(|next| !next.trim().is_empty());
                assert!(described, "{command:?}: {entry} has no description");
                checked += 1;
            }
        }
        assert!(checked >= 2, "{command:?}: no options found in\n{help}");
    }
}

#[test]
fn partners_are_managed_from_the_command_line() {
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "news", "--title", "新闻"]);
    let created = cli.ok(&["partner", "add", "--name", "邻市新闻网", "--column", "news"]);
    assert!(created.contains("read token (shown only now): syp_"), "{created}");
    let listed = cli.ok(&["partner", "list"]);
    assert!(listed.contains("邻市新闻网\tnews\tactive"), "{listed}");
    assert!(!listed.contains("syp_"), "tokens are shown once");
    assert!(cli.fails(&["partner", "add", "--name", "x", "--column", "nope"]).contains("unknown column 'nope'"));
    cli.ok(&["partner", "revoke", "1"]);
    assert!(cli.ok(&["partner", "list"]).contains("\trevoked"));
    assert!(cli.fails(&["partner", "revoke", "99"]).contains("not found"));
}

#[test]
fn the_sitemap_set_is_exported_for_static_hosting() {
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "local", "--title", "本地新闻"]);
    cli.ok(&["outlet", "add", "--slug", "cjrb", "--name", "昌吉日报", "--homepage", "http://www.cjxww.cn/"]);
    let items: String = (1..=3)
        .map(|n| {
            format!("<item><title>第{n}篇</title><link>/a?id={n}</link><pubDate>2018-06-28 11:39:20</pubDate></item>")
        })
        .collect();
    let feed = cli.dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        format!(
            "<rss version=\"2.0\"><channel><title>t</title><link>http://www.cjxww.cn/</link>{items}</channel></rss>"
        ),
    )
    .unwrap();
    // Structured logs: every line on stderr is one JSON object.
    let import = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["--log-format", "json", "import", "--outlet", "cjrb", "--column", "local", feed.to_str().unwrap()])
        .env("SYNDIC_DATABASE_URL", format!("sqlite://{}", cli.dir.path().join("cli.db").display()))
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(import.status.success());
    let logs = String::from_utf8(import.stderr).unwrap();
    assert!(logs.lines().count() >= 3, "{logs}");
    for line in logs.lines() {
        let object: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(object["level"].is_string() && object["message"].is_string(), "{line}");
    }

    let out = cli.dir.path().join("public");
    let summary = cli.ok(&["sitemap", "--out", out.to_str().unwrap(), "--base-url", "https://portal.example.cn"]);
    assert!(summary.starts_with("3 URLs in 3 files"), "{summary}");
    let index = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(index.contains("<loc>https://portal.example.cn/sitemaps/pages.xml</loc>"), "{index}");
    assert!(index.contains("<loc>https://portal.example.cn/sitemaps/articles-0.xml</loc>"), "{index}");
    let pages = std::fs::read_to_string(out.join("sitemaps/pages.xml")).unwrap();
    assert!(pages.contains("<loc>https://portal.example.cn/columns/local</loc>"), "{pages}");
    let shard = std::fs::read_to_string(out.join("sitemaps/articles-0.xml")).unwrap();
    assert_eq!(shard.matches("<url>").count(), 3);
    assert!(shard.contains("<loc>https://portal.example.cn/articles/3</loc>"), "{shard}");

    let zipped = cli.dir.path().join("zipped");
    cli.ok(&["sitemap", "--out", zipped.to_str().unwrap(), "--gzip", "--base-url", "https://portal.example.cn"]);
    let index = std::fs::read_to_string(zipped.join("sitemap.xml")).unwrap();
    assert!(index.contains("/sitemaps/articles-0.xml.gz</loc>"), "{index}");
    let mut unzipped = String::new();
    let file = std::fs::File::open(zipped.join("sitemaps/articles-0.xml.gz")).unwrap();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(file), &mut unzipped).unwrap();
    assert_eq!(unzipped, shard, "the same document, compressed");
}

#[test]
fn init_writes_a_configuration_serve_reads() {
    let cli = Cli::new();
    let error = cli.fails(&["init"]);
    assert!(error.contains("--name is required"), "{error}");
    let output = cli.ok(&[
        "init",
        "--name",
        "昌吉\"新闻\"网",
        "--base-url",
        "https://news.example.cn/",
        "--licence",
        "新ICP备00000000号",
    ]);
    let token =
        output.lines().find_map(|l| l.split("this once; it is in the file): ").nth(1)).expect("the token").to_owned();
    assert!(token.starts_with("sya_") && token.len() == 68, "{output}");
    let path = cli.dir.path().join("syndic.toml");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("name = \"昌吉\\\"新闻\\\"网\""), "{written}");
    assert!(written.contains("timezone = \"Asia/Shanghai\""), "{written}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "the admin token is in it");
    assert!(!cli.dir.path().join("cli.db").exists(), "init opens no database");

    let again = cli.fails(&["init", "--name", "x", "--base-url", "https://x.example"]);
    assert!(again.contains("--force"), "{again}");
    let refused =
        cli.fails(&["init", "--force", "--name", "x", "--base-url", "https://x.example", "--timezone", "Mars/Olympus"]);
    assert!(refused.contains("timezone"), "{refused}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written, "a refused answer changes nothing");

    // The other commands read it from the working directory, as serve does.
    cli.ok(&["sitemap", "--out", "export"]);
    let index = std::fs::read_to_string(cli.dir.path().join("export/sitemap.xml")).unwrap();
    assert!(index.contains("<loc>https://news.example.cn/sitemaps/pages.xml</loc>"), "{index}");
}

#[test]
fn the_audit_log_is_read_from_the_command_line_and_its_changes_are_the_clis() {
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "zhuanti", "--title", "专题"]);
    cli.ok(&["column", "edit", "zhuanti", "--title", "专题栏目"]);
    assert!(cli.fails(&["column", "add", "--slug", "zhuanti", "--title", "again"]).contains("already exists"));
    let added =
        cli.ok(&["outlet", "add", "--slug", "cjrb", "--name", "昌吉日报", "--homepage", "http://www.cjxww.cn/"]);
    let token = added.split_whitespace().find(|w| w.starts_with("syo_")).expect("a token").to_owned();

    // Tab-separated, newest first: id, at, actor, action, target, before, after.
    let listed = cli.ok(&["audit"]);
    let lines: Vec<Vec<&str>> = listed.lines().map(|l| l.split('\t').collect()).collect();
    let summary: Vec<(&str, &str, &str)> = lines.iter().map(|f| (f[2], f[3], f[4])).collect();
    assert_eq!(
        summary,
        [
            ("cli", "outlet.add", "outlet:cjrb"),
            ("cli", "column.edit", "column:zhuanti"),
            ("cli", "column.add", "column:zhuanti")
        ],
        "the refused add left no entry:\n{listed}"
    );
    assert!(lines.iter().all(|f| f.len() == 7), "{listed}");
    assert_eq!((lines[1][5], lines[1][6]), (r#"{"title":"专题"}"#, r#"{"title":"专题栏目"}"#));
    assert_eq!(lines[2][5], "-", "an addition has no before");
    assert!(!listed.contains(&token), "the token is never recorded");

    // Filters, a limit and JSON lines.
    let edits = cli.ok(&["audit", "--target", "column:zhuanti", "--action", "column.edit", "--json"]);
    let entries: Vec<serde_json::Value> = edits.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 1, "{edits}");
    assert_eq!(entries[0]["after"], serde_json::json!({"title": "专题栏目"}));
    assert_eq!(entries[0]["actor"], "cli");
    assert_eq!(cli.ok(&["audit", "--limit", "1"]).lines().count(), 1);
    assert_eq!(cli.ok(&["audit", "--actor", "admin-token"]), "");
    assert_eq!(cli.ok(&["audit", "--since", "2999-01-01T00:00:00Z"]), "");
    assert!(cli.fails(&["audit", "--since", "yesterday"]).contains("--since"));
    assert!(cli.fails(&["audit", "--action", "column.delete"]).contains("column.delete"));
}

#[test]
fn columns_keep_titles_strict_when_told_and_free_them_again() {
    let cli = Cli::new();
    cli.ok(&["migrate"]);
    cli.ok(&["column", "add", "--slug", "news", "--title", "要闻", "--strict-titles"]);
    cli.ok(&["column", "edit", "news", "--free-titles"]);
    cli.ok(&["column", "edit", "news", "--strict-titles"]);
    assert!(cli.fails(&["column", "edit", "news", "--strict-titles", "--free-titles"]).contains("cannot be used"));
    let log = cli.ok(&["audit", "--target", "column:news", "--json"]);
    let entries: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let strict: Vec<_> = entries.iter().rev().map(|e| e["after"]["strict_titles"].clone()).collect();
    assert_eq!(strict, [serde_json::json!(true), serde_json::json!(false), serde_json::json!(true)]);
}

#[test]
fn outlets_are_licensed_from_the_source_list_and_those_left_off_it_unlicensed() {
    use serde_json::json;
    let cli = Cli::new();
    cli.ok(&["migrate"]);
    cli.ok(&["outlet", "add", "--slug", "cjrb", "--name", "昌吉日报", "--homepage", "http://www.cjxww.cn/"]);
    cli.ok(&["outlet", "add", "--slug", "xjdaily", "--name", "新疆日报", "--homepage", "https://www.xjdaily.com/"]);
    cli.ok(&["outlet", "add", "--slug", "nwwire", "--name", "Northwest Wire", "--homepage", "https://nw.example.org/"]);
    cli.ok(&["outlet", "edit", "nwwire", "--licensed", "--licence-ref", "2016"]);
    cli.ok(&["column", "add", "--slug", "news", "--title", "要闻", "--licensed-only"]);

    let list = cli.dir.path().join("list.txt");
    std::fs::write(&list, "# 稿源单位名单\n\n昌吉日报\r\n  www.xjdaily.com  \n人民日报\n").unwrap();
    let report = cli.ok(&["outlet", "licensed", "--from", list.to_str().unwrap()]);
    assert!(report.contains("matched\t昌吉日报\tcjrb\n"), "{report}");
    assert!(report.contains("matched\twww.xjdaily.com\txjdaily\n"), "by a domain: {report}");
    assert!(report.contains("not matched\t人民日报\n"), "{report}");
    assert!(report.contains("no longer on the list (un-licensed)\tnwwire\n"), "{report}");
    assert!(report.ends_with("2 matched, 1 not matched, 1 un-licensed\n"), "{report}");

    let edits = cli.ok(&["audit", "--action", "outlet.edit", "--json"]);
    let entries: Vec<serde_json::Value> = edits.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let change = |slug: &str| {
        let entry = entries.iter().find(|e| e["target"] == format!("outlet:{slug}")).expect(slug);
        (entry["before"]["licensed"].clone(), entry["after"]["licensed"].clone())
    };
    assert_eq!(change("cjrb"), (serde_json::json!(false), serde_json::json!(true)));
    assert_eq!(change("xjdaily"), (serde_json::json!(false), serde_json::json!(true)));
    assert_eq!(entries.iter().filter(|e| e["target"] == "outlet:nwwire").count(), 2, "licensed, then un-licensed");
    let listed: Vec<_> =
        entries.iter().filter(|e| e["target"] == "outlet:cjrb" || e["target"] == "outlet:xjdaily").collect();
    assert_eq!(listed.len(), 2, "{edits}");
    assert!(listed.iter().all(|e| e["after"].get("licence_ref").is_none()), "no --ref, no licence_ref: {edits}");

    // With --ref, every outlet on the list records the edition it was checked against,
    // those already licensed included; an outlet off the list keeps its own.
    let list_path = list.to_str().unwrap();
    let report = cli.ok(&["outlet", "licensed", "--from", list_path, "--ref", " 2024年版 "]);
    assert!(report.ends_with("2 matched, 1 not matched, 0 un-licensed\n"), "{report}");
    let newest = |slug: &str| -> serde_json::Value {
        let edits = cli.ok(&["audit", "--target", &format!("outlet:{slug}"), "--limit", "1", "--json"]);
        serde_json::from_str(edits.trim()).unwrap()
    };
    let cjrb = newest("cjrb");
    assert_eq!((&cjrb["before"]["licence_ref"], &cjrb["after"]["licence_ref"]), (&json!(null), &json!("2024年版")));
    assert_eq!(newest("xjdaily")["after"], json!({"licence_ref": "2024年版"}));
    assert_eq!(newest("nwwire")["after"], json!({"licensed": false}), "off the list: untouched");
    let again = cli.ok(&["outlet", "licensed", "--from", list_path, "--ref", "2024年版"]);
    let edits_now = cli.ok(&["audit", "--action", "outlet.edit"]).lines().count();
    assert_eq!(edits_now, entries.len() + 2, "the same edition again changes nothing: {again}");
    let refused = cli.fails(&["outlet", "licensed", "--from", list_path, "--ref", &"版".repeat(2001)]);
    assert!(refused.contains("licence_ref"), "{refused}");

    std::fs::write(&list, [0xff, 0xfe, 0x00].as_slice()).unwrap();
    assert!(cli.fails(&["outlet", "licensed", "--from", list.to_str().unwrap()]).contains("UTF-8"));
}

/// Serves `pages` (path → HTML) on loopback from a thread, for as long as the test runs;
/// its base URL.
fn serve_pages(pages: Vec<(&'static str, String)>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap_or_default();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/");
            let answer = match pages.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
            };
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    base
}

#[test]
fn html_sources_are_previewed_and_added_from_the_command_line() {
    let paragraph =
        "<p>春耕备耕工作有序推进，各地农民抢抓农时，田间地头一派繁忙景象，农业技术人员深入一线指导生产。</p>";
    let article = format!(
        "<html><head><meta charset=\"utf-8\"><title>春耕备耕忙 - 县融媒体中心</title></head><body>\
         <div class=\"article\"><h1>春耕备耕忙</h1><div class=\"info\">发布时间：2024-03-05 09:30 来源：新华社 作者：王磊</div>\
         <div class=\"content\">{}</div></div></body></html>",
        paragraph.repeat(6)
    );
    let list = "<html><head><meta charset=\"utf-8\"></head><body><ul class=\"news\"><li><a href=\"/news/1.html\">春耕备耕忙</a></li></ul></body></html>";
    let base = serve_pages(vec![("/list.html", list.to_owned()), ("/news/1.html", article)]);
    let cli = Cli::new();
    cli.ok(&["column", "add", "--slug", "local", "--title", "本地新闻"]);
    cli.ok(&[
        "outlet",
        "add",
        "--slug",
        "xian",
        "--name",
        "县融媒体中心",
        "--homepage",
        &format!("{base}/"),
        "--timezone",
        "Asia/Shanghai",
    ]);
    let list_url = format!("{base}/list.html");

    let preview =
        cli.ok(&["source", "preview", &list_url, "--kind", "html", "--rule", "links=.news a", "--outlet", "xian"]);
    assert!(preview.starts_with(&format!("1 found at {list_url}; 1 read")), "{preview}");
    assert!(preview.contains("1. 春耕备耕忙") && preview.contains("credit: 新华社"), "{preview}");
    assert!(preview.contains("published: 2024-03-05T01:30:00Z"), "in the outlet's zone: {preview}");
    assert_eq!(cli.ok(&["source", "list"]), "", "a preview stores nothing");

    let rules = cli.dir.path().join("rules.json");
    std::fs::write(&rules, r#"{"links": ".news a", "title": "h1"}"#).unwrap();
    let refused = cli.fails(&[
        "source",
        "add",
        "--outlet",
        "xian",
        "--url",
        &list_url,
        "--column",
        "local",
        "--full-text",
        "--kind",
        "html",
    ]);
    assert!(refused.contains("full_text"), "{refused}");
    let added = cli.ok(&[
        "source",
        "add",
        "--outlet",
        "xian",
        "--url",
        &list_url,
        "--column",
        "local",
        "--kind",
        "html",
        "--rules-file",
        rules.to_str().unwrap(),
        "--rule",
        "content=.content",
    ]);
    assert!(added.starts_with("source 1 added"), "{added}");
    let polled = cli.ok(&["source", "poll", "1"]);
    assert!(polled.contains("1 seen, 1 new"), "{polled}");
    let bad = cli.fails(&["source", "preview", &list_url, "--kind", "html", "--rule", "nonsense"]);
    assert!(bad.contains("NAME=VALUE"), "{bad}");
}
