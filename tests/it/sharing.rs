//! Two configurations (two state files, two teams) with endpoints on one
//! function and one REST API share its permission statement, and their runs
//! do not coordinate. Applied and destroyed at the same time, round after
//! round and in both orders, every endpoint keeps its permission once
//! either apply has finished, and no statement is left once both destroys
//! have.

use std::thread;

use crate::support::aws as cloud;
use crate::support::hcl::{Endpoint, configuration};
use crate::support::terraform::Terraform;
use crate::support::versions::TERRAFORM_NEWEST;

const PER_CONFIGURATION: usize = 12;
const ROUNDS: usize = 3;

/// What a phase runs in one configuration.
#[derive(Clone, Copy, Debug)]
enum Run {
    Apply,
    Destroy,
}

/// Runs `a` in the first configuration and `b` in the second at the same
/// time; both must succeed.
fn at_once(configurations: &[Terraform; 2], a: Run, b: Run) {
    thread::scope(|scope| {
        let handles: Vec<_> = configurations
            .iter()
            .zip([a, b])
            .map(|(tf, run)| {
                scope.spawn(move || match run {
                    Run::Apply => drop(tf.apply()),
                    Run::Destroy => drop(tf.destroy()),
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("a Terraform run failed");
        }
    });
}

/// The shared statement is there exactly when `applied` says some
/// configuration has endpoints, and is the only one.
fn assert_statement(function: &str, api: &str, applied: bool, after: &str) {
    let statements = cloud::permission_statements(function);
    let expected: Vec<(String, String)> = if applied {
        let source = format!("arn:aws:execute-api:{}:{}:{api}/*", cloud::REGION, cloud::ACCOUNT);
        vec![(format!("async-endpoints-{api}"), source)]
    } else {
        Vec::new()
    };
    assert_eq!(statements, expected, "after {after}");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn two_configurations_sharing_a_statement_never_lose_nor_orphan_it() {
    let function = "sharing";
    let (endpoints, api) = cloud::endpoints_on_fresh_api(function, 2 * PER_CONFIGURATION);
    let configurations = [&endpoints[..PER_CONFIGURATION], &endpoints[PER_CONFIGURATION..]].map(
        |half: &[Endpoint]| {
            let tf = Terraform::new(TERRAFORM_NEWEST);
            tf.write_config(&configuration(&cloud::provider_block(), half));
            tf
        },
    );
    let [a, b] = &configurations;
    let phase = |first: Run, second: Run, applied: bool, name: &str| {
        at_once(&configurations, first, second);
        assert_statement(function, &api, applied, name);
    };
    for round in 1..=ROUNDS {
        eprintln!("round {round}");
        phase(Run::Apply, Run::Apply, true, "both applied at once");
        if round == 1 {
            a.assert_no_changes();
            b.assert_no_changes();
        }
        phase(Run::Destroy, Run::Destroy, false, "both destroyed at once");
        a.apply();
        phase(Run::Destroy, Run::Apply, true, "A destroyed while B applied");
        phase(Run::Apply, Run::Destroy, true, "B destroyed while A applied");
        a.destroy();
        assert_statement(function, &api, false, "A destroyed alone");
    }
    assert_eq!(cloud::methods_on(&api), 0, "every method removed");
}
