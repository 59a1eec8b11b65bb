//! The recent changes the cache followed, each under the epoch it began. A render takes
//! the epoch when it starts; when it ends, the changes logged after that epoch say whether
//! what it read was already superseded, and since when. Under a steady stream of writes
//! most renders straddle a change: they are kept as superseded documents (newer than what
//! they replace, served within the freshness contract) rather than thrown away, which
//! would leave readers waiting for a render no change ever lets finish.

use super::{ArticleChanges, DependsOn};
use std::collections::VecDeque;
use std::time::Instant;

/// Changes remembered; a render older than all of them is taken as superseded now.
const REMEMBERED: usize = 512;

/// When a document became stale, and the epoch of the latest change that touched it.
#[derive(Debug, Clone, Copy)]
pub struct Superseded {
    pub since: Instant,
    pub epoch: u64,
}

impl Superseded {
    /// `self` touched again at `epoch`: stale since the first change, due the last.
    pub fn again(self, epoch: u64) -> Superseded {
        Superseded { since: self.since, epoch: self.epoch.max(epoch) }
    }
}

#[derive(Default)]
pub struct History {
    changes: VecDeque<(u64, Instant, ArticleChanges)>,
}

impl History {
    /// Logs `changes`, which began `epoch`.
    pub fn record(&mut self, epoch: u64, changes: ArticleChanges) {
        if self.changes.len() == REMEMBERED {
            self.changes.pop_front();
        }
        self.changes.push_back((epoch, Instant::now(), changes));
    }

    pub fn forget(&mut self) {
        self.changes.clear();
    }

    /// Whether a document that `depends_on` what a render begun at `rendered` read is
    /// already superseded, `current` being the epoch now.
    pub fn superseding(&self, rendered: u64, current: u64, depends_on: &DependsOn) -> Option<Superseded> {
        if rendered >= current {
            return None;
        }
        // Changes between the render and the oldest remembered are unknown: assume one touched it.
        if self.changes.front().is_none_or(|(first, _, _)| *first > rendered + 1) {
            return Some(Superseded { since: Instant::now(), epoch: current });
        }
        self.changes.iter().filter(|(epoch, _, changes)| *epoch > rendered && depends_on.is_touched_by(changes)).fold(
            None,
            |found: Option<Superseded>, (epoch, at, _)| match found {
                None => Some(Superseded { since: *at, epoch: *epoch }),
                Some(found) => Some(found.again(*epoch)),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: i64) -> ArticleChanges {
        ArticleChanges { articles: [id].into(), ..ArticleChanges::default() }
    }

    #[test]
    fn a_render_is_superseded_by_the_changes_after_it_that_touch_it() {
        let mut history = History::default();
        for epoch in 1..=4 {
            history.record(epoch, article(epoch as i64));
        }
        let shows_2_and_4 = DependsOn { articles: vec![2, 4], ..DependsOn::default() };
        assert!(history.superseding(4, 4, &shows_2_and_4).is_none(), "nothing came after it");
        assert!(history.superseding(2, 4, &DependsOn { articles: vec![1], ..DependsOn::default() }).is_none());
        let superseded = history.superseding(1, 4, &shows_2_and_4).unwrap();
        assert_eq!(superseded.epoch, 4);
        assert_eq!(superseded.since, history.changes[1].1, "stale since the first change that touched it");
        history.forget();
        assert!(history.superseding(1, 4, &DependsOn::nothing()).is_some(), "what was forgotten may have");
    }
}
