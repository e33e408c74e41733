//! LocalScalekit over real loopback HTTP: one test binary, one module per area.

mod common;

mod accounts;
mod auth;
mod bodies;
mod grpc;
mod grpc_tools;
mod lifecycle;
mod links;
mod mcp_configs;
mod mcp_gateway;
mod mcp_grpc;
mod mcp_support;
mod mcp_tokens;
mod proxy;
mod tls;
mod token;
mod tools;
mod tools_filter;
