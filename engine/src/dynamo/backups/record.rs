//! A backup's catalog record (format-spec/items.md, "Catalog records",
//! backup records): what the backup is and the table it was made of; the
//! data lives in the engine checkpoint `backups/<id>/` under the database
//! directory.

use crate::dynamo::error::DynamoError;
use crate::dynamo::items::codec::{decode_item, encode_item_to_vec};
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::keys::layout;
use crate::dynamo::tables::catalog::{decode_meta, encode_meta};
use crate::dynamo::tables::schema::TableMeta;

/// Version of the backup record layout, stored in every record.
const RECORD_VERSION: i64 = 1;

/// One on-demand backup.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupRecord {
    /// `<13-digit creation millis>-<8 hex digits>`: the key suffix, the
    /// ARN's last part and the checkpoint's directory name.
    pub id: String,
    /// The name CreateBackup was given.
    pub name: String,
    /// When it was made, milliseconds since the epoch.
    pub created_millis: i64,
    /// The table's items' size then (DynamoDB's size rules).
    pub size_bytes: i64,
    /// The table's item count then.
    pub item_count: i64,
    /// The table's definition then (its id names its key range in the
    /// checkpoint).
    pub table: TableMeta,
}

fn corrupt(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt backup record: {what}"))
}

/// The catalog key of backup `id`.
pub fn key(id: &str) -> Vec<u8> {
    layout::catalog_key(layout::CATALOG_BACKUP, id.as_bytes())
}

/// The key prefix of every backup record.
pub fn prefix() -> Vec<u8> {
    layout::catalog_prefix(layout::CATALOG_BACKUP)
}

/// True for a string shaped as a backup id.
pub fn is_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 22
        && b.iter().take(13).all(u8::is_ascii_digit)
        && b.get(13) == Some(&b'-')
        && b.iter()
            .skip(14)
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// Encodes `r` as its record's value.
pub fn encode(r: &BackupRecord) -> Vec<u8> {
    let mut item = Item::new();
    item.insert("Version".into(), AttributeValue::N(RECORD_VERSION.into()));
    item.insert("BackupName".into(), AttributeValue::S(r.name.clone()));
    item.insert(
        "CreationMillis".into(),
        AttributeValue::N(r.created_millis.into()),
    );
    item.insert("SizeBytes".into(), AttributeValue::N(r.size_bytes.into()));
    item.insert("ItemCount".into(), AttributeValue::N(r.item_count.into()));
    item.insert("Table".into(), AttributeValue::B(encode_meta(&r.table)));
    encode_item_to_vec(&item)
}

fn number(item: &Item, name: &str) -> Result<i64, DynamoError> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.to_string().parse().map_err(|_| corrupt(name)),
        _ => Err(corrupt(name)),
    }
}

/// Reads the record at `key` with value `value` back.
pub fn decode(key: &[u8], value: &[u8]) -> Result<BackupRecord, DynamoError> {
    let id = key
        .strip_prefix(prefix().as_slice())
        .and_then(|s| std::str::from_utf8(s).ok())
        .filter(|s| is_id(s))
        .ok_or_else(|| corrupt("key"))?;
    let item = decode_item(value).map_err(|e| corrupt(&e.to_string()))?;
    if number(&item, "Version")? != RECORD_VERSION {
        return Err(corrupt("unknown version"));
    }
    let name = match item.get("BackupName") {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => return Err(corrupt("BackupName")),
    };
    let table = match item.get("Table") {
        Some(AttributeValue::B(b)) => decode_meta(b)?,
        _ => return Err(corrupt("Table")),
    };
    Ok(BackupRecord {
        id: id.to_string(),
        name,
        created_millis: number(&item, "CreationMillis")?,
        size_bytes: number(&item, "SizeBytes")?,
        item_count: number(&item, "ItemCount")?,
        table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::tables::catalog::tests::vector_meta;

    fn sample() -> BackupRecord {
        BackupRecord {
            id: "1733367600000-0a1b2c3d".into(),
            name: "nightly".into(),
            created_millis: 1_733_367_600_000,
            size_bytes: 1234,
            item_count: 7,
            table: vector_meta(),
        }
    }

    #[test]
    fn ids_are_millis_dash_hex() {
        assert!(is_id("1733367600000-0a1b2c3d"));
        for bad in ["1733367600000-0A1B2C3D", "173336760000-0a1b2c3d0", "x", ""] {
            assert!(!is_id(bad), "{bad}");
        }
    }

    #[test]
    fn records_round_trip_and_bad_ones_are_errors() {
        let r = sample();
        assert_eq!(r.id, "1733367600000-0a1b2c3d");
        let (k, v) = (key(&r.id), encode(&r));
        assert_eq!(decode(&k, &v).unwrap(), r);
        assert!(decode(&key("nope"), &v).is_err());
        assert!(decode(&k, &v[..v.len() - 1]).is_err());
    }

    /// Prints the vector (`cargo test print_backup_vector -- --ignored --nocapture`).
    #[test]
    #[ignore = "prints the vector"]
    fn print_backup_vector() {
        println!("{}", crate::testutil::encode_hex_vector(&encode(&sample())));
    }

    #[test]
    fn backup_record_vector_decodes() {
        let text = include_str!("../../../../format-spec/vectors/catalog-backup.hex");
        let bytes = crate::testutil::decode_hex_vector(text);
        let r = decode(&key("1733367600000-0a1b2c3d"), &bytes).unwrap();
        assert_eq!(r, sample());
    }
}
