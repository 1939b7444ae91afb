//! `blob_reader`: a blob file (format-spec/value-log.md) through
//! [`BlobScanner`] and [`BlobReader`].
//!
//! Runs twice, on the raw bytes and on a copy whose record checksums were
//! recomputed ([`fix_blob_crcs`], with the checksum of the header's version:
//! masked CRC-32 in 1, XXH3 in 2) so mutations reach the code behind the
//! checksums. Checks: the scanner never panics, its errors are corruption
//! and sticky, records tile the file from offset 12 with strictly
//! increasing offsets; every record it finds reads back through
//! `BlobReader::read_value` as exactly its value for its key, and reads
//! with another checksum, key or length are corruption; arbitrary blob
//! indexes decoded from the input never panic the reader, and a read that
//! succeeds returns `value_len` bytes.

use std::sync::Arc;

use siltdb::low_level::coding::get_fixed32;
use siltdb::low_level::vlog::format::{FILE_HEADER_LEN, RECORD_HEADER_LEN};
use siltdb::low_level::vlog::{BlobIndex, BlobReader, BlobScanner, BlobVersion};

use crate::VecFile;

const NAME: &str = "000009.blob";

/// Recomputes the checksum of every record whose header and body fit,
/// walking the file as the scanner would, by the version in its header (a
/// file whose header names no known version is left as it is).
pub fn fix_blob_crcs(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let Some(version) = out
        .get(8..)
        .and_then(get_fixed32)
        .and_then(BlobVersion::from_number)
    else {
        return out;
    };
    let mut pos = FILE_HEADER_LEN;
    while pos + RECORD_HEADER_LEN <= out.len() {
        let (Some(k), Some(v)) = (get_fixed32(&out[pos + 4..]), get_fixed32(&out[pos + 8..]))
        else {
            break;
        };
        let key_end = pos + RECORD_HEADER_LEN + k as usize;
        let end = key_end.saturating_add(v as usize);
        if end > out.len() || key_end > out.len() {
            break;
        }
        let crc = version.record_checksum(&out[pos + 4..end]);
        out[pos..pos + 4].copy_from_slice(&crc.to_le_bytes());
        pos = end;
    }
    out
}

fn blob_once(data: &[u8]) {
    let reader = BlobReader::open(Arc::new(VecFile(data.to_vec())), NAME.into(), 9);
    let Ok(mut scanner) = BlobScanner::new(data, NAME, data.len() as u64) else {
        assert!(
            reader.is_err(),
            "the reader accepted a header the scanner refused"
        );
        return;
    };
    let reader = reader.expect("the scanner accepted the header, so must the reader");
    assert_eq!(
        reader.version(),
        scanner.version(),
        "one header, one version"
    );
    let bound = data.len() / RECORD_HEADER_LEN + 1;
    let mut expected_offset = FILE_HEADER_LEN as u64;
    let mut n = 0;
    loop {
        match scanner.next_record() {
            Ok(Some(r)) => {
                assert_eq!(r.offset, expected_offset, "records must tile the file");
                expected_offset += r.len();
                n += 1;
                assert!(n <= bound, "more records than the file can hold");
                let idx = BlobIndex {
                    file_number: 9,
                    offset: r.offset,
                    value_len: r.value.len() as u32,
                    crc: r.crc,
                };
                let got = reader
                    .read_value(&idx, r.key)
                    .expect("a scanned record reads");
                assert_eq!(got, r.value);
                let wrong_crc = BlobIndex {
                    crc: r.crc ^ 1,
                    ..idx
                };
                assert!(reader
                    .read_value(&wrong_crc, r.key)
                    .unwrap_err()
                    .is_corruption());
                let mut other_key = r.key.to_vec();
                other_key.push(0);
                assert!(reader
                    .read_value(&idx, &other_key)
                    .unwrap_err()
                    .is_corruption());
            }
            Ok(None) => {
                assert_eq!(scanner.offset(), data.len() as u64);
                break;
            }
            Err(e) => {
                assert!(e.is_corruption(), "unexpected error kind: {e:?}");
                assert!(scanner.next_record().is_err(), "error was not sticky");
                break;
            }
        }
    }
    // Indexes made of the input's own bytes, against keys made of them too.
    for start in (0..data.len().min(64)).step_by(7) {
        for len in [10usize, 12, 16, 29] {
            let Some(bytes) = data.get(start..start + len) else {
                continue;
            };
            let Ok(idx) = BlobIndex::decode(bytes) else {
                continue;
            };
            let idx = BlobIndex {
                file_number: 9,
                ..idx
            };
            let key = data.get(start..start + (len % 5)).unwrap_or(&[]);
            // Never allocate more than the file could hold.
            if idx.record_len(key.len()) > data.len() as u64 {
                assert!(reader.read_value(&idx, key).is_err());
                continue;
            }
            if let Ok(v) = reader.read_value(&idx, key) {
                assert_eq!(v.len(), idx.value_len as usize);
            }
        }
    }
}

/// `blob_reader`: the bytes as a blob file, scanned and read back.
pub fn run_blob(data: &[u8]) {
    blob_once(data);
    blob_once(&fix_blob_crcs(data));
}
