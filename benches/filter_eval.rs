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

criterion_group!(benches, user_name_eq_1k, user_name_eq_100k, common_filters_100k, long_value_co);
criterion_main!(benches);

/// `id` compares case-exactly (as in the User schema); everything else without case.
struct CaseExactIds;

impl scimkit_filter::FilterSchema for CaseExactIds {
    fn attribute(
        &self,
        _: Option<&str>,
        name: &str,
        sub: Option<&str>,
    ) -> Option<scimkit_filter::AttrInfo> {
        use scimkit_filter::{AttrInfo, AttrType};
        (name == "id" && sub.is_none()).then(|| AttrInfo::new(AttrType::String, false, true))
    }
}

/// Substring search on one long value, its worst case for a naive search (`a…a` against
/// `a…ab`), the value doubling from 128 KiB to 1 MiB with an 8 KiB needle: the time must
/// double with it, not quadruple.
#[allow(clippy::unwrap_used)] // The filters are built here and known to be valid.
fn long_value_co(c: &mut Criterion) {
    let mut group = c.benchmark_group("eval_long_value_co");
    let needle = format!("{}b", "a".repeat(8 * 1024 - 1));
    let limits = scimkit_filter::Limits::default().with_max_length(1 << 16);
    for (case, name) in [("exact", "id"), ("folded", "displayName")] {
        let filter = Filter::parse_with(&format!(r#"{name} co "{needle}""#), &limits).unwrap();
        let filter = filter.prepare(&CaseExactIds).unwrap();
        for kib in [128, 256, 512, 1024] {
            let user = serde_json::json!({ name: "a".repeat(kib * 1024) });
            group.throughput(Throughput::Bytes(kib as u64 * 1024));
            group.bench_with_input(BenchmarkId::new(case, kib), &user, |b, user| {
                b.iter(|| black_box(filter.matches(user)))
            });
        }
    }
    group.finish();
}
