//! Threads that work beside the requests (writing files, checkpointing the memory,
//! parsing sources ahead, the run loop itself) give way to the request slots.
//!
//! On a 2-core machine the run's own threads outnumber the cores. When an answer
//! arrives while the run loop commits and the write thread renders a file, the slot
//! that should send the next request waits until one of them is preempted, and every
//! such wait lengthens the run by as much (issue 15: a slot's gap from an answer to its
//! next request was 1.1–1.5 ms at the 99th percentile, 0.14–0.16 ms once the other
//! threads were marked; `docs/benchmarks.md`). Their work is never urgent: the files
//! are written, the WAL copied, a few hundred microseconds later instead.

/// Marks the calling thread as background work. On Linux it becomes `SCHED_BATCH`: the
/// scheduler treats it as CPU-bound and does not let its wake-ups preempt a running
/// thread, while its share of the CPU stays that of any other thread at its nice
/// value, so on a busy machine it is not starved. No privilege is needed. Elsewhere,
/// and when the system refuses, the thread keeps its policy: this changes only how
/// soon it runs, never what it does.
///
/// One system call, written here rather than taken from a crate such as
/// `thread-priority`: `libc` is already a dependency, and the crate's portable
/// abstraction would add nothing to one Linux policy. The system call itself, not
/// the C library's wrapper: musl's `sched_setscheduler` only returns `ENOSYS`.
pub fn mark_as_background() {
    #[cfg(target_os = "linux")]
    // SAFETY: the call acts on the calling thread only (pid 0) and reads nothing but
    // the `sched_param` that lives on this stack frame for the whole call. It is
    // zeroed rather than built field by field: musl's has more fields than glibc's,
    // and a priority of 0 is what `SCHED_BATCH` requires.
    unsafe {
        let param: libc::sched_param = std::mem::zeroed();
        let _ = libc::syscall(
            libc::SYS_sched_setscheduler,
            0,
            libc::SCHED_BATCH,
            &raw const param,
        );
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The calling thread's policy, by the system call (musl's wrapper is a stub).
    fn policy() -> libc::c_long {
        // SAFETY: reads the calling thread's policy; no memory is passed.
        unsafe { libc::syscall(libc::SYS_sched_getscheduler, 0) }
    }

    #[test]
    fn a_marked_thread_runs_as_batch_work_and_others_keep_their_policy() {
        let before = policy();
        let marked = std::thread::spawn(|| {
            mark_as_background();
            policy()
        })
        .join()
        .expect("the thread ends");
        assert_eq!(marked, libc::c_long::from(libc::SCHED_BATCH));
        // The test's own thread, never marked, keeps whatever it was started with.
        assert_eq!(policy(), before);
    }
}
