//! `gloact`: the GLO.ACT Partner API server and its administration commands (one module each in
//! `cli/`).

use std::process::ExitCode;

use clap::Parser;
use gloact_api::config::Settings;

mod cli;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("gloact: {error}");
            return ExitCode::from(2);
        }
    };
    gloact_api::telemetry::init(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("gloact: could not start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli.command.unwrap_or(Command::Serve), settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gloact: {error:#}");
            ExitCode::FAILURE
        }
    }
}
