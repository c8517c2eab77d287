//! The metrics a request moves, as the example server's admin address serves them: the
//! Prometheus page parses, its counters and histograms move as requests are answered, and no
//! label holds a token or personal data.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and their helpers: a failed expectation is a failed test"
)]

mod support;

use std::collections::BTreeMap;

use metrics_exporter_prometheus::PrometheusBuilder;
use scimkit_core::ServiceConfig;
use serde_json::json;
use support::*;

/// One sample of the Prometheus text format: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// Parses the Prometheus text format (0.0.4): `# HELP`/`# TYPE` comments, and samples
/// `name{label="value",…} number`. Panics on a line that is neither.
fn parse_page(page: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in page.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            assert!(comment.starts_with("HELP ") || comment.starts_with("TYPE "), "{line}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                (name, rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}")))
            }
            None => (series, ""),
        };
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'), "{line}");
        let mut parsed = BTreeMap::new();
        let mut rest = labels;
        while !rest.is_empty() {
            let (key, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next() {
                    Some((_, '\\')) => value.push(chars.next().map(|(_, c)| c).unwrap()),
                    Some((i, '"')) => break i,
                    Some((_, c)) => value.push(c),
                    None => panic!("unterminated label in {line}"),
                }
            };
            parsed.insert(key.to_owned(), value);
            rest = after[end + 1..].trim_start_matches(',');
        }
        samples.push((name.to_owned(), parsed, value));
    }
    samples
}

/// The value of the sample named `name` whose labels include `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|(n, l, _)| {
            n == name && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(v))
        })
        .map(|(_, _, v)| *v)
}

#[test]
fn requests_move_the_counters_and_the_page_parses() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        scimkit_core::metrics::describe();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = TestServer::start(service(ServiceConfig::default())).await;
            let client = server.client(TOKEN);
            let user = json!({ "schemas": [USER_URN], "userName": "ann@example.com" });
            client.post(&format!("{BASE}/Users"), &user).await.expect(201);
            client
                .post(&format!("{BASE}/Users"), &user)
                .await
                .expect_error(409, Some("uniqueness"));
            client.get(&format!("{BASE}/Users?filter=userName%20eq%20%22x%22")).await.expect(200);
            server
                .client("not-a-token")
                .get(&format!("{BASE}/Users"))
                .await
                .expect_error(401, None);
            client.get(&format!("{BASE}/Nothing")).await.expect_error(404, None);
            client.get(&format!("{BASE}/ServiceProviderConfig")).await.expect(200);
            server.stop().await;
        });
    });

    let page = handle.render();
    let samples = parse_page(&page);
    let requests = "scim_requests_total";
    let created = [
        ("operation", "create"),
        ("resource_type", "User"),
        ("status", "201"),
        ("tenant", "acme"),
        ("scim_type", ""),
    ];
    assert_eq!(value(&samples, requests, &created), Some(1.0), "{page}");
    let conflict = [
        ("operation", "create"),
        ("status", "409"),
        ("scim_type", "uniqueness"),
        ("tenant", "acme"),
    ];
    assert_eq!(value(&samples, requests, &conflict), Some(1.0), "{page}");
    let listed = [("operation", "list"), ("status", "200"), ("tenant", "acme")];
    assert_eq!(value(&samples, requests, &listed), Some(1.0), "{page}");
    let refused = [("operation", "list"), ("status", "401"), ("tenant", "")];
    assert_eq!(value(&samples, requests, &refused), Some(1.0), "{page}");
    assert_eq!(
        value(&samples, requests, &[("operation", "unknown"), ("status", "404")]),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, requests, &[("operation", "discovery"), ("status", "200")]),
        Some(1.0)
    );
    let total: f64 = samples.iter().filter(|(n, _, _)| n == requests).map(|(_, _, v)| v).sum();
    assert_eq!(total, 6.0, "{page}");
    // The latency histogram (a summary in this exporter's default) counts the same requests.
    let durations: f64 = samples
        .iter()
        .filter(|(n, _, _)| n == "scim_request_duration_seconds_count")
        .map(|(_, _, v)| v)
        .sum();
    assert_eq!(durations, 6.0, "{page}");
    assert!(page.contains("# HELP scim_requests_total"), "{page}");
    // No token, user name or id in any label.
    for secret in [TOKEN, "not-a-token", "ann@example.com"] {
        assert!(!page.contains(secret), "{secret} in {page}");
    }
}

#[tokio::test]
async fn the_admin_address_serves_the_page() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("scim_requests_total", "tenant" => "acme").increment(3);
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let admin = tokio::spawn(scimkit_examples::serve_metrics(listener, handle));
    let client = Client::anonymous(address);
    let page = client.get("/metrics").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some(scimkit_examples::PROMETHEUS_TEXT));
    let samples = parse_page(&String::from_utf8(page.body.clone()).unwrap());
    assert_eq!(value(&samples, "scim_requests_total", &[("tenant", "acme")]), Some(3.0));
    assert_eq!(client.get("/other").await.status, 404);
    admin.abort();
}
