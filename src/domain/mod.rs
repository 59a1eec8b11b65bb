//! The domain model: outlets, columns and articles, and the validated value types
//! that external input must become before anything else touches it.
//!
//! Nothing here knows about HTTP, SQL, XML or JSON wire formats; those layers convert
//! to and from these types at their edge.

pub mod actor;
pub mod article;
pub mod audit;
pub mod column;
pub mod correction;
pub mod domains;
pub mod errors;
pub mod likeness;
pub mod media;
pub mod networks;
pub mod original_url;
pub mod outlet;
pub mod password;
pub mod policy;
pub mod reposting;
pub mod review;
pub mod session;
pub mod slug;
pub mod source;
pub mod status;
pub mod subscription;
pub mod text;
pub mod timestamp;
pub mod token;
pub mod user;
pub mod withdrawal;

pub use actor::Actor;
pub use article::{Article, ArticleDraft, ColumnRef, Enclosure, Image, OutletRef, Schedule, StoryCopy};
pub use column::Column;
pub use errors::FieldErrors;
pub use original_url::OriginalUrl;
pub use outlet::{Carriage, Grants, Indexing, Outlet};
pub use slug::Slug;
pub use status::ArticleStatus;
pub use user::{Role, User};
pub use withdrawal::Withdrawer;
