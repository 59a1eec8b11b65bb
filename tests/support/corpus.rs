//! The feed corpus the tests read (`tests/corpus`, see its MANIFEST.md and the licences
//! beside each origin's files), or the one `SYNDIC_CORPUS` names. Its one large file, a
//! 30 MiB single-item feed, is not committed: it is written here the first time a test
//! asks for the corpus, from the same repeated paragraph it was made of.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The huge file's place in the corpus.
const HUGE_FILE: &str = "feeds/handmade/huge_single_item_30mb.xml";

/// How long the huge item's description is at least: 30 MiB.
const HUGE_DESCRIPTION_BYTES: usize = 30 * 1024 * 1024;

/// Written once per test binary, whichever of its tests asks first.
static HUGE_WRITTEN: OnceLock<()> = OnceLock::new();

/// The corpus folder, with its huge file in place.
pub fn dir() -> PathBuf {
    let dir = std::env::var_os("SYNDIC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"));
    HUGE_WRITTEN.get_or_init(|| {
        let huge = dir.join(HUGE_FILE);
        if !huge.exists() {
            write_huge_file(&dir, &huge);
        }
    });
    dir
}

/// Writes the huge feed in the corpus's top folder, outside every folder a test lists,
/// and moves it into place, so that no test (in this binary or another running at once)
/// ever reads half of it.
fn write_huge_file(dir: &Path, path: &Path) {
    let partial = dir.join(format!(".huge_single_item.{}.partial", std::process::id()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&partial).expect("the corpus folder is writable"));
    file.write_all(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>超大条目测试</title>\n\
         <link>http://www.example.cn/</link>\n<description>一个条目约30MB</description>\n<item>\n  <title>超大条目</title>\n  \
         <link>http://www.example.cn/huge/1.html</link>\n  <pubDate>Thu, 28 Jun 2018 11:00:00 +0800</pubDate>\n  \
         <description><![CDATA["
            .as_bytes(),
    )
    .unwrap();
    let mut written = 0;
    for n in 1.. {
        let paragraph = format!(
            "<p>第{n}段：本报讯 近日，我市召开专题会议，研究部署城市更新、民生保障、生态环境保护等重点工作。\
             会议强调，要坚持以人民为中心，扎实推进各项任务落实，确保取得实效。</p>\n"
        );
        file.write_all(paragraph.as_bytes()).unwrap();
        written += paragraph.len();
        if written >= HUGE_DESCRIPTION_BYTES {
            break;
        }
    }
    file.write_all(
        "]]></description>\n</item>\n<item>\n  <title>正常条目</title>\n  <link>http://www.example.cn/huge/2.html</link>\n  \
         <pubDate>Thu, 28 Jun 2018 12:00:00 +0800</pubDate>\n  <description>正常大小的正文。</description>\n</item>\n\
         </channel>\n</rss>\n"
            .as_bytes(),
    )
    .unwrap();
    file.into_inner().expect("the huge file is written").sync_all().unwrap();
    std::fs::rename(&partial, path).expect("the huge file is moved into place");
}
