//! The example server's command line, through clap: serving options, and the `tenant`
//! subcommands that manage tenants' tokens in the store the server runs on.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::ServeOptions;

/// A SCIM 2.0 service provider, on the in-memory store or on PostgreSQL.
#[derive(Parser, Debug)]
#[command(
    name = "server",
    about = "A SCIM 2.0 service provider, on the in-memory store or on PostgreSQL.",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
    #[command(flatten)]
    stores: StoreArgs,
    #[command(subcommand)]
    command: Option<Sub>,
}

const AFTER_HELP: &str = "\
Tenants: `server tenant add NAME` issues a tenant's token (shown once) in the token store of
the chosen store (PostgreSQL's own tables, or --tokens-file beside the in-memory store); a
running server sees tenants added, rotated and revoked within --token-refresh seconds, without
a restart. The --token tenant (`default`) is served as well.

Requests without valid credentials are answered (401) without reading their bodies. A request
head must arrive within 30 s (so an idle connection is closed after 30 s), and a response write
that makes no progress for 30 s closes the connection.

Ctrl-C (or SIGTERM) stops the server gracefully.

Logs go to standard output, one line per request; RUST_LOG (such as `warn` or
`info,scimkit_core=debug`) changes what is logged.";

/// Where resources and tokens are kept; shared by serving and the `tenant` subcommands.
#[derive(Args, Debug)]
struct StoreArgs {
    /// `memory` (the default) or a PostgreSQL URL such as postgres://user@localhost:5432/scim
    /// (tables are created at start)
    #[arg(
        long,
        global = true,
        env = "SCIM_STORE",
        default_value = "memory",
        hide_env_values = true
    )]
    store: String,
    /// The file tenants' tokens are kept in beside the in-memory store (digests only)
    #[arg(long, global = true, env = "SCIM_TOKENS_FILE", default_value = "scim-tokens.json")]
    tokens_file: PathBuf,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// The address to listen on
    #[arg(long, env = "SCIM_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// The bearer token of the `default` tenant (default: a random token, printed at start)
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true, value_parser = parse_token)]
    token: Option<String>,
    /// Where the service is mounted
    #[arg(long, env = "SCIM_BASE_PATH", default_value = "/scim/v2")]
    base_path: String,
    /// Append every provisioning event of the `default` tenant, in feed order, to FILE as one
    /// JSON object per line (resuming after the last line written on a restart)
    #[arg(long, env = "SCIM_EVENTS_LOG", value_name = "FILE", value_parser = parse_file)]
    events_log: Option<PathBuf>,
    /// Serve at most N connections at once; while N are open, new connections wait to be
    /// accepted until one closes
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = parse_positive)]
    max_connections: usize,
    /// How long a request body may take to arrive, in seconds (fractions such as 0.5 are
    /// fine); past it the answer is 408
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    body_timeout: Duration,
    /// How often the tenants' tokens are reloaded from the token store, in seconds
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    token_refresh: Duration,
    /// Serve metrics in the Prometheus text format at http://ADDR/metrics (off by default)
    #[arg(long, env = "SCIM_ADMIN_BIND", value_name = "ADDR")]
    admin_bind: Option<SocketAddr>,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Manage tenants and their tokens
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
}

/// What a `tenant` subcommand does.
#[derive(Subcommand, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TenantAction {
    /// Onboard a tenant: issue its token, printed once
    Add {
        /// The tenant's name
        name: String,
        /// Who the tenant's changes are recorded as made by
        #[arg(long, default_value = "SCIM client")]
        principal: String,
    },
    /// Issue a new token; the old ones stay valid for the overlap
    Rotate {
        /// The tenant's name
        name: String,
        /// How long the old tokens stay valid, in seconds
        #[arg(long, value_name = "SECS", default_value = "86400", value_parser = parse_secs_or_zero)]
        overlap: Duration,
    },
    /// Revoke every token of a tenant now
    Revoke {
        /// The tenant's name
        name: String,
    },
    /// List tenants, their tokens and when each was last used
    List,
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// Run the server with these options.
    Serve(Options),
    /// Manage tenants in this token store.
    Tenant {
        /// The store whose tokens to manage.
        store: StoreChoice,
        /// The tokens file, for the in-memory store.
        tokens_file: PathBuf,
        /// What to do.
        action: TenantAction,
    },
}

