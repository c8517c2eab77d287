//! The example server's command line.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::ServeOptions;

/// The example server's `--help` text.
pub const USAGE: &str = "\
A SCIM 2.0 service provider, on the in-memory store or on PostgreSQL.

Usage: cargo run --release --example server -- [OPTIONS]

Options:
  --bind ADDR        the address to listen on (default 127.0.0.1:8080)
  --token TOKEN      the bearer token clients must send (default: $SCIM_TOKEN, else a random
                     token, printed at start)
  --base-path PATH   where the service is mounted (default /scim/v2)
  --store STORE      `memory` (the default) or a PostgreSQL URL such as
                     postgres://user@localhost:5432/scim (tables are created at start)
  --events-log FILE  append every provisioning event, in feed order, to FILE as one JSON
                     object per line (resuming after the last line written on a restart)
  --max-connections N
                     serve at most N connections at once (default 1024); while N are open,
                     new connections wait to be accepted until one closes
  --body-timeout SECS
                     how long a request body may take to arrive, in seconds (default 30;
                     fractions such as 0.5 are fine); past it the answer is 408
  -h, --help         print this help

Requests without valid credentials are answered (401) without reading their bodies. A
request head must arrive within 30 s (so an idle connection is closed after 30 s), and a
response write that makes no progress for 30 s closes the connection.

Ctrl-C (or SIGTERM) stops the server gracefully.

Logs go to standard output, one line per request; RUST_LOG (such as `warn` or
`info,scimkit_core=debug`) changes what is logged.";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// Run the server with these options.
    Serve(Options),
    /// Print [`USAGE`] and exit.
    Help,
}

/// The example server's options.
///
/// Its `Debug` output never shows the token, nor the password of a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The address to listen on.
    pub bind: SocketAddr,
    /// The bearer token, if one was given (`--token` or `SCIM_TOKEN`).
    pub token: Option<String>,
    /// Where the service is mounted.
    pub base_path: String,
    /// Where resources are kept.
    pub store: StoreChoice,
    /// The file to append every event to, one JSON object per line.
    pub events_log: Option<PathBuf>,
    /// The serving limits (`--max-connections`, `--body-timeout`; the rest at their defaults).
    pub serve: ServeOptions,
}

/// The store the example server runs on.
///
/// Its `Debug` output never shows the password of the PostgreSQL URL: in the URL's user
/// information or in a query parameter such as `password=`; a URL it cannot read is not shown
/// at all.
///
/// ```
/// use scimkit_examples::StoreChoice;
///
/// let store = StoreChoice::Postgres("postgres://scim:s3cret@db.internal/scim".to_owned());
/// assert_eq!(format!("{store:?}"), r#"Postgres("postgres://scim:<redacted>@db.internal/scim")"#);
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StoreChoice {
    /// The in-memory store (data is lost when the server stops).
    #[default]
    Memory,
    /// A PostgreSQL database at this URL.
    Postgres(String),
}

impl Default for Options {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: None,
            base_path: "/scim/v2".to_owned(),
            store: StoreChoice::Memory,
            events_log: None,
            serve: ServeOptions::default(),
        }
    }
}

/// What `Debug` shows in place of a secret.
const REDACTED: &str = "<redacted>";

/// Shows [`REDACTED`] (without quotes) in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .field("base_path", &self.base_path)
            .field("store", &self.store)
            .field("events_log", &self.events_log)
            .field("serve", &self.serve)
            .finish()
    }
}

impl fmt::Debug for StoreChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreChoice::Memory => f.write_str("Memory"),
            StoreChoice::Postgres(url) => match redact_url(url) {
                Some(url) => f.debug_tuple("Postgres").field(&url).finish(),
                None => f.debug_tuple("Postgres").field(&Redacted).finish(),
            },
        }
    }
}

