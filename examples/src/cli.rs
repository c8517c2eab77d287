//! The example server's command line.

use std::net::SocketAddr;
use std::path::PathBuf;

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
  -h, --help         print this help

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

/// The store the example server runs on.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
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
        }
    }
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
    fn bad_arguments() {
        for bad in [
            &["--bind"][..],
            &["--bind", "nowhere"],
            &["--token", ""],
            &["--verbose"],
            &["--store", "mysql://x"],
            &["--events-log"],
            &["--events-log", ""],
        ] {
            assert!(Command::parse(bad.iter().copied(), None).is_err(), "{bad:?}");
        }
        assert_eq!(Command::parse(["-h"], None).unwrap(), Command::Help);
    }
}
