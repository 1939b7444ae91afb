//! Shared by the tests that run `siltdb serve` as a separate process: start
//! and kill it (`process.rs`), talk to it over keep-alive HTTP
//! (`client.rs`), drive it with the mixed workload of the torture and soak
//! tests while modelling what every acknowledged write did (`workload.rs`,
//! `model.rs`), and check a restarted server against that model
//! (`verify.rs`); and read its memory use (`memory.rs`).
#![allow(dead_code)] // each test file uses a different part

pub mod client;
pub mod memory;
pub mod model;
pub mod process;
pub mod verify;
pub mod workload;
