//! Logs as hclog JSON lines on stderr: Terraform parses each line, keeps our
//! level, and filters with `TF_LOG_PROVIDER` (or `TF_LOG`), so `TF_LOG=DEBUG`
//! shows provider logs beside Terraform's own.

use std::io::Write;

use serde_json::{Map, Value as J};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::plugin::identity::ProviderIdentity;

/// Installs the global subscriber. The provider's events (`identity.log_target`)
/// are emitted at the level Terraform asks for; dependencies (gRPC, TLS, HTTP)
/// only from warnings up. Each line names `identity.log_module`.
pub fn init(identity: &ProviderIdentity) {
    let level = level_from_env(|k| std::env::var(k).ok());
    let filter = Targets::new()
        .with_default(LevelFilter::WARN.min(level))
        .with_target(identity.log_target, level);
    let layer = HclogLayer { module: identity.log_module };
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter)).try_init();
}

/// Terraform's rule: `TF_LOG_PROVIDER` wins over `TF_LOG`; a level name picks
/// that level, any other non-empty value (such as `JSON`) means TRACE; unset or
/// empty means Terraform discards provider logs, so we only emit errors.
pub fn level_from_env(var: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let setting =
        ["TF_LOG_PROVIDER", "TF_LOG"].into_iter().find_map(|k| var(k).filter(|v| !v.is_empty()));
    match setting.map(|v| v.to_ascii_uppercase()).as_deref() {
        None | Some("OFF") => LevelFilter::ERROR,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE,
    }
}

struct HclogLayer {
    module: &'static str,
}

/// Fields recorded on a span, kept so events inside it can carry them.
struct SpanFields(Map<String, J>);

impl<S> Layer<S> for HclogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = JsonFields(Map::new());
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.0));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        line.insert("@level".into(), J::from(hclog_level(*event.metadata().level())));
        line.insert("@timestamp".into(), J::from(timestamp()));
        line.insert("@module".into(), J::from(self.module));
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                line.insert("@span".into(), J::from(span.name()));
                if let Some(fields) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.0.clone());
                }
            }
        }
        let mut fields = JsonFields(Map::new());
        event.record(&mut fields);
        let message = fields.0.remove("message").unwrap_or(J::from(""));
        line.insert("@message".into(), message);
        line.extend(fields.0);
        let mut text = J::Object(line).to_string();
        text.push('\n');
        // One write per line keeps lines whole when tasks log concurrently.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// hclog's layout, `2006-01-02T15:04:05.000000Z07:00`, in UTC.
fn timestamp() -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    time::OffsetDateTime::now_utc().format(FORMAT).unwrap_or_default()
}

struct JsonFields(Map<String, J>);

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), J::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), J::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), J::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), J::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), J::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), J::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn provider_setting_wins_over_global() {
        let level = level_from_env(env(&[("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "warn")]));
        assert_eq!(level, LevelFilter::WARN);
    }

    #[test]
    fn unknown_values_mean_trace_and_unset_means_errors_only() {
        assert_eq!(level_from_env(env(&[("TF_LOG", "JSON")])), LevelFilter::TRACE);
        assert_eq!(level_from_env(env(&[])), LevelFilter::ERROR);
        assert_eq!(level_from_env(env(&[("TF_LOG", "")])), LevelFilter::ERROR);
    }

    #[test]
    fn timestamps_have_microseconds_and_zone() {
        let ts = timestamp();
        assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
        assert!(ts.ends_with('Z'));
    }
}