/// The example server's options.
///
/// Its `Debug` output never shows the token, nor the password of a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The address to listen on.
    pub bind: SocketAddr,
    /// The `default` tenant's bearer token, if one was given (`--token` or `SCIM_TOKEN`).
    pub token: Option<String>,
    /// Where the service is mounted.
    pub base_path: String,
    /// Where resources are kept.
    pub store: StoreChoice,
    /// Where tenants' tokens are kept beside the in-memory store.
    pub tokens_file: PathBuf,
    /// The file to append every event to, one JSON object per line.
    pub events_log: Option<PathBuf>,
    /// The serving limits (`--max-connections`, `--body-timeout`; the rest at their defaults).
    pub serve: ServeOptions,
    /// How often tokens are reloaded from the token store.
    pub token_refresh: Duration,
    /// Where metrics are served, if anywhere.
    pub admin_bind: Option<SocketAddr>,
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
            tokens_file: PathBuf::from("scim-tokens.json"),
            events_log: None,
            serve: ServeOptions::default(),
            token_refresh: Duration::from_secs(5),
            admin_bind: None,
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
            .field("tokens_file", &self.tokens_file)
            .field("events_log", &self.events_log)
            .field("serve", &self.serve)
            .field("token_refresh", &self.token_refresh)
            .field("admin_bind", &self.admin_bind)
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
fn parse_secs(text: &str) -> Result<Duration, String> {
    let secs = parse_secs_or_zero(text)?;
    if secs > Duration::ZERO {
        Ok(secs)
    } else {
        Err(format!("{text:?} is not a positive number of seconds"))
    }
}

/// A number of seconds, zero included, as a duration.
fn parse_secs_or_zero(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| *secs >= 0.0)
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("{text:?} is not a number of seconds"))
}

fn parse_positive(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a positive number"))
}

fn parse_token(text: &str) -> Result<String, String> {
    match text.trim().is_empty() {
        true => Err("the token must not be empty".to_owned()),
        false => Ok(text.to_owned()),
    }
}

fn parse_file(text: &str) -> Result<PathBuf, String> {
    match text.trim().is_empty() {
        true => Err("a file name is needed".to_owned()),
        false => Ok(PathBuf::from(text)),
    }
}

fn parse_store(text: &str) -> Result<StoreChoice, String> {
    if text == "memory" {
        Ok(StoreChoice::Memory)
    } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        Ok(StoreChoice::Postgres(text.to_owned()))
    } else {
        Err("neither `memory` nor a postgres:// URL".to_owned())
    }
}

