//! The push API's JSON: bytes → `PushArticle` → validated, sanitised draft.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use syndic::ingest::push::{draft_from_push, PushArticle};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<PushArticle>(data) else { return };
    if let Ok(draft) = draft_from_push(input, &common::outlet(), &common::columns()) {
        for html in [&draft.summary, &draft.content_html].into_iter().flatten() {
            common::assert_clean(html);
        }
        assert!(draft.original_url.as_str().starts_with("http"));
    }
});
