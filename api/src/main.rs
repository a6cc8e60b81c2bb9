use std::process::ExitCode;

// glibc's malloc spent about a fifth of the request threads' time on a
// batch of 1,000 interactions (BENCHMARKS.md, "Stop 18").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    api::cli::run().await
}
