// Each target uses part of this module.
#![allow(dead_code)]

//! A fixed outlet and column tree for the fuzz targets.

use syndic::domain::column::{Column, ColumnTree};
use syndic::domain::{Indexing, Outlet, Slug};

pub fn outlet() -> Outlet {
    Outlet {
        id: 1,
        slug: Slug::parse("cjrb").unwrap(),
        name: "昌吉日报".into(),
        homepage: "http://www.cjxww.cn/".into(),
        language: Some("zh-CN".into()),
        timezone: chrono_tz::Asia::Shanghai,
        rights: None,
        indexing: Indexing::SelfCanonical,
        feed_url: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

pub fn columns() -> ColumnTree {
    ColumnTree::new(vec![Column {
        id: 1,
        slug: Slug::parse("party-96").unwrap(),
        title: "庆祝建党96周年".into(),
        description: None,
        parent_id: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }])
}

/// What no stored field may ever contain after sanitising.
pub fn assert_clean(html: &str) {
    let lower = html.to_ascii_lowercase();
    for forbidden in ["<script", "javascript:", "<iframe", "<object", "<embed", " onerror=", " onclick=", " onload="] {
        assert!(!lower.contains(forbidden), "{forbidden} survived sanitising: {html}");
    }
}
