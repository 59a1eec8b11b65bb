//! The strings of an article's corrections in the console: the edit form, the original
//! title, and an outlet's correction after an edit with its two resolutions.

/// Every fixed string of the corrections the console shows.
#[derive(Debug)]
pub struct CorrectionLabels {
    pub edit: &'static str,
    pub edit_hint: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub summary: &'static str,
    pub summary_hint: &'static str,
    pub content: &'static str,
    pub content_hint: &'static str,
    pub image_url: &'static str,
    pub image_caption: &'static str,
    pub save: &'static str,
    /// The article changed since the edit form was opened: nothing was saved.
    pub changed_since: &'static str,
    /// The outlet's own title (原标题), beside an edited one.
    pub original_title: &'static str,
    pub edited: &'static str,
    pub edited_by: &'static str,
    /// The flag, as a badge and a filter.
    pub outlet_corrected: &'static str,
    pub outlet_corrected_only: &'static str,
    pub outlet_corrected_hint: &'static str,
    pub take_outlet: &'static str,
    pub take_edit: &'static str,
    pub nothing_to_resolve: &'static str,
    pub done_edited: &'static str,
    pub done_took_outlet: &'static str,
    pub done_kept_edit: &'static str,
}

pub(super) const ZH: CorrectionLabels = CorrectionLabels {
    edit: "修改稿件",
    edit_hint: "来源的原稿保留不变，原标题在页面和订阅中照常显示；每处修改记入审计日志。",
    title: "标题",
    subtitle: "副标题（系列）",
    summary: "摘要",
    summary_hint: "HTML，与推送的稿件一样净化。",
    content: "正文（HTML）",
    content_hint: "HTML：脚本、事件属性、隐藏内容和 javascript: 链接会被去除，与推送的稿件一样。",
    image_url: "图片地址",
    image_caption: "图片说明",
    save: "保存修改",
    changed_since: "打开此表单后稿件已有变化（例如来源更正了原稿），未保存任何修改：请重新加载页面后再修改。",
    original_title: "原标题",
    edited: "编辑已修改",
    edited_by: "修改人",
    outlet_corrected: "来源已更正",
    outlet_corrected_only: "只看修改后来源又更正的稿件",
    outlet_corrected_hint: "编辑修改后，来源媒体又更新了原稿。页面仍显示编辑修改的版本，直到有编辑决定显示哪一版。",
    take_outlet: "采用来源更正稿",
    take_edit: "保留编辑修改",
    nothing_to_resolve: "来源没有在编辑修改后更正这篇稿件，无需处理。",
    done_edited: "修改已保存。",
    done_took_outlet: "已采用来源的更正稿，编辑修改已撤销。",
    done_kept_edit: "已保留编辑修改。",
};

pub(super) const EN: CorrectionLabels = CorrectionLabels {
    edit: "Edit the article",
    edit_hint: "The outlet's version is kept, and its original title shown on the page and in feeds; each change is \
        recorded in the audit log.",
    title: "Title",
    subtitle: "Subtitle (series)",
    summary: "Summary",
    summary_hint: "HTML, sanitised as a pushed article's is.",
    content: "Content (HTML)",
    content_hint: "HTML: scripts, event attributes, hidden elements and javascript: links are removed, as from a \
        pushed article.",
    image_url: "Image address",
    image_caption: "Image caption",
    save: "Save changes",
    changed_since: "The article changed since you opened this form (its outlet may have corrected it): nothing was \
        saved. Reload the page and make your changes again.",
    original_title: "Original title",
    edited: "Edited",
    edited_by: "Edited by",
    outlet_corrected: "Corrected by outlet",
    outlet_corrected_only: "Only articles their outlet corrected after an edit",
    outlet_corrected_hint: "Its outlet changed the article after an editor's edit. The edited version goes on showing \
        until an editor decides which one shows.",
    take_outlet: "Show the outlet's version",
    take_edit: "Keep the edit",
    nothing_to_resolve: "Its outlet has not corrected this article since an edit: there is nothing to decide.",
    done_edited: "Changes saved.",
    done_took_outlet: "The outlet's corrected version shows; the edits are dropped.",
    done_kept_edit: "The edit is kept.",
};
