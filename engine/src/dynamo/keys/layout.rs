//! Where the DynamoDB layer's data lives in the engine's key space.
//! Spec: format-spec/keys.md, "Table and index key layout".
//!
//! ```text
//! catalog:  00 00 00 00 | kind (u8) | ...
//! items:    table_id (u32 BE, ≥ 1) | index_id (u8, 0 = table) | hash(pk) | pk | sk
//! ```
//!
//! Table id 0 never names a table, so the catalog sorts before every table
//! and no table's range overlaps it.

/// Bytes of the table id prefix.
pub const TABLE_ID_LEN: usize = 4;
/// Index id of the table's own items.
pub const TABLE_INDEX_ID: u8 = 0;
/// Index id under which a table's stream records live (never an index).
pub const STREAM_INDEX_ID: u8 = 0xFE;

/// Catalog record kind: a table definition, keyed by table name.
pub const CATALOG_TABLE: u8 = b'T';
/// Catalog record kind: the next table id to hand out (one record).
pub const CATALOG_NEXT_ID: u8 = b'S';
/// Catalog record kind: a deleted table whose items are still being
/// reclaimed, keyed by table id.
pub const CATALOG_RETIRED: u8 = b'R';
/// Catalog record kind: a deleted secondary index whose entries are still
/// being reclaimed, keyed by table id (u32 BE) and index id (u8).
pub const CATALOG_RETIRED_INDEX: u8 = b'I';
/// Catalog record kind: the streams of a deleted table, readable (and their
/// records kept) until 24 hours after they were disabled; keyed by table id
/// (u32 BE).
pub const CATALOG_RETIRED_STREAMS: u8 = b'D';

/// The catalog key of `kind` + `suffix`.
pub fn catalog_key(kind: u8, suffix: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(TABLE_ID_LEN + 1 + suffix.len());
    k.extend_from_slice(&[0; TABLE_ID_LEN]);
    k.push(kind);
    k.extend_from_slice(suffix);
    k
}

/// The first key of every catalog record of `kind`.
pub fn catalog_prefix(kind: u8) -> Vec<u8> {
    catalog_key(kind, &[])
}

/// The prefix of every key of one table or index: `table_id ++ index_id`.
pub fn range_prefix(table_id: u32, index_id: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(TABLE_ID_LEN + 1 + 32);
    k.extend_from_slice(&table_id.to_be_bytes());
    k.push(index_id);
    k
}

/// The engine key of an item: [`range_prefix`] ++ `encoded` (the output of
/// [`crate::dynamo::keys::codec::encode_primary_key`]).
pub fn item_key(table_id: u32, index_id: u8, encoded: &[u8]) -> Vec<u8> {
    let mut k = range_prefix(table_id, index_id);
    k.extend_from_slice(encoded);
    k
}

/// The prefix of every key of a table and all its indexes.
pub fn table_prefix(table_id: u32) -> Vec<u8> {
    table_id.to_be_bytes().to_vec()
}

/// The smallest key greater than every key starting with `prefix`, or
/// `None` if there is none (the prefix is all `0xFF`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_sorts_before_every_table() {
        let catalog_max = catalog_key(0xFF, &[0xFF; 300]);
        let first_table = item_key(1, 0, &[]);
        assert!(catalog_max < first_table);
        assert!(range_prefix(1, 0) < range_prefix(1, 1));
        assert!(range_prefix(1, 255) < range_prefix(2, 0));
    }

    #[test]
    fn prefix_end_is_the_least_upper_bound() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        let p = [7u8, 0xFF, 0xFF];
        let end = prefix_end(&p).unwrap_or_default();
        assert!(end.as_slice() > &[7u8, 0xFF, 0xFF, 0xFF, 0xFF][..]);
    }
}
