//! Shared fixtures for the scim-rs benchmarks: a deterministic generator of realistic SCIM users.
//!
//! The benches live beside this library (`filter_parse.rs`, `filter_eval.rs`, `patch_apply.rs`);
//! run them with
//! `cargo bench -p scimkit-benches`.

use serde_json::{Value, json};

/// The core User schema URI.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// The Enterprise User extension schema URI.
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const GIVEN_NAMES: [&str; 12] = [
    "Barbara", "James", "Mary", "Robert", "Linda", "Michael", "Susan", "David", "Karen", "Ahmed",
    "Yuki", "Zoë",
];
const FAMILY_NAMES: [&str; 12] = [
    "Jensen",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Nguyen",
    "Müller",
    "Andersson",
    "Okafor",
    "Tanaka",
    "Rossi",
];
const TITLES: [&str; 6] =
    ["Tour Guide", "Engineer", "Senior Engineer", "Manager", "Accountant", "Designer"];
const USER_TYPES: [&str; 3] = ["Employee", "Contractor", "Intern"];
const DEPARTMENTS: [&str; 5] = ["Engineering", "Sales", "Tour Operations", "Finance", "Support"];

/// `n` users, the same on every call: `userName` `user0` … `user{n-1}`, a `name`, a work and a
/// home email, `title` on about two thirds of them, `userType` on half, `active` (false on one in
/// seven), `meta` with a `lastModified` between 2020 and 2024 (some with a `+02:00` offset and
/// milliseconds), and an Enterprise User extension with a `department`.
///
/// Half of the work emails are at `example.com`, the other half at `other.com`; home emails are
/// never at `example.com`.
///
/// # Examples
///
/// ```
/// let users = scimkit_benches::generate_users(3);
/// assert_eq!(users.len(), 3);
/// assert_eq!(users[1]["userName"], "user1");
/// assert_eq!(users, scimkit_benches::generate_users(3));
/// ```
pub fn generate_users(n: usize) -> Vec<Value> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n).map(|i| user(i, &mut rng)).collect()
}

fn user(i: usize, rng: &mut Rng) -> Value {
    let given = GIVEN_NAMES[rng.below(GIVEN_NAMES.len())];
    let family = FAMILY_NAMES[rng.below(FAMILY_NAMES.len())];
    let work_domain = if rng.below(2) == 0 { "example.com" } else { "other.com" };
    let mut user = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "id": format!("{:016x}-{i:06}", rng.next()),
        "externalId": format!("EXT-{i}"),
        "userName": format!("user{i}"),
        "name": {
            "formatted": format!("{given} {family}"),
            "givenName": given,
            "familyName": family,
        },
        "displayName": format!("{given} {family}"),
        "emails": [
            { "value": format!("user{i}@{work_domain}"), "type": "work", "primary": true },
            { "value": format!("{}.{}{i}@home.example.org", given.to_lowercase(), family.to_lowercase()), "type": "home" },
        ],
        "active": i % 7 != 0,
        "meta": {
            "resourceType": "User",
            "created": "2019-06-01T09:00:00Z",
            "lastModified": timestamp(rng),
            "version": format!("W/\"{:x}\"", rng.next() & 0xffff_ffff),
            "location": format!("https://scim.example.com/v2/Users/{i}"),
        },
        ENTERPRISE_USER_SCHEMA: {
            "employeeNumber": format!("{}", 100_000 + i),
            "department": DEPARTMENTS[rng.below(DEPARTMENTS.len())],
        },
    });
    if let Value::Object(fields) = &mut user {
        if rng.below(3) != 0 {
            fields.insert("title".into(), TITLES[rng.below(TITLES.len())].into());
        }
        if rng.below(2) == 0 {
            fields.insert("userType".into(), USER_TYPES[rng.below(USER_TYPES.len())].into());
        }
    }
    user
}

/// A timestamp between 2020-01-01 and 2024-12-31, in UTC or at `+02:00`, sometimes with
/// milliseconds.
fn timestamp(rng: &mut Rng) -> String {
    const START_DAY: u64 = 18_262; // 2020-01-01
    let secs = START_DAY * 86_400 + rng.next() % (5 * 365 * 86_400);
    let shifted = rng.below(3) == 0;
    let local = if shifted { secs + 7_200 } else { secs };
    let (y, m, d) = civil_from_days(local / 86_400);
    let t = local % 86_400;
    let mut s = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
    if rng.below(4) == 0 {
        s.push_str(&format!(".{:03}", rng.below(1000)));
    }
    s.push_str(if shifted { "+02:00" } else { "Z" });
    s
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`, for days >= 0).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// Runs a future that completes without waiting (such as the in-memory store's operations) to
/// its end, with no runtime: it is polled once.
///
/// # Panics
///
/// If the future is not ready after one poll.
///
/// ```
/// assert_eq!(scimkit_benches::ready(async { 42 }), 42);
/// ```
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        #[allow(clippy::panic)]
        std::task::Poll::Pending => panic!("the future was not ready"),
    }
}

/// A request to the protocol service as a provisioning client sends it: host, the bench's
/// bearer token (`bench-token`) and a SCIM body type.
///
/// ```
/// let request = scimkit_benches::service_request("GET", "/scim/v2/Users", Vec::new());
/// assert_eq!(request.headers()["authorization"], "Bearer bench-token");
/// ```
pub fn service_request(method: &str, uri: &str, body: Vec<u8>) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(body);
    *request.method_mut() = method.parse().unwrap_or_default();
    *request.uri_mut() = uri.parse().unwrap_or_default();
    let headers = request.headers_mut();
    headers.insert("host", http::HeaderValue::from_static("127.0.0.1:8080"));
    headers.insert("authorization", http::HeaderValue::from_static("Bearer bench-token"));
    headers.insert("content-type", http::HeaderValue::from_static("application/scim+json"));
    request
}

/// This process's resident memory in bytes (Linux), for memory-per-resource estimates.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// A xorshift64* generator: deterministic and good enough for fixtures.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(18_262), (2020, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn users_are_realistic() {
        let users = generate_users(1000);
        let count = |f: &dyn Fn(&Value) -> bool| users.iter().filter(|u| f(u)).count();
        let titled = count(&|u| u.get("title").is_some());
        let typed = count(&|u| u.get("userType").is_some());
        let work_example = count(&|u| {
            u["emails"][0]["value"].as_str().is_some_and(|v| v.ends_with("@example.com"))
        });
        assert!((550..780).contains(&titled), "{titled}");
        assert!((400..600).contains(&typed), "{typed}");
        assert!((400..600).contains(&work_example), "{work_example}");
        for u in &users {
            let ts = u["meta"]["lastModified"].as_str().unwrap();
            assert!(ts.starts_with("202") && ts.len() >= 20, "{ts}");
        }
    }
}
