//! Evaluating prepared SCIM filters over generated users, next to a hand-written predicate.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scimkit_benches::generate_users;
use scimkit_filter::{Filter, NoSchema, PreparedFilter};
use serde_json::Value;

/// Common filters, evaluated over 100,000 users.
const COMMON: [(&str, &str); 12] = [
    ("user_name_eq", r#"userName eq "user50000""#),
    ("family_name_sw", r#"name.familyName sw "jen""#),
    ("family_name_co", r#"name.familyName co "SON""#),
    ("emails_co", r#"emails co "@example.com""#),
    ("value_path_and", r#"emails[type eq "work" and value co "@example.com"]"#),
    ("value_path_attr", r#"emails[type eq "work"].value ew "@example.com""#),
    ("title_pr", "title pr"),
    ("user_type_ne_absent", r#"userType ne "Employee""#),
    ("last_modified_gt", r#"meta.lastModified gt "2023-01-01T00:00:00Z""#),
    ("active_eq_true", "active eq true"),
    (
        "enterprise_department_eq",
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Engineering""#,
    ),
    (
        "complex_and_or_not",
        r#"emails[type eq "work" and value co "@example.com"] or (title pr and not (userType eq "Intern"))"#,
    ),
];

/// Parses and prepares one of the fixed, valid filters above.
#[allow(clippy::expect_used)] // The filters are constants known to be valid.
fn prepare(text: &str) -> PreparedFilter {
    Filter::parse(text).expect("a valid filter").prepare(&NoSchema).expect("no schema, no error")
}

fn count(users: &[Value], predicate: impl Fn(&Value) -> bool) -> usize {
    users.iter().filter(|u| predicate(black_box(u))).count()
}

/// `userName eq` over 1,000 users (cache-resident): time per resource.
fn user_name_eq_1k(c: &mut Criterion) {
    let users = generate_users(1_000);
    let filter = prepare(r#"userName eq "user500""#);
    let mut group = c.benchmark_group("eval_user_name_eq_1k");
    group.throughput(Throughput::Elements(users.len() as u64));
    group.bench_function("prepared", |b| b.iter(|| count(&users, |u| filter.matches(u))));
    group.bench_function("hand_written", |b| b.iter(|| count(&users, user_name_is_user500)));
    group.finish();
}

/// `userName eq` over 100,000 users, next to the hand-written predicate.
fn user_name_eq_100k(c: &mut Criterion) {
    let users = generate_users(100_000);
    let filter = prepare(r#"userName eq "user500""#);
    let mut group = c.benchmark_group("eval_user_name_eq_100k");
    group.throughput(Throughput::Elements(users.len() as u64));
    group.bench_function("prepared", |b| b.iter(|| count(&users, |u| filter.matches(u))));
    group.bench_function("hand_written", |b| b.iter(|| count(&users, user_name_is_user500)));
    group.finish();
}

/// The baseline: the same lookup written by hand on the same values.
fn user_name_is_user500(u: &Value) -> bool {
    u.get("userName").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("user500"))
}

/// A dozen common filters over 100,000 users.
fn common_filters_100k(c: &mut Criterion) {
    let users = generate_users(100_000);
    let mut group = c.benchmark_group("eval_common_100k");
    group.throughput(Throughput::Elements(users.len() as u64));
    for (name, text) in COMMON {
        let filter = prepare(text);
        group.bench_with_input(BenchmarkId::from_parameter(name), &filter, |b, filter| {
            b.iter(|| count(&users, |u| filter.matches(u)))
        });
    }
    group.finish();
}

criterion_group!(benches, user_name_eq_1k, user_name_eq_100k, common_filters_100k);
criterion_main!(benches);
