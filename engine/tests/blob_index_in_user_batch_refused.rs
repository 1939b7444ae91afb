//! A write batch holding a separated-value op (kind 2, only the engine's
//! own WAL batches carry one) is refused: a user could otherwise plant an
//! index pointing anywhere in any blob file.

use siltdb::{Db, Error, Options, WriteBatch};

#[test]
fn a_batch_with_a_blob_index_is_invalid_argument() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    // The vector of format-spec/wal.md: a kind-2 op and a put.
    let bytes: Vec<u8> = [
        "05 00 00 00 00 00 00 00 02 00 00 00",
        "02 03 62 69 67 0a 09 ac 02 80 a0 06 27 5c f4 a9",
        "01 01 73 01 76",
    ]
    .join(" ")
    .split_whitespace()
    .map(|h| u8::from_str_radix(h, 16).expect("hex"))
    .collect();
    let batch = WriteBatch::from_data(bytes, "test", 0).expect("a valid WAL batch");
    assert!(matches!(db.write(batch), Err(Error::InvalidArgument(_))));
    // Nothing of it was applied, and the database still takes writes.
    assert_eq!(db.get(b"s").expect("get"), None);
    db.put(b"s", b"v").expect("put");
}
