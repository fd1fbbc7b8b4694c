fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(opsguard::app::run(std::env::args_os()))
}