/// `url`, a PostgreSQL URL, with its passwords replaced by [`REDACTED`]: the one in the user
/// information (`postgres://user:password@host`) and the values of query parameters whose
/// names say `password` (or are percent-encoded, so could). `None` when it is not a
/// `postgres://` or `postgresql://` URL, or holds control characters or spaces.
fn redact_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql"))
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let mut out = format!("{scheme}://");
    // Everything up to the last `@` is user information; a password cannot hide past it.
    let rest = match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            match userinfo.split_once(':') {
                Some((user, _password)) => out.push_str(&format!("{user}:{REDACTED}@")),
                None => out.push_str(&format!("{userinfo}@")),
            }
            host
        }
        None => rest,
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    out.push_str(before_query);
    if let Some(query) = query {
        out.push('?');
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _)) if secret_param(key) => format!("{key}={REDACTED}"),
                _ => param.to_owned(),
            })
            .collect();
        out.push_str(&params.join("&"));
    }
    Some(out)
}

/// Whether a URL query parameter named `key` may hold a secret.
fn secret_param(key: &str) -> bool {
    key.contains('%') || key.to_ascii_lowercase().contains("password")
}

/// A positive number of seconds (`30`, `0.5`) as a duration.
fn parse_seconds(name: &str, text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| *secs > 0.0)
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("{name}: {text:?} is not a positive number of seconds"))
}

