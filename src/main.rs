fn main() -> std::process::ExitCode {
    syndic::cli::main()
}
