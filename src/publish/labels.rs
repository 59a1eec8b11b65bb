//! Page labels in the site's language: Chinese for `zh*`, English otherwise.

/// Every fixed string a page shows.
#[derive(Debug)]
pub struct Labels {
    pub home: &'static str,
    pub columns: &'static str,
    pub latest: &'static str,
    pub sub_columns: &'static str,
    pub source: &'static str,
    /// The origin the outlet's page names (a wire agency, another paper), beside the outlet.
    pub credit: &'static str,
    pub author: &'static str,
    /// The responsible editor (责任编辑), named by real name.
    pub editor: &'static str,
    pub original_time: &'static str,
    pub reposted: &'static str,
    pub original_link: &'static str,
    /// The outlet's own title, beside an editor's.
    pub original_title: &'static str,
    pub rights: &'static str,
    pub feeds: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub page: &'static str,
    pub empty: &'static str,
    pub not_found: &'static str,
    pub outlet_articles: &'static str,
    /// Other outlets' copies of the same story (`domain::likeness`).
    pub also_published: &'static str,
    pub updated: &'static str,
    /// Withdrawn, by whom not recorded (before migration 0017).
    pub withdrawn: &'static str,
    pub withdrawn_by_outlet: &'static str,
    pub withdrawn_by_site: &'static str,
    /// Withdrawn when the repost right ended.
    pub expired: &'static str,
    pub search: &'static str,
    pub search_results: &'static str,
    /// How many were found: `{}` is the number.
    pub found: &'static str,
    pub no_results: &'static str,
    pub best_match: &'static str,
    pub newest_first: &'static str,
    /// A query that cannot be read, with what to type instead.
    pub search_refused: &'static str,
}

const ZH: Labels = Labels {
    home: "首页",
    columns: "栏目",
    latest: "最新转载",
    sub_columns: "子栏目",
    source: "来源",
    credit: "稿源",
    author: "作者",
    editor: "责任编辑",
    original_time: "原文发布时间",
    reposted: "转载时间",
    original_link: "原文链接",
    original_title: "原标题",
    rights: "版权",
    feeds: "订阅",
    newer: "上一页",
    older: "下一页",
    page: "第 {} 页",
    empty: "暂无文章。",
    not_found: "页面不存在",
    outlet_articles: "来自该媒体的文章",
    also_published: "同时刊发于",
    updated: "更新时间",
    withdrawn: "该文章已撤回",
    withdrawn_by_outlet: "该文章已被来源媒体撤回",
    withdrawn_by_site: "该文章已被本站撤回",
    expired: "该文章的转载授权已到期",
    search: "搜索",
    search_results: "搜索结果",
    found: "找到 {} 篇",
    no_results: "没有找到相关文章。",
    best_match: "按相关度",
    newest_first: "按时间",
    search_refused:
        "无法理解这个搜索。请输入词语（多个词用空格分开），短语请加引号，例如 \"幸福生活\"；词前加 - 表示排除。",
};

const EN: Labels = Labels {
    home: "Home",
    columns: "Columns",
    latest: "Latest",
    sub_columns: "Sub-columns",
    source: "Source",
    credit: "Via",
    author: "Author",
    editor: "Editor",
    original_time: "Originally published",
    reposted: "Reposted",
    original_link: "Original",
    original_title: "Original title",
    rights: "Rights",
    feeds: "Feeds",
    newer: "Newer",
    older: "Older",
    page: "Page {}",
    empty: "No articles yet.",
    not_found: "Page not found",
    outlet_articles: "Articles from this outlet",
    also_published: "Also published by",
    updated: "Updated",
    withdrawn: "This article was withdrawn",
    withdrawn_by_outlet: "This article was withdrawn by its outlet",
    withdrawn_by_site: "This article was withdrawn by this site",
    expired: "This article's repost right has expired",
    search: "Search",
    search_results: "Search results",
    found: "{} found",
    no_results: "Nothing found.",
    best_match: "Best match",
    newest_first: "Newest first",
    search_refused: "This search cannot be read. Type words separated by spaces, put a phrase in quotes, such as \"harvest festival\", and a - before a word to leave it out.",
};

/// The labels for a BCP 47 language tag.
pub fn for_language(language: &str) -> &'static Labels {
    if language.to_ascii_lowercase().starts_with("zh") {
        &ZH
    } else {
        &EN
    }
}

impl Labels {
    pub fn page_number(&self, n: i64) -> String {
        self.page.replace("{}", &n.to_string())
    }

    pub fn found_count(&self, n: usize) -> String {
        self.found.replace("{}", &n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_sites_get_chinese_labels_and_others_english() {
        assert_eq!(for_language("zh-CN").original_link, "原文链接");
        assert_eq!(for_language("zh-Hant-TW").source, "来源");
        assert_eq!(for_language("en").original_link, "Original");
        assert_eq!(for_language("ug").page_number(3), "Page 3");
    }
}
