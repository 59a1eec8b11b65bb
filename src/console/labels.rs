//! The console's fixed strings in Chinese and English: the site's language picks, a
//! user's own choice (`users.language`) overrides.

mod corrections;
mod newsroom;
mod review;

pub use corrections::CorrectionLabels;
pub use newsroom::NewsroomLabels;
pub use review::ReviewLabels;

use crate::domain::session::ConsoleLanguage;

/// Every fixed string the console shows.
#[derive(Debug)]
pub struct Labels {
    /// The `lang` attribute of the page.
    pub lang: &'static str,
    pub console: &'static str,
    /// The keyboard user's link past the header and navigation.
    pub skip_to_content: &'static str,
    pub sign_in: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_refused: &'static str,
    /// `{}`: minutes until the next try.
    pub login_throttled: &'static str,
    pub session_ended: &'static str,
    pub sign_out: &'static str,
    pub navigation: &'static str,
    pub dashboard: &'static str,
    pub articles: &'static str,
    pub quarantine: &'static str,
    pub columns: &'static str,
    pub outlets: &'static str,
    pub sources: &'static str,
    pub partners: &'static str,
    pub users: &'static str,
    pub audit: &'static str,
    pub account: &'static str,
    /// The dashboard's, the articles', the quarantine's and the audit log's.
    pub newsroom: NewsroomLabels,
    /// An article's corrections: the edit form, the original title, an outlet's correction.
    pub corrections: CorrectionLabels,
    /// The review queue's, and the review settings of outlets and sources.
    pub review: ReviewLabels,
    pub role_admin: &'static str,
    pub role_editor: &'static str,
    pub role_viewer: &'static str,
    pub language: &'static str,
    pub site_language: &'static str,
    pub save: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub password_rules: &'static str,
    pub saved: &'static str,
    pub password_changed: &'static str,
    pub sessions: &'static str,
    pub signed_in_at: &'static str,
    pub last_seen: &'static str,
    pub address: &'static str,
    pub browser: &'static str,
    pub this_session: &'static str,
    pub forbidden: &'static str,
    pub forbidden_text: &'static str,
    pub not_allowed_text: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub unreadable: &'static str,
    pub unreadable_text: &'static str,
}

const ZH: Labels = Labels {
    lang: "zh-CN",
    console: "管理后台",
    skip_to_content: "跳到正文",
    sign_in: "登录",
    username: "用户名",
    password: "密码",
    login_refused: "用户名或密码不正确。",
    login_throttled: "登录失败次数过多，请约 {} 分钟后再试。",
    session_ended: "会话已结束，请重新登录。",
    sign_out: "退出登录",
    navigation: "栏目导航",
    dashboard: "概览",
    articles: "文章",
    quarantine: "待审",
    columns: "栏目",
    outlets: "来源媒体",
    sources: "订阅源",
    partners: "合作方",
    users: "用户",
    audit: "操作记录",
    account: "我的账户",
    newsroom: newsroom::ZH,
    corrections: corrections::ZH,
    review: review::ZH,
    role_admin: "管理员",
    role_editor: "编辑",
    role_viewer: "只读",
    language: "界面语言",
    site_language: "跟随网站",
    save: "保存",
    change_password: "修改密码",
    current_password: "当前密码",
    new_password: "新密码",
    password_rules: "12 至 256 个字符。修改后其他设备上的登录将全部退出。",
    saved: "已保存。",
    password_changed: "密码已修改，其他会话已退出。",
    sessions: "登录会话",
    signed_in_at: "登录时间",
    last_seen: "最近活动",
    address: "地址",
    browser: "浏览器",
    this_session: "当前会话",
    forbidden: "请求被拒绝",
    forbidden_text: "表单已过期或来源不明，未做任何更改。请返回页面后重试。",
    not_allowed_text: "您的角色或负责的栏目不允许这项操作，未做任何更改。",
    not_found: "页面不存在",
    not_found_text: "后台没有这个页面。",
    unreadable: "无法处理的请求",
    unreadable_text: "这个请求的地址或表单内容无法读取（格式不对或过长），未做任何更改。请返回页面后重试。",
};

const EN: Labels = Labels {
    lang: "en",
    console: "Console",
    skip_to_content: "Skip to content",
    sign_in: "Sign in",
    username: "Username",
    password: "Password",
    login_refused: "Wrong username or password.",
    login_throttled: "Too many failed sign-ins; try again in about {} minutes.",
    session_ended: "Your session has ended; please sign in again.",
    sign_out: "Sign out",
    navigation: "Sections",
    dashboard: "Dashboard",
    articles: "Articles",
    quarantine: "Quarantine",
    columns: "Columns",
    outlets: "Outlets",
    sources: "Sources",
    partners: "Partners",
    users: "Users",
    audit: "Audit log",
    account: "My account",
    newsroom: newsroom::EN,
    corrections: corrections::EN,
    review: review::EN,
    role_admin: "admin",
    role_editor: "editor",
    role_viewer: "viewer",
    language: "Console language",
    site_language: "The site's",
    save: "Save",
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password",
    password_rules: "12 to 256 characters. Your other sessions are signed out.",
    saved: "Saved.",
    password_changed: "Password changed; your other sessions were signed out.",
    sessions: "Sessions",
    signed_in_at: "Signed in",
    last_seen: "Last seen",
    address: "Address",
    browser: "Browser",
    this_session: "this session",
    forbidden: "Request refused",
    forbidden_text: "The form had expired or came from elsewhere; nothing was changed. Go back and try again.",
    not_allowed_text: "Your role or your columns do not allow this; nothing was changed.",
    not_found: "Page not found",
    not_found_text: "The console has no such page.",
    unreadable: "Request not understood",
    unreadable_text: "This request's address or form could not be read (malformed or too long); nothing was changed. Go back and try again.",
};

/// The labels for a language.
pub fn for_language(language: ConsoleLanguage) -> &'static Labels {
    match language {
        ConsoleLanguage::Zh => &ZH,
        ConsoleLanguage::En => &EN,
    }
}

impl Labels {
    /// `template` with its `{}` replaced by `value`.
    pub fn fill(template: &str, value: impl std::fmt::Display) -> String {
        template.replacen("{}", &value.to_string(), 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_fills_its_own_templates() {
        assert_eq!(
            Labels::fill(for_language(ConsoleLanguage::Zh).login_throttled, 15),
            "登录失败次数过多，请约 15 分钟后再试。"
        );
        assert_eq!(Labels::fill(for_language(ConsoleLanguage::En).login_throttled, 15).matches("15").count(), 1);
    }
}
