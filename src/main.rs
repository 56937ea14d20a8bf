//! The `dich` command line: parse arguments, set up logging, run, map to an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::init_logging(args.log_level());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return cli::Exit::Failed.into();
        }
    };
    let exit = runtime.block_on(cli::run(args));
    // Requests abandoned after Ctrl-C must not hold the process open.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    exit.into()
}
