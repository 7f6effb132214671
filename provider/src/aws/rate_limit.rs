//! Client-side pacing to AWS's control-plane quotas, so a large apply waits
//! for its turn instead of storming the account with requests AWS refuses
//! (429) and every other client of the account with them. One limiter per
//! configured provider, shared by every call in flight.
//!
//! The quotas are per account and region (API Gateway: "Total operations"
//! 10 requests per second, burst 40, and GetResources 5 every 2 seconds,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>;
//! Lambda: 15 control-plane requests per second,
//! <https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html>).
//! Other clients spend the same quota, so a 429 that still arrives empties
//! the bucket: the calls after it wait as if the account's burst were spent.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::aws::endpoint::Destination;

/// API Gateway's account quota, requests per second.
pub const APIGATEWAY_RATE: f64 = 10.0;
/// API Gateway's burst is four seconds' worth (40 at 10 per second).
const APIGATEWAY_BURST_SECONDS: f64 = 4.0;
/// Lambda's control-plane quota, requests per second (no burst documented).
pub const LAMBDA_RATE: f64 = 15.0;
/// GetResources: 5 requests every 2 seconds, within the total.
const GET_RESOURCES: (f64, f64) = (2.5, 5.0);

/// The requests per second each service is paced to; `0` does not pace it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    pub apigateway: f64,
    pub lambda: f64,
}

/// AWS's documented quotas.
impl Default for Rates {
    fn default() -> Self {
        Rates { apigateway: APIGATEWAY_RATE, lambda: LAMBDA_RATE }
    }
}

/// The `rate_limits` block: a rate for each service where one is set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RateLimits {
    pub apigateway: Option<f64>,
    pub lambda: Option<f64>,
}

impl Rates {
    /// Each service's rate: the `rate_limits` setting where there is one,
    /// else AWS's quota when its calls go to AWS, else none (an emulator
    /// has no quota). Says which in the log, since it sets the apply's pace.
    pub fn choose(limits: RateLimits, apigateway: &Destination, lambda: &Destination) -> Rates {
        let quotas = Rates::default();
        Rates {
            apigateway: rate("API Gateway", limits.apigateway, quotas.apigateway, apigateway),
            lambda: rate("Lambda", limits.lambda, quotas.lambda, lambda),
        }
    }
}

fn rate(service: &str, configured: Option<f64>, quota: f64, destination: &Destination) -> f64 {
    let (rate, why) = match configured {
        Some(rate) => (rate, "set by rate_limits"),
        None if destination.is_aws() => (quota, "AWS's documented quota"),
        None => (0.0, "no quota outside AWS; set rate_limits to pace"),
    };
    if rate > 0.0 {
        tracing::info!(service, rate, %destination, "pacing {service} calls to {rate} a second: {why}");
    } else {
        tracing::info!(service, %destination, "not pacing {service} calls: {why}");
    }
    rate
}

/// A token bucket that hands out reservations: a caller takes a token now or
/// the wait until its token, so callers are served in the order they asked.
#[derive(Debug)]
struct Bucket {
    per_second: f64,
    burst: f64,
    /// Tokens left; negative when callers are already waiting for tokens.
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new(per_second: f64, burst: f64) -> Bucket {
        Bucket { per_second, burst, state: Mutex::new((burst, Instant::now())) }
    }

    /// Takes a token and returns how long to wait before using it.
    fn reserve(&self) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, updated) = &mut *state;
        let now = Instant::now();
        *tokens = (*tokens + now.duration_since(*updated).as_secs_f64() * self.per_second)
            .min(self.burst);
        *updated = now;
        *tokens -= 1.0;
        if *tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-*tokens / self.per_second)
        }
    }

    /// AWS throttled a call: whatever burst this bucket believed in is spent.
    fn empty(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 = state.0.min(0.0);
    }
}

/// The buckets of one configured provider.
#[derive(Debug)]
pub struct RateLimiter {
    /// By service name, as the retry policy names services.
    services: Vec<(&'static str, Bucket)>,
    /// Operations with a quota of their own, counted in their service's too.
    operations: Vec<(&'static str, &'static str, Bucket)>,
}

impl RateLimiter {
    pub fn new(rates: Rates) -> RateLimiter {
        let (mut services, mut operations) = (Vec::new(), Vec::new());
        if rates.apigateway > 0.0 {
            let burst = rates.apigateway * APIGATEWAY_BURST_SECONDS;
            services.push(("API Gateway", Bucket::new(rates.apigateway, burst)));
            let (per_second, burst) = GET_RESOURCES;
            let get_resources = Bucket::new(per_second.min(rates.apigateway), burst);
            operations.push(("API Gateway", "GetResources", get_resources));
        }
        if rates.lambda > 0.0 {
            services.push(("Lambda", Bucket::new(rates.lambda, rates.lambda.max(1.0))));
        }
        RateLimiter { services, operations }
    }

