//! The dispatcher's deployment package: its source, embedded in the provider
//! binary at build time, zipped the same way every time, so the package's
//! hash says whether the deployed function runs this provider's code.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The dispatcher's source (`provider/dispatcher/dispatcher.py`).
const SOURCE: &[u8] = include_bytes!("../../../dispatcher/dispatcher.py");

/// The module name in the package, and so the handler's.
const MODULE_FILE: &str = "dispatcher.py";
pub const HANDLER: &str = "dispatcher.handler";

/// The zip Lambda runs: one stored file with a fixed timestamp and mode.
pub fn zip() -> Vec<u8> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    archive.start_file(MODULE_FILE, options).expect("an in-memory zip accepts a file");
    archive.write_all(SOURCE).expect("an in-memory zip accepts the source");
    archive.finish().expect("an in-memory zip finishes").into_inner()
}

/// Lambda's `CodeSha256` of [`zip`]: the base64 SHA-256 of the package.
pub fn code_sha256() -> String {
    STANDARD.encode(Sha256::digest(zip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_is_the_same_every_time_and_holds_the_source() {
        assert_eq!(zip(), zip());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip())).unwrap();
        let mut file = archive.by_name(MODULE_FILE).unwrap();
        let mut source = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut source).unwrap();
        assert_eq!(source, SOURCE);
        assert!(String::from_utf8_lossy(SOURCE).contains("def handler("));
        assert_eq!(code_sha256().len(), 44);
    }
}