impl Command {
    /// Parses the arguments (without the program name); `env_token` is the value of
    /// `SCIM_TOKEN`, used when `--token` is absent.
    ///
    /// # Errors
    ///
    /// A message naming the argument that is unknown, lacks its value or is malformed.
    ///
    /// # Examples
    ///
    /// ```
    /// use scimkit_examples::Command;
    ///
    /// let Command::Serve(options) = Command::parse(["--bind", "0.0.0.0:9000"], None)? else {
    ///     unreachable!()
    /// };
    /// assert_eq!(options.bind.port(), 9000);
    /// assert_eq!(options.base_path, "/scim/v2");
    /// assert_eq!(Command::parse(["--help"], None)?, Command::Help);
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse<I, S>(args: I, env_token: Option<String>) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut options = Options::default();
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => {
                    (name.to_owned(), Some(value.to_owned()))
                }
                _ => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "--bind" => {
                    let text = value()?;
                    options.bind =
                        text.parse().map_err(|_| format!("--bind: {text:?} is not an address"))?;
                }
                "--token" => {
                    let token = value()?;
                    if token.trim().is_empty() {
                        return Err("--token must not be empty".to_owned());
                    }
                    options.token = Some(token);
                }
                "--base-path" => options.base_path = value()?,
                "--store" => {
                    let store = value()?;
                    options.store = if store == "memory" {
                        StoreChoice::Memory
                    } else if store.starts_with("postgres://") || store.starts_with("postgresql://")
                    {
                        StoreChoice::Postgres(store)
                    } else {
                        return Err(format!(
                            "--store: {store:?} is neither `memory` nor a postgres:// URL"
                        ));
                    };
                }
                "--events-log" => {
                    let path = value()?;
                    if path.trim().is_empty() {
                        return Err("--events-log needs a file name".to_owned());
                    }
                    options.events_log = Some(PathBuf::from(path));
                }
                "--max-connections" => {
                    let text = value()?;
                    options.serve.max_connections =
                        text.trim().parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                            format!("--max-connections: {text:?} is not a positive number")
                        })?;
                }
                "--body-timeout" => {
                    options.serve.body_timeout = parse_seconds("--body-timeout", &value()?)?;
                }
                other => return Err(format!("unknown argument {other:?} (try --help)")),
            }
        }
        if options.token.is_none() {
            options.token = env_token.filter(|t| !t.trim().is_empty());
        }
        Ok(Command::Serve(options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str], env: Option<&str>) -> Options {
        match Command::parse(args.iter().copied(), env.map(str::to_owned)).unwrap() {
            Command::Serve(options) => options,
            Command::Help => panic!("not help"),
        }
    }

    #[test]
    fn defaults_flags_and_environment() {
        assert_eq!(serve(&[], None), Options::default());
        let options = serve(&["--bind", "127.0.0.1:0", "--token=abc", "--base-path", "/x"], None);
        assert_eq!(options.bind.port(), 0);
        assert_eq!(options.token.as_deref(), Some("abc"));
        assert_eq!(options.base_path, "/x");
        assert_eq!(serve(&[], Some("from-env")).token.as_deref(), Some("from-env"));
        assert_eq!(serve(&["--token", "flag"], Some("env")).token.as_deref(), Some("flag"));
        assert_eq!(serve(&[], Some(" ")).token, None);
        assert_eq!(
            serve(&["--store", "postgres://u@localhost/db"], None).store,
            StoreChoice::Postgres("postgres://u@localhost/db".to_owned())
        );
        assert_eq!(serve(&["--store=memory"], None).store, StoreChoice::Memory);
        assert_eq!(
            serve(&["--events-log", "events.jsonl"], None).events_log,
            Some(PathBuf::from("events.jsonl"))
        );
    }

    #[test]
    fn serving_limits() {
        assert_eq!(serve(&[], None).serve, ServeOptions::default());
        let options = serve(&["--max-connections", "2", "--body-timeout=0.25"], None);
        assert_eq!(options.serve.max_connections, 2);
        assert_eq!(options.serve.body_timeout, Duration::from_millis(250));
        assert_eq!(options.serve.write_timeout, ServeOptions::default().write_timeout);
        let options = serve(&["--max-connections=100000", "--body-timeout", "90"], None);
        assert_eq!(options.serve.max_connections, 100_000);
        assert_eq!(options.serve.body_timeout, Duration::from_secs(90));
        for flag in ["--max-connections", "--body-timeout"] {
            assert!(USAGE.contains(flag), "{flag} is in the usage text");
        }
    }

    #[test]
    fn debug_hides_the_token_and_the_database_password() {
        let options = serve(
            &["--token", "tok-9f2c", "--store", "postgres://scim:pw-77aa@db.internal:5432/scim"],
            None,
        );
        let debug = format!("{options:?}");
        assert!(!debug.contains("tok-9f2c"), "{debug}");
        assert!(!debug.contains("pw-77aa"), "{debug}");
        assert!(debug.contains("token: Some(<redacted>)"), "{debug}");
        assert!(debug.contains("postgres://scim:<redacted>@db.internal:5432/scim"), "{debug}");
        assert!(!format!("{:?}", Command::Serve(options)).contains("pw-77aa"));
        assert!(format!("{:?}", serve(&[], None)).contains("token: None"));

        let shown = |url: &str| format!("{:?}", StoreChoice::Postgres(url.to_owned()));
        for (url, expected) in [
            ("postgres://u@localhost/db", "postgres://u@localhost/db"),
            ("postgresql://localhost:5432", "postgresql://localhost:5432"),
            ("postgres://u:secret@h/db", "postgres://u:<redacted>@h/db"),
            ("postgres://u:se@cret@h/db", "postgres://u:<redacted>@h/db"),
            (
                "postgres://u:secret@h/db?sslmode=require",
                "postgres://u:<redacted>@h/db?sslmode=require",
            ),
            (
                "postgres://u@h/db?password=secret&sslpassword=secret&application_name=x",
                "postgres://u@h/db?password=<redacted>&sslpassword=<redacted>&application_name=x",
            ),
            ("postgres://u@h/db?pass%77ord=secret", "postgres://u@h/db?pass%77ord=<redacted>"),
            ("postgres://h:5432/db?options=a@secret", "postgres://h:<redacted>@secret"),
        ] {
            assert_eq!(shown(url), format!("Postgres({expected:?})"), "{url}");
        }
        for unreadable in ["host=h password=secret", "mysql://u:secret@h", "postgres://u:sec ret@h"]
        {
            assert_eq!(shown(unreadable), "Postgres(<redacted>)", "{unreadable}");
        }
        assert_eq!(format!("{:?}", StoreChoice::Memory), "Memory");
    }

    #[test]
    fn bad_arguments() {
        for bad in [
            &["--bind"][..],
            &["--bind", "nowhere"],
            &["--token", ""],
            &["--verbose"],
            &["--store", "mysql://x"],
            &["--events-log"],
            &["--events-log", ""],
            &["--max-connections"],
            &["--max-connections", "0"],
            &["--max-connections", "-1"],
            &["--max-connections", "many"],
            &["--body-timeout"],
            &["--body-timeout", "0"],
            &["--body-timeout", "-5"],
            &["--body-timeout", "NaN"],
            &["--body-timeout", "inf"],
            &["--body-timeout", "1e300"],
            &["--body-timeout", "soon"],
        ] {
            assert!(Command::parse(bad.iter().copied(), None).is_err(), "{bad:?}");
        }
        assert_eq!(Command::parse(["-h"], None).unwrap(), Command::Help);
    }
}
