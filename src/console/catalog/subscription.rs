//! A source's WebSub subscription on its page: the hub, the topic, where it stands, the
//! lease, the last delivery and the last error, with its own zh/en strings.

use super::time;
use crate::console::Labels;
use crate::domain::subscription::{Subscription, SubscriptionState};
use chrono_tz::Tz;
use maud::{html, Markup};

struct SubscriptionLabels {
    heading: &'static str,
    none: &'static str,
    hub: &'static str,
    topic: &'static str,
    state: &'static str,
    lease_ends: &'static str,
    last_delivery: &'static str,
    deliveries: &'static str,
    ignored: &'static str,
    last_error: &'static str,
    states: [(SubscriptionState, &'static str); 6],
}

const ZH: SubscriptionLabels = SubscriptionLabels {
    heading: "WebSub 推送订阅",
    none: "该源的订阅源未声明 WebSub 中心,按间隔轮询。",
    hub: "中心",
    topic: "主题",
    state: "状态",
    lease_ends: "租期至",
    last_delivery: "最近推送",
    deliveries: "已收推送",
    ignored: "签名无效而忽略",
    last_error: "错误",
    states: [
        (SubscriptionState::Subscribing, "订阅中(等待中心验证)"),
        (SubscriptionState::Verified, "已验证(推送中,轮询放缓)"),
        (SubscriptionState::Denied, "被拒绝"),
        (SubscriptionState::Failed, "失败(按间隔轮询)"),
        (SubscriptionState::Expired, "已过期(按间隔轮询)"),
        (SubscriptionState::Unsubscribing, "退订中"),
    ],
};

const EN: SubscriptionLabels = SubscriptionLabels {
    heading: "WebSub push subscription",
    none: "This source's feed names no WebSub hub: it is polled at its interval.",
    hub: "Hub",
    topic: "Topic",
    state: "State",
    lease_ends: "Lease ends",
    last_delivery: "Last delivery",
    deliveries: "Deliveries",
    ignored: "Ignored (bad signature)",
    last_error: "Error",
    states: [
        (SubscriptionState::Subscribing, "subscribing (waiting for the hub's verification)"),
        (SubscriptionState::Verified, "verified (pushes come; polled less often)"),
        (SubscriptionState::Denied, "denied"),
        (SubscriptionState::Failed, "failed (polled at its interval)"),
        (SubscriptionState::Expired, "expired (polled at its interval)"),
        (SubscriptionState::Unsubscribing, "unsubscribing"),
    ],
};

/// The subscription's card on a source's page.
pub fn section(labels: &Labels, subscription: Option<&Subscription>, zone: Tz) -> Markup {
    let l = if labels.lang.starts_with("zh") { &ZH } else { &EN };
    let never =
        |at: Option<chrono::DateTime<chrono::Utc>>| html! { @if let Some(at) = at { (time(at, zone)) } @else { "—" } };
    html! {
        section.card aria-labelledby="websub-heading" {
            h2 #websub-heading { (l.heading) }
            @if let Some(s) = subscription {
                dl.facts {
                    dt { (l.hub) } dd.url { (s.hub) }
                    dt { (l.topic) } dd.url { (s.topic) }
                    dt { (l.state) } dd { (l.states.iter().find(|(state, _)| *state == s.state).map_or(s.state.as_str(), |(_, name)| *name)) }
                    dt { (l.lease_ends) } dd { (never(s.lease_expires_at)) }
                    dt { (l.last_delivery) } dd { (never(s.last_delivery_at)) }
                    dt { (l.deliveries) } dd { (s.deliveries) }
                    dt { (l.ignored) } dd { (s.ignored_deliveries) }
                    @if let Some(error) = &s.last_error { dt { (l.last_error) } dd.bad { (error) } }
                }
            } @else {
                p.hint { (l.none) }
            }
        }
    }
}
