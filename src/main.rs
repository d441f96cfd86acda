#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    admit::cli::main()
}
