//! The dashboard (`frontend/dist`) is embedded in this crate
//! (`src/dashboard.rs`): rebuild when it is rebuilt. Before its first
//! build there is no folder to watch, so watch its parent, which changes
//! when `dist` appears.
fn main() {
    if std::path::Path::new("../frontend/dist").is_dir() {
        println!("cargo::rerun-if-changed=../frontend/dist");
    } else {
        println!("cargo::rerun-if-changed=../frontend");
    }
}
