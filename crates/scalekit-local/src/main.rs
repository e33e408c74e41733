//! The standalone `scalekit-local` executable: LocalScalekit in the foreground until SIGINT
//! (Ctrl-C) or SIGTERM. Arguments, messages and output are `scalekit_local::cli`'s, shared with
//! `npx scalekit-local`.

use std::io::Write as _;
use std::process::ExitCode;

use scalekit_local::cli::{self, CliSession, PROMPT};

fn main() -> ExitCode {
    let args = match cli::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(exit) => {
            if exit.to_stderr {
                eprint!("{}", exit.text);
            } else {
                print!("{}", exit.text);
            }
            return ExitCode::from(u8::try_from(exit.code).unwrap_or(2));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("scalekit-local")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("scalekit-local: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: cli::CliArgs) -> ExitCode {
    let session = match CliSession::start(args).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("{}", e.line());
            return ExitCode::FAILURE;
        }
    };
    print!("{}", session.banner());
    // The handlers are in place before the prompt: a Ctrl-C right after it must stop cleanly.
    let stop = match Stop::install() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("scalekit-local: cannot listen for signals: {e}");
            session.stop("error").await;
            return ExitCode::FAILURE;
        }
    };
    println!("{PROMPT}");
    // Lines reach a pipe (a test, a supervisor) at once, not when a buffer fills.
    let _ = std::io::stdout().flush();
    let signal = stop.wait().await;
    println!("{}", session.stop(signal).await);
    ExitCode::SUCCESS
}

/// The signals that stop the command.
struct Stop {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Stop {
    #[cfg(unix)]
    fn install() -> std::io::Result<Stop> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Stop {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> std::io::Result<Stop> {
        Ok(Stop {})
    }

    /// The name of the signal that arrived.
    #[cfg(unix)]
    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn wait(self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}
