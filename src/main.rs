//! The `dich` command line: parse arguments, set up logging, run, map to an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
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

/// Makes glibc give every block of 16 KiB or more back to the system when it is freed.
/// By default glibc raises that threshold to the size of the largest block freed so
/// far, and then keeps freed blocks of that size in its heap: after one 9 MB article
/// every later buffer of megabytes stayed allocated, and two such articles in a run
/// peaked 60 MB above one (issue 10, item 14; `docs/benchmarks.md`, "A 9 MB
/// paragraph"). 16 KiB rather than 128: the parts of a sentence cut for length are
/// each as long as a request (20–40 KB), and hundreds of them, with their
/// translations, left the heap fragmented (the 9 MB paragraph's peak 66 -> 58 MB).
/// Ordinary sentences allocate far below the threshold; throughput and the memory
/// of 1,000 articles measured no change. Other platforms' allocators keep no such
/// threshold.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a tuning parameter of the allocator; it is called
    // first thing in `main`, before any other thread exists, as glibc requires of
    // changes to its settings. A refusal (return value 0) leaves the default in place,
    // which is harmless.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 16 * 1024);
    }
}
