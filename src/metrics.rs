//! Operational metrics: counters and histograms each layer records into, rendered in
//! the Prometheus text exposition format (version 0.0.4) at `/metrics`. Hand-written
//! because the format is a few lines of text and the crates that produce it bring a
//! registry, macros and a server of their own.
//!
//! Gauges that describe state (queue lengths, cache size, pool usage) are not kept
//! here: the `/metrics` handler reads them when scraped.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the request-duration histogram, in seconds.
const DURATION_BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

/// Everything this process counts.
#[derive(Debug)]
pub struct Metrics {
    pub http_requests: CounterFamily,
    pub http_duration: HistogramFamily,
    pub polls: CounterFamily,
    pub articles_ingested: CounterFamily,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            http_requests: CounterFamily::new(
                "syndic_http_requests_total",
                "HTTP requests answered, by route, method and status.",
                &["route", "method", "status"],
            ),
            http_duration: HistogramFamily::new(
                "syndic_http_request_duration_seconds",
                "Time from request to response head, by route.",
                "route",
            ),
            polls: CounterFamily::new("syndic_polls_total", "Source polls, by outcome.", &["outcome"]),
            articles_ingested: CounterFamily::new(
                "syndic_articles_ingested_total",
                "Articles received from outlets (push, batch, poll, import), by what became of them.",
                &["outcome"],
            ),
        }
    }
}

impl Metrics {
    /// Counts one HTTP request by route, method and status, and times it from `started`.
    pub fn count_request(&self, route: &str, method: &str, status: &str, started: Instant) {
        self.http_requests.inc(&[route, method, status]);
        self.http_duration.observe(route, started.elapsed());
    }

    /// The counters and histograms in exposition format.
    pub fn render(&self, out: &mut String) {
        self.http_requests.render(out);
        self.http_duration.render(out);
        self.polls.render(out);
        self.articles_ingested.render(out);
    }
}

/// Writes one gauge (or a counter kept elsewhere) with its HELP and TYPE lines.
pub fn write_single(out: &mut String, kind: &str, name: &str, help: &str, samples: &[(&str, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// One labelled series: its label values and its count.
type Series = (Vec<String>, u64);

/// A counter with labels; a series appears once first counted. Counting an existing
/// series allocates nothing (it is on every request's path).
#[derive(Debug)]
pub struct CounterFamily {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    /// Series by the hash of their label values.
    series: Mutex<HashMap<u64, Vec<Series>>>,
}

impl CounterFamily {
    fn new(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        CounterFamily { name, help, labels, series: Mutex::new(HashMap::new()) }
    }

    /// Adds `n` to the series with these label values (in the family's label order).
    pub fn add(&self, values: &[&str], n: u64) {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        values.hash(&mut hasher);
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = series.entry(hasher.finish()).or_default();
        match bucket.iter_mut().find(|(labels, _)| labels.iter().eq(values.iter().copied())) {
            Some((_, count)) => *count += n,
            None => bucket.push((values.iter().map(|v| (*v).to_owned()).collect(), n)),
        }
    }

    pub fn inc(&self, values: &[&str]) {
        self.add(values, 1);
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}\n# TYPE {} counter", self.name, self.help, self.name);
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let sorted: BTreeMap<&Vec<String>, u64> = series.values().flatten().map(|(labels, n)| (labels, *n)).collect();
        for (values, count) in sorted {
            let _ = writeln!(out, "{}{} {count}", self.name, label_set(self.labels, values, None));
        }
    }
}

/// A histogram with one label.
#[derive(Debug)]
pub struct HistogramFamily {
    name: &'static str,
    help: &'static str,
    label: &'static str,
    series: Mutex<BTreeMap<String, Histogram>>,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at most each bound (not cumulative; summed when rendered).
    buckets: [u64; DURATION_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl HistogramFamily {
    fn new(name: &'static str, help: &'static str, label: &'static str) -> Self {
        HistogramFamily { name, help, label, series: Mutex::new(BTreeMap::new()) }
    }

    pub fn observe(&self, value: &str, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let histogram = match series.get_mut(value) {
            Some(histogram) => histogram,
            None => series.entry(value.to_owned()).or_default(),
        };
        if let Some(bucket) = DURATION_BUCKETS.iter().position(|bound| seconds <= *bound) {
            histogram.buckets[bucket] += 1;
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    fn render(&self, out: &mut String) {
        let (name, labels) = (self.name, &[self.label][..]);
        let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} histogram", self.help);
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        for (value, histogram) in series.iter() {
            let values = [value.clone()];
            let mut cumulative = 0;
            for (bound, count) in DURATION_BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let le = bound.to_string();
                let _ = writeln!(out, "{name}_bucket{} {cumulative}", label_set(labels, &values, Some(&le)));
            }
            let _ = writeln!(out, "{name}_bucket{} {}", label_set(labels, &values, Some("+Inf")), histogram.count);
            let _ = writeln!(out, "{name}_sum{} {}", label_set(labels, &values, None), histogram.sum);
            let _ = writeln!(out, "{name}_count{} {}", label_set(labels, &values, None), histogram.count);
        }
    }
}

/// `{a="x",b="y"}` with values escaped as the format requires, plus `le` for buckets.
fn label_set(names: &[&str], values: &[String], le: Option<&str>) -> String {
    let mut pairs: Vec<String> = names.iter().zip(values).map(|(n, v)| format!("{n}=\"{}\"", escape(v))).collect();
    if let Some(le) = le {
        pairs.push(format!("le=\"{le}\""));
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", pairs.join(","))
    }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_exposition_format() {
        let metrics = Metrics::default();
        metrics.http_requests.inc(&["/rss.xml", "GET", "200"]);
        metrics.http_requests.add(&["/rss.xml", "GET", "200"], 2);
        metrics.polls.inc(&["a \"quoted\"\nvalue"]);
        metrics.http_duration.observe("/rss.xml", Duration::from_micros(700));
        metrics.http_duration.observe("/rss.xml", Duration::from_secs(10));
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(out.contains("syndic_http_requests_total{route=\"/rss.xml\",method=\"GET\",status=\"200\"} 3\n"));
        assert!(out.contains("syndic_polls_total{outcome=\"a \\\"quoted\\\"\\nvalue\"} 1\n"));
        assert!(out.contains("syndic_http_request_duration_seconds_bucket{route=\"/rss.xml\",le=\"0.0005\"} 0\n"));
        assert!(out.contains("syndic_http_request_duration_seconds_bucket{route=\"/rss.xml\",le=\"0.001\"} 1\n"));
        assert!(out.contains("syndic_http_request_duration_seconds_bucket{route=\"/rss.xml\",le=\"+Inf\"} 2\n"));
        assert!(out.contains("syndic_http_request_duration_seconds_count{route=\"/rss.xml\"} 2\n"));
        assert!(out.contains("# TYPE syndic_articles_ingested_total counter\n"));
    }
}
