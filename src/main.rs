#![forbid(unsafe_code)]

/// mimalloc rather than glibc's malloc: the many small allocations of a request (headers,
/// JSON, tokens, rows) cost a quarter of the processor with glibc's under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    admit::cli::main()
}