impl Command {
    /// Parses the arguments (without the program name), with the environment variables clap
    /// reads (`SCIM_TOKEN`, `SCIM_STORE`, `SCIM_BIND`, …) filling in what they omit.
    ///
    /// # Errors
    ///
    /// clap's error: `--help` (whose [`kind`](clap::Error::kind) is `DisplayHelp`), or an
    /// argument that is unknown, lacks its value or is malformed. [`clap::Error::exit`] prints
    /// it and exits with clap's status (0 for help, 2 for a bad argument).
    ///
    /// # Examples
    ///
    /// ```
    /// use scimkit_examples::Command;
    ///
    /// let Command::Serve(options) = Command::parse(["--bind", "0.0.0.0:9000"])? else {
    ///     unreachable!()
    /// };
    /// assert_eq!(options.bind.port(), 9000);
    /// assert_eq!(options.base_path, "/scim/v2");
    /// let help = Command::parse(["--help"]).unwrap_err();
    /// assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    /// # Ok::<(), clap::Error>(())
    /// ```
    pub fn parse<I, S>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args = std::iter::once("server".to_owned()).chain(args.into_iter().map(Into::into));
        let cli = Cli::try_parse_from(args)?;
        let StoreArgs { store, tokens_file } = cli.stores;
        // Checked here rather than by clap, whose message would quote the URL, password and all.
        let store = parse_store(&store).map_err(|message| {
            use clap::CommandFactory;
            Cli::command()
                .error(clap::error::ErrorKind::ValueValidation, format!("--store: {message}"))
        })?;
        Ok(match cli.command {
            Some(Sub::Tenant { action }) => Command::Tenant { store, tokens_file, action },
            None => {
                let serve = cli.serve;
                Command::Serve(Options {
                    bind: serve.bind,
                    token: serve.token,
                    base_path: serve.base_path,
                    store,
                    tokens_file,
                    events_log: serve.events_log,
                    serve: ServeOptions {
                        max_connections: serve.max_connections,
                        body_timeout: serve.body_timeout,
                        ..ServeOptions::default()
                    },
                    token_refresh: serve.token_refresh,
                    admin_bind: serve.admin_bind,
                })
            }
        })
    }
}

