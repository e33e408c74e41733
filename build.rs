//! Compiles the project's own protos (proto/, the gRPC binding of docs/wire-protocol.md §12)
//! into Rust with protox and tonic-prost-build: no system `protoc` needed.

const PROTOS: [&str; 5] = [
    "proto/google/rpc/status.proto",
    "proto/scalekit/v1/errdetails/errdetails.proto",
    "proto/scalekit/v1/connected_accounts/connected_accounts.proto",
    "proto/scalekit/v1/tools/tools.proto",
    "proto/scalekit/v1/connections/connections.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "node")]
    napi_build::setup();

    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        // Servers for the emulator; clients (over any tower service) for the tests.
        .build_transport(false)
        .compile_fds(fds)?;
    Ok(())
}
