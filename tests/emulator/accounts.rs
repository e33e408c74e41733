//! Connected accounts: create, get, update, list, delete, their validation, and execute_tool.

use reqwest::StatusCode;
use scalekit_local::EmulatorOptions;
use serde_json::json;

use crate::common::{
    assert_error, assert_fails, assert_fails_saying, json_of, message, Api, ACCOUNTS as CA,
    MAGIC_LINK,
};

const DELETE: &str = "/api/v1/connected_accounts:delete";
const EXECUTE_TOOL: &str = "/api/v1/execute_tool";

#[tokio::test]
async fn accounts_crud_list_and_validation() {
    let api = Api::start(EmulatorOptions::default()).await;
    let (s, b) = api
        .post(CA, json!({"connector": "gmail", "identifier": "a@x", "connected_account": {"authorization_details": {"oauth_token": {"access_token": "t"}}, "api_config": {"v": 1}}}))
        .await;
    assert_eq!(s, 201, "{b}");
    let a = &b["connected_account"];
    assert_eq!(
        (
            a["status"].as_str(),
            a["connector"].as_str(),
            a["provider"].as_str()
        ),
        (Some("ACTIVE"), Some("gmail"), Some("gmail"))
    );
    assert_eq!(a["api_config"], json!({"v": 1}));
    let id = a["id"].as_str().unwrap().to_owned();
    let updated_at = a["updated_at"].as_str().unwrap().to_owned();
    assert!(updated_at.ends_with('Z'));

    let answer = api
        .post(
            CA,
            json!({"connector": "gmail", "identifier": "a@x", "connected_account": {}}),
        )
        .await;
    assert_fails(&answer, 409, 6, "ALREADY_EXISTS");
    // lowerCamel input; no credentials → PENDING_AUTH.
    let (s, b) = api.post(CA, json!({"connector": "gmail", "identifier": "a@x", "organizationId": "org_1", "connectedAccount": {"authorizationDetails": {"oauthToken": {}}}})).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["connected_account"]["status"], "PENDING_AUTH");
    let answer = api
        .post(CA, json!({"connector": "gmail", "identifier": "b@x"}))
        .await;
    assert_fails_saying(&answer, 400, 3, "INVALID_ARGUMENT", "connected_account");
    let (s, _) = api
        .post(CA, json!({"connector": "gmail", "connected_account": {}}))
        .await;
    assert_eq!(s, 400);

    // Get by id wins over a non-matching key.
    let (s, b) = api
        .get(&format!("{CA}/auth?id={id}&connector=other&identifier=zzz"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["connected_account"]["identifier"], "a@x");
    let (s, b) = api
        .get(&format!(
            "{CA}/auth?connector=gmail&identifier=a%40x&organization_id=org_1"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["connected_account"]["status"], "PENDING_AUTH");
    let (s, b) = api.get(&format!("{CA}/auth?connector=gmail")).await;
    assert_eq!(s, 400, "{b}");
    let answer = api.get(&format!("{CA}/auth?id=ca_999")).await;
    assert_fails(&answer, 404, 5, "NOT_FOUND");

    // Validation (docs/wire-protocol.md §5).
    for (path, field) in [
        (format!("{CA}/auth?id=xx_1"), "id"),
        (
            format!("{CA}/auth?connector=bad/name&identifier=a"),
            "connector",
        ),
        (
            format!("{CA}/auth?connector=g&identifier={}", "i".repeat(101)),
            "identifier",
        ),
        (
            format!(
                "{CA}/auth?connector=g&identifier=i&organization_id={}",
                "o".repeat(33)
            ),
            "organization_id",
        ),
        (format!("{CA}?page_size=100"), "page_size"),
        (format!("{CA}?page_token=garbage"), "page_token"),
        (
            format!("{CA}?connector=gmail&connection_names=gmail"),
            "connection_names",
        ),
    ] {
        let (s, b) = api.get(&path).await;
        assert_eq!(s, 400, "{path}");
        assert_error(&b, 3, "INVALID_ARGUMENT");
        assert!(message(&b).contains(field), "{path}: {b}");
    }
    let (s, b) = api
        .post(
            MAGIC_LINK,
            json!({"connector": "g", "identifier": "i", "user_verify_url": "ftp://x"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("user_verify_url"));
    let resp = api
        .http
        .post(api.url(CA))
        .bearer_auth(&api.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_error(&json_of(resp).await, 3, "INVALID_ARGUMENT");

    // Update: credentials replaced, api_config merged, updated_at moves (its unit is the
    // millisecond, so 5 ms guarantee a different value).
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (s, b) = api
        .put(CA, json!({"id": id, "connected_account": {"authorization_details": {"oauth_token": {"access_token": "t2"}}, "api_config": {"w": 2}}}))
        .await;
    assert_eq!(s, 200, "{b}");
    let a = &b["connected_account"];
    assert_eq!(a["api_config"], json!({"v": 1, "w": 2}));
    assert_eq!(
        a["authorization_details"]["oauth_token"]["access_token"],
        "t2"
    );
    assert_ne!(a["updated_at"].as_str().unwrap(), updated_at);
    let (s, _) = api
        .put(
            CA,
            json!({"connector": "gmail", "identifier": "nobody", "connected_account": {}}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api.put(CA, json!({"id": id})).await;
    assert_eq!(s, 400);

    // List + pagination over 5 gmail accounts and 1 slack account.
    for i in 0..3 {
        let (s, _) = api.post(CA, json!({"connector": "gmail", "identifier": format!("p{i}@x"), "connected_account": {}})).await;
        assert_eq!(s, 201);
    }
    api.post(
        CA,
        json!({"connector": "slack", "identifier": "s@x", "connected_account": {}}),
    )
    .await;
    let (s, page1) = api.get(&format!("{CA}?connector=gmail&page_size=2")).await;
    assert_eq!(s, 200);
    assert_eq!(page1["total_size"], 5);
    assert_eq!(page1["connected_accounts"].as_array().unwrap().len(), 2);
    assert!(page1["connected_accounts"][0]
        .get("authorization_details")
        .is_none());
    assert_eq!(page1["prev_page_token"], "");
    let mut seen: Vec<String> = Vec::new();
    let mut token = String::new();
    loop {
        let (_, page) = api
            .get(&format!(
                "{CA}?connector=gmail&page_size=2&page_token={token}"
            ))
            .await;
        for a in page["connected_accounts"].as_array().unwrap() {
            seen.push(a["id"].as_str().unwrap().to_owned());
        }
        token = page["next_page_token"].as_str().unwrap().to_owned();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    seen.dedup();
    assert_eq!(seen.len(), 5);
    let total = |path: String| {
        let api = &api;
        async move { api.get(&path).await.1["total_size"].clone() }
    };
    assert_eq!(
        total(format!(
            "{CA}?connection_names=gmail&connection_names=slack"
        ))
        .await,
        6
    );
    assert_eq!(total(format!("{CA}?query=P1%40")).await, 1);
    assert_eq!(total(format!("{CA}?organization_id=org_1")).await, 1);

    // Delete (literal colon route), then gone.
    let (s, b) = api.post(DELETE, json!({"id": id})).await;
    assert_eq!((s, b), (StatusCode::OK, json!({})));
    let (s, _) = api.post(DELETE, json!({"id": id})).await;
    assert_eq!(s, 404);
    let (s, _) = api.get(&format!("{CA}/auth?id={id}")).await;
    assert_eq!(s, 404);
    assert_eq!(api.sk.accounts_json().as_array().unwrap().len(), 5);
    api.assert_stats(&[
        ("connected_accounts.delete", 2),
        ("connected_accounts.create", 10),
    ]);

    let answer = api.post(EXECUTE_TOOL, json!({"tool_name": "nope"})).await;
    assert_fails(&answer, 404, 5, "NOT_FOUND");
    let (s, b) = api
        .post(
            EXECUTE_TOOL,
            json!({"tool_name": "emulator_echo", "params": {"a": 1}}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["data"]["params"], json!({"a": 1}));
    assert_eq!(api.stat("execute_tool"), 2);
}
