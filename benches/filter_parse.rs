//! Parsing SCIM filters: a simple comparison and a value path combined with `or`, `and`, `not`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scimkit_filter::Filter;

const FILTERS: [(&str, &str); 2] = [
    ("simple", r#"userName eq "bjensen""#),
    (
        "value_path_and_logic",
        r#"emails[type eq "work" and value co "@example.com"] or (title pr and not (userType eq "Intern"))"#,
    ),
];

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter_parse");
    for (name, text) in FILTERS {
        group.bench_function(name, |b| b.iter(|| Filter::parse(black_box(text))));
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
