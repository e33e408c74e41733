//! Compiles the project's own protos (proto/, the gRPC binding of docs/wire-protocol.md §12)
//! into Rust with protox and tonic-prost-build: no system `protoc` needed. The protos live at
//! the workspace root, beside the docs that describe them.

const PROTOS: [&str; 7] = [
    "google/rpc/status.proto",
    "scalekit/v1/errdetails/errdetails.proto",
    "scalekit/v1/connected_accounts/connected_accounts.proto",
    "scalekit/v1/tools/tools.proto",
    "scalekit/v1/connections/connections.proto",
    "scalekit/v1/mcp/mcp.proto",
    "scalekit/v1/providers/providers.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read when the script runs, not baked in when it is compiled: a build script's binary may be
    // reused for another checkout of the same workspace (one CARGO_TARGET_DIR for both).
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR")?;
    let root = std::path::Path::new(&crate_dir).join("../../proto");
    println!("cargo:rerun-if-changed={}", root.display());
    let files = PROTOS.map(|p| root.join(p));
    let fds = protox::compile(files, [&root])?;
    tonic_prost_build::configure()
        // Servers for the emulator; clients (over any tower service) for the tests.
        .build_transport(false)
        .compile_fds(fds)?;
    Ok(())
}
