//! GraphiQL served from the binary: the page names only this server's assets, under a policy
//! that allows nothing else, and the assets are cached by their content's name.

use gloact_tests::{problem, spawn_app, spawn_seeded_app_with};

#[tokio::test]
async fn graphiql_loads_nothing_from_another_host() {
    let app = spawn_seeded_app_with(|s| s.graphql.graphiql = Some(true)).await;
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("default-src 'none'") && policy.contains("script-src 'self'"),
        "{policy}"
    );
    assert!(!policy.contains("http"), "no other host: {policy}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "no inline script: {html}");

    let assets: Vec<&str> = html
        .split(['"'])
        .filter(|part| part.starts_with("/graphql/assets/"))
        .collect();
    assert_eq!(assets.len(), 5, "{html}");
    for asset in &assets {
        let response = app
            .client
            .get(format!("{}{asset}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let expected = if asset.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        let body = response.bytes().await.unwrap();
        assert!(body.len() > 500, "{asset}");
    }
    // The init script talks to this server only, and keeps no header (the token) in storage.
    let init = assets.iter().find(|a| a.contains("graphiql-init")).unwrap();
    let script = app
        .client
        .get(format!("{}{init}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(script.contains("url: \"/graphql\"") && script.contains("shouldPersistHeaders: false"));

    let stale = app
        .client
        .get(format!(
            "{}/graphql/assets/graphiql.min.000000000000.js",
            app.address
        ))
        .send()
        .await
        .unwrap();
    problem(stale, 404, "not_found").await;
}

#[tokio::test]
async fn its_assets_are_not_served_where_graphiql_is_off() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/graphql/assets/graphiql-init.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