    /// Waits until `operation` of `service` may be sent.
    pub async fn acquire(&self, service: &str, operation: &str) {
        let own = self.operations.iter().filter(|(s, o, _)| *s == service && *o == operation);
        let shared = self.services.iter().filter(|(s, _)| *s == service);
        // The operation's own quota first, so waiting for it spends none of the service's.
        for bucket in own.map(|(.., b)| b).chain(shared.map(|(_, b)| b)) {
            let wait = bucket.reserve();
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
    }

    /// AWS answered a call of `service` with a throttling error.
    pub fn throttled(&self, service: &str) {
        self.services.iter().filter(|(s, _)| *s == service).for_each(|(_, b)| b.empty());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// When each of `n` calls, started together, gets its turn (seconds
    /// since the start, on the paused clock).
    async fn turns(
        limiter: Arc<RateLimiter>,
        service: &'static str,
        operation: &'static str,
        n: usize,
    ) -> Vec<f64> {
        let start = Instant::now();
        let calls = (0..n).map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                limiter.acquire(service, operation).await;
                start.elapsed().as_secs_f64()
            })
        });
        let mut times = Vec::new();
        for call in calls.collect::<Vec<_>>() {
            times.push(call.await.unwrap());
        }
        times.sort_by(f64::total_cmp);
        times
    }

    #[tokio::test(start_paused = true)]
    async fn api_gateway_allows_its_burst_then_ten_a_second() {
        let limiter = Arc::new(RateLimiter::new(Rates::default()));
        let times = turns(limiter, "API Gateway", "PutMethod", 140).await;
        assert!(times[..40].iter().all(|t| *t == 0.0), "{times:?}");
        // Call 41 waits a tenth of a second, call 140 ten seconds.
        assert!((times[40] - 0.1).abs() < 1e-3, "{}", times[40]);
        assert!((times[139] - 10.0).abs() < 1e-3, "{}", times[139]);
    }

    #[tokio::test(start_paused = true)]
    async fn get_resources_also_keeps_to_its_own_quota() {
        let limiter = Arc::new(RateLimiter::new(Rates::default()));
        let times = turns(limiter, "API Gateway", "GetResources", 7).await;
        assert_eq!(&times[..5], &[0.0; 5]);
        assert!((times[5] - 0.4).abs() < 1e-3 && (times[6] - 0.8).abs() < 1e-3, "{times:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_call_spends_the_burst() {
        let limiter = Arc::new(RateLimiter::new(Rates::default()));
        limiter.throttled("API Gateway");
        let times = turns(limiter.clone(), "API Gateway", "GetMethod", 3).await;
        assert!((times[0] - 0.1).abs() < 1e-3 && (times[2] - 0.3).abs() < 1e-3, "{times:?}");
        // Lambda's bucket is its own.
        assert_eq!(turns(limiter, "Lambda", "AddPermission", 15).await, vec![0.0; 15]);
    }

    #[test]
    fn aws_endpoints_get_aws_quotas_others_none_unless_set() {
        let aws = Destination::AwsDefault;
        let localstack = Destination::Elsewhere("http://127.0.0.1:4566".into());
        let unset = RateLimits::default();
        assert_eq!(Rates::choose(unset, &aws, &aws), Rates::default());
        let emulated = Rates::choose(unset, &localstack, &localstack);
        assert_eq!(emulated, Rates { apigateway: 0.0, lambda: 0.0 });
        let mixed = Rates::choose(unset, &localstack, &aws);
        assert_eq!(mixed, Rates { apigateway: 0.0, lambda: LAMBDA_RATE });
        let set = RateLimits { apigateway: Some(10.0), lambda: Some(0.0) };
        let overridden = Rates::choose(set, &localstack, &aws);
        assert_eq!(overridden, Rates { apigateway: 10.0, lambda: 0.0 });
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_of_zero_does_not_pace() {
        let limiter = Arc::new(RateLimiter::new(Rates { apigateway: 0.0, lambda: 2.0 }));
        assert_eq!(
            turns(limiter.clone(), "API Gateway", "GetResources", 500).await,
            vec![0.0; 500]
        );
        let lambda = turns(limiter.clone(), "Lambda", "RemovePermission", 4).await;
        assert!((lambda[3] - 1.0).abs() < 1e-3, "{lambda:?}");
        assert_eq!(turns(limiter, "STS", "GetCallerIdentity", 100).await, vec![0.0; 100]);
    }
}