/// The command line's help text, as `--help` prints it.
pub fn usage() -> String {
    use clap::CommandFactory;
    Cli::command().render_long_help().to_string()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    /// The arguments parsed with no environment variable in play (clap reads them).
    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        let names = ["SCIM_TOKEN", "SCIM_STORE", "SCIM_BIND", "SCIM_BASE_PATH", "SCIM_EVENTS_LOG"];
        if names.iter().any(|name| std::env::var_os(name).is_some()) {
            panic!("unset the SCIM_* variables to run these tests");
        }
        Command::parse(args.iter().copied())
    }

    fn serve(args: &[&str]) -> Options {
        match parse(args).unwrap() {
            Command::Serve(options) => options,
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn defaults_flags_and_environment() {
        assert_eq!(serve(&[]), Options::default());
        let options = serve(&["--bind", "127.0.0.1:0", "--token=abc", "--base-path", "/x"]);
        assert_eq!(options.bind.port(), 0);
        assert_eq!(options.token.as_deref(), Some("abc"));
        assert_eq!(options.base_path, "/x");
        assert_eq!(
            serve(&["--store", "postgres://u@localhost/db"]).store,
            StoreChoice::Postgres("postgres://u@localhost/db".to_owned())
        );
        assert_eq!(serve(&["--store=memory"]).store, StoreChoice::Memory);
        assert_eq!(
            serve(&["--events-log", "events.jsonl"]).events_log,
            Some(PathBuf::from("events.jsonl"))
        );
        assert_eq!(serve(&["--tokens-file", "t.json"]).tokens_file, PathBuf::from("t.json"));
        assert_eq!(serve(&["--token-refresh", "0.5"]).token_refresh, Duration::from_millis(500));
        assert_eq!(
            serve(&["--admin-bind", "127.0.0.1:9090"]).admin_bind,
            Some(SocketAddr::from(([127, 0, 0, 1], 9090)))
        );
        // Each option that has an environment variable names it in the help.
        let command = Cli::command();
        for (id, env) in [
            ("token", "SCIM_TOKEN"),
            ("store", "SCIM_STORE"),
            ("bind", "SCIM_BIND"),
            ("tokens_file", "SCIM_TOKENS_FILE"),
            ("admin_bind", "SCIM_ADMIN_BIND"),
        ] {
            let arg = command.get_arguments().find(|a| a.get_id() == id).unwrap();
            assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(env), "{id}");
        }
    }

    #[test]
    fn tenant_subcommands() {
        let tenant = |args: &[&str]| match parse(args).unwrap() {
            Command::Tenant { store, tokens_file, action } => (store, tokens_file, action),
            other => panic!("not a tenant command: {other:?}"),
        };
        let (store, file, action) = tenant(&["tenant", "add", "acme", "--principal", "Entra ID"]);
        assert_eq!((store, file), (StoreChoice::Memory, PathBuf::from("scim-tokens.json")));
        assert_eq!(
            action,
            TenantAction::Add { name: "acme".to_owned(), principal: "Entra ID".to_owned() }
        );
        let (store, _, action) =
            tenant(&["tenant", "rotate", "acme", "--overlap", "60", "--store", "postgres://h/db"]);
        assert_eq!(store, StoreChoice::Postgres("postgres://h/db".to_owned()));
        assert_eq!(
            action,
            TenantAction::Rotate { name: "acme".to_owned(), overlap: Duration::from_secs(60) }
        );
        let (_, file, action) = tenant(&["--tokens-file", "x.json", "tenant", "revoke", "acme"]);
        assert_eq!(
            (file, action),
            (PathBuf::from("x.json"), TenantAction::Revoke { name: "acme".to_owned() })
        );
        assert_eq!(tenant(&["tenant", "list"]).2, TenantAction::List);
        let (_, _, action) = tenant(&["tenant", "rotate", "acme", "--overlap", "0"]);
        assert_eq!(
            action,
            TenantAction::Rotate { name: "acme".to_owned(), overlap: Duration::ZERO }
        );
    }

    #[test]
    fn serving_limits() {
        assert_eq!(serve(&[]).serve, ServeOptions::default());
        let options = serve(&["--max-connections", "2", "--body-timeout=0.25"]);
        assert_eq!(options.serve.max_connections, 2);
        assert_eq!(options.serve.body_timeout, Duration::from_millis(250));
        assert_eq!(options.serve.write_timeout, ServeOptions::default().write_timeout);
        let options = serve(&["--max-connections=100000", "--body-timeout", "90"]);
        assert_eq!(options.serve.max_connections, 100_000);
        assert_eq!(options.serve.body_timeout, Duration::from_secs(90));
        let usage = usage();
        for flag in
            ["--max-connections", "--body-timeout", "--token-refresh", "--admin-bind", "tenant"]
        {
            assert!(usage.contains(flag), "{flag} is in the usage text");
        }
    }

    #[test]
    fn debug_hides_the_token_and_the_database_password() {
        let options = serve(&[
            "--token",
            "tok-9f2c",
            "--store",
            "postgres://scim:pw-77aa@db.internal:5432/scim",
        ]);
        let debug = format!("{options:?}");
        assert!(!debug.contains("tok-9f2c"), "{debug}");
        assert!(!debug.contains("pw-77aa"), "{debug}");
        assert!(debug.contains("token: Some(<redacted>)"), "{debug}");
        assert!(debug.contains("postgres://scim:<redacted>@db.internal:5432/scim"), "{debug}");
        assert!(!format!("{:?}", Command::Serve(options)).contains("pw-77aa"));
        assert!(format!("{:?}", serve(&[])).contains("token: None"));

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
        // A bad store URL is refused without being quoted, so its password stays out of the
        // message.
        let error = parse(&["--store", "mysql://u:pw-88bb@h"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ValueValidation);
        assert!(!error.to_string().contains("pw-88bb"), "{error}");
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
            &["--token-refresh", "0"],
            &["tenant"],
            &["tenant", "add"],
            &["tenant", "rotate", "acme", "--overlap", "-1"],
            &["tenant", "drop", "acme"],
        ] {
            let error = parse(bad).unwrap_err();
            assert_ne!(error.kind(), ErrorKind::DisplayHelp, "{bad:?}");
        }
        assert_eq!(parse(&["-h"]).unwrap_err().kind(), ErrorKind::DisplayHelp);
        assert_eq!(parse(&["tenant", "--help"]).unwrap_err().kind(), ErrorKind::DisplayHelp);
    }
}
