//! The `dich` command line.

fn main() {}
