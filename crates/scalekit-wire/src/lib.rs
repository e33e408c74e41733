//! What the client core and LocalScalekit both need, written once: the wire's field and enum
//! names (`names`) and locks that survive a panicking holder (`sync`). Neither side depends on
//! the other (docs/architecture.md "Crates").

pub mod names;
pub mod sync;
