//! The client's retry budget: an outage drains it, so later failures are returned at once;
//! successes refill it and retries come back (docs/architecture.md, "Retry budget").

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use scalekit_core::accounts::{AccountOperation, Params};
use scalekit_core::config::{ClientOptions, RetryBudgetOption};
use scalekit_core::retry_budget::{RETRY_COST, SUCCESS_REWARD};

use crate::common::{http_failure, proxy_call, Reply, Stub, ACCOUNTS_PATH, PROXY_PATH, TOKEN_PATH};

const BUDGET: u32 = 50;

/// A stub answering 503 (retry at once) everywhere but the token endpoint while `down` is set.
async fn switchable(down: Arc<AtomicBool>) -> Stub {
    Stub::start(move |seen| {
        (seen.path != TOKEN_PATH && down.load(Ordering::SeqCst)).then(|| Reply::retry_now(503))
    })
    .await
}

fn options(budget: RetryBudgetOption) -> ClientOptions {
    ClientOptions {
        max_retries: Some(2.0),
        retry_budget: budget,
        ..Default::default()
    }
}

#[tokio::test]
async fn an_outage_spends_the_budget_then_failures_come_back_at_once() {
    let down = Arc::new(AtomicBool::new(true));
    let stub = switchable(Arc::clone(&down)).await;
    let client = stub.client_with(options(RetryBudgetOption::Tokens(f64::from(BUDGET))));
    let calls = 40;
    for _ in 0..calls {
        http_failure(client.request(proxy_call("GET")).await);
    }
    let retries = (BUDGET / RETRY_COST) as usize;
    assert_eq!(stub.count(PROXY_PATH), calls + retries);
    assert_eq!(client.retry_budget_left(), Some(0));

    // Control-plane calls draw from the same budget: none left, so one attempt each.
    let list = Params::from_json("{}").unwrap();
    http_failure(client.accounts_call(AccountOperation::List, &list).await);
    assert_eq!(stub.count(ACCOUNTS_PATH), 1);

    // Recovery: each success puts a token back; two retries' worth, then a failure is retried.
    down.store(false, Ordering::SeqCst);
    let successes = 2 * RETRY_COST / SUCCESS_REWARD;
    for _ in 0..successes {
        client.request(proxy_call("GET")).await.unwrap();
    }
    assert_eq!(client.retry_budget_left(), Some(2 * RETRY_COST));
    down.store(true, Ordering::SeqCst);
    let before = stub.count(PROXY_PATH);
    http_failure(client.request(proxy_call("GET")).await);
    assert_eq!(
        stub.count(PROXY_PATH) - before,
        3,
        "retried again after the recovery"
    );
}

#[tokio::test]
async fn a_call_that_succeeds_after_retrying_gets_back_its_last_retry_only() {
    let stub =
        Stub::start(|seen| (seen.path == PROXY_PATH && seen.n < 2).then(|| Reply::retry_now(503)))
            .await;
    let client = stub.client_with(options(RetryBudgetOption::Tokens(f64::from(BUDGET))));
    assert_eq!(client.request(proxy_call("GET")).await.unwrap().status, 200);
    assert_eq!(stub.count(PROXY_PATH), 3);
    // Two retries took 5 each; the success gives back the last one's 5: a server that fails
    // two attempts in three still drains the budget.
    assert_eq!(client.retry_budget_left(), Some(BUDGET - RETRY_COST));
}

#[tokio::test]
async fn zero_means_no_retries_and_false_means_no_limit() {
    let down = Arc::new(AtomicBool::new(true));
    let stub = switchable(down).await;
    let none = stub.client_with(options(RetryBudgetOption::Tokens(0.0)));
    http_failure(none.request(proxy_call("GET")).await);
    assert_eq!(stub.count(PROXY_PATH), 1);
    let unlimited = stub.client_with(options(RetryBudgetOption::Unlimited));
    for _ in 0..150 {
        http_failure(unlimited.request(proxy_call("GET")).await);
    }
    assert_eq!(stub.count(PROXY_PATH), 1 + 150 * 3);
    assert_eq!(unlimited.retry_budget_left(), None);
}

#[tokio::test]
async fn a_reauthentication_is_not_a_retry() {
    let stub = Stub::start(|seen| {
        (seen.path == PROXY_PATH && seen.n == 0).then(|| {
            Reply::json(
                401,
                serde_json::json!({"code": 16, "message": "token expired"}),
            )
        })
    })
    .await;
    let client = stub.client_with(options(RetryBudgetOption::Tokens(0.0)));
    assert_eq!(client.request(proxy_call("GET")).await.unwrap().status, 200);
    assert_eq!(stub.count(PROXY_PATH), 2, "sent again with a new token");
    assert_eq!(stub.token_fetches(), 2);
}

#[tokio::test]
async fn token_requests_pay_from_the_same_budget() {
    let stub = Stub::start(|seen| (seen.path == TOKEN_PATH).then(|| Reply::retry_now(503))).await;
    let spent = stub.client_with(options(RetryBudgetOption::Tokens(0.0)));
    http_failure(spent.request(proxy_call("GET")).await);
    assert_eq!(
        stub.token_fetches(),
        1,
        "no budget: the token request is not retried"
    );
    let funded = stub.client_with(options(RetryBudgetOption::Tokens(f64::from(RETRY_COST))));
    http_failure(funded.request(proxy_call("GET")).await);
    assert_eq!(stub.token_fetches(), 1 + 2, "one retry paid for");
    assert_eq!(funded.retry_budget_left(), Some(0));
}
