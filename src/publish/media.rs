//! Pointing readers at the images syndic keeps (issue 17): an article whose outlet keeps
//! images carries its kept copies (`Article::kept_images`, read with it), and every
//! public output — feeds, pages, WebSub deliveries, the partner API — shows the article
//! through `with_kept_images`, which replaces each kept image's original URL by the
//! copy's absolute URL on the site. The stored article is never rewritten: what the
//! outlet sent stays as it sent it, and an outlet that stops keeping images is shown with
//! its originals at once.

use super::Site;
use crate::domain::media::{with_img_sources, KeptImage};
use crate::domain::Article;

/// The article as readers are shown it: its kept images' URLs (`<img src>` in its
/// content and summary, its lead image, image enclosures) on the site; the rest as stored.
pub fn with_kept_images(site: &Site, mut article: Article) -> Article {
    if article.kept_images.is_empty() {
        return article;
    }
    let kept = std::mem::take(&mut article.kept_images);
    let copy_of = |url: &str| kept.iter().find(|k| k.url == url);
    let url_of = |image: &KeptImage| site.media_url(&image.media.file_name());
    for html in [&mut article.content_html, &mut article.summary].into_iter().flatten() {
        let replaced = with_img_sources(html, |url| copy_of(url).map(url_of));
        if let std::borrow::Cow::Owned(replaced) = replaced {
            *html = replaced;
        }
    }
    if let Some(image) = &mut article.image {
        if let Some(copy) = copy_of(&image.url) {
            image.url = url_of(copy);
        }
    }
    for enclosure in &mut article.enclosures {
        if let Some(copy) = copy_of(&enclosure.url).filter(|_| enclosure.mime_type.starts_with("image/")) {
            enclosure.url = url_of(copy);
            enclosure.mime_type = copy.media.kind.content_type().to_owned();
            enclosure.length = Some(copy.size);
        }
    }
    article.kept_images = kept;
    article
}

/// `with_kept_images` for each article.
pub fn all_with_kept_images(site: &Site, articles: Vec<Article>) -> Vec<Article> {
    articles.into_iter().map(|article| with_kept_images(site, article)).collect()
}
