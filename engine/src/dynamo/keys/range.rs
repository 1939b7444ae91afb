//! The byte ranges reads cover: a Query's key condition compiled to a
//! range of one partition, a Scan's whole range or parallel-scan segment,
//! and where a page resumes after `ExclusiveStartKey`.
//!
//! Keys of index entries continue after the index sort key (the table key
//! follows it), so bounds that must include every key starting with
//! `partition ++ enc(v)` use [`prefix_end`] of it; on a table nothing
//! follows the sort key and the same bounds select the same items.

use crate::dynamo::api::AttributeValues;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::{
    between_bounds_message, Comparator, ExprKind, KeyCondition, KeyPart, KeyTest,
};
use crate::dynamo::items::value::{AttributeValue, INVALID_PARAMETER};
use crate::dynamo::keys::codec::{
    encode_key_value, encode_prefix, is_empty_key, ScalarAttributeType, HASH_PREFIX_LEN,
};
use crate::dynamo::keys::layout::{
    composite_partition_prefix, prefix_end, range_prefix, successor, TABLE_ID_LEN, TABLE_INDEX_ID,
};
use crate::dynamo::tables::schema::{IndexMeta, KeyAttr, TableMeta, MAX_PARTITION_KEY_BYTES};

#[cfg(test)]
#[path = "range_tests.rs"]
mod testdata;

/// Largest `TotalSegments` (API model: 1..=1000000).
pub const MAX_TOTAL_SEGMENTS: i64 = 1_000_000;

/// Engine keys from `start` (inclusive) to `end` (exclusive; `None`: to the
/// end of the key space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyRange {
    /// The first key.
    pub start: Vec<u8>,
    /// Past the last key.
    pub end: Option<Vec<u8>>,
}

impl KeyRange {
    /// Whether `key` lies in the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        key >= self.start.as_slice() && self.end.as_deref().is_none_or(|e| key < e)
    }

    /// The keys of the range after `key`: where a forward read that ended
    /// at `key` resumes.
    pub fn after(mut self, key: &[u8]) -> KeyRange {
        let next = successor(key);
        if next > self.start {
            self.start = next;
        }
        self
    }

    /// The keys of the range before `key`: where a backward read that ended
    /// at `key` resumes.
    pub fn before(mut self, key: &[u8]) -> KeyRange {
        if self.end.as_deref().is_none_or(|e| key < e) {
            self.end = Some(key.to_vec());
        }
        self
    }
}

/// The hash-prefix range `[lo, hi)` of `segment` out of `total`; `hi` is
/// `None` for the last segment (up to 2^32).
pub fn segment_bounds(segment: u64, total: u64) -> (u32, Option<u32>) {
    let space = 1u64 << 32;
    let lo = segment * space / total;
    let hi = (segment + 1) * space / total;
    let to_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    (to_u32(lo), (hi < space).then_some(to_u32(hi)))
}

/// What a Query reads: a table's items or one index's entries, with the
/// key attributes its key condition must name.
pub(crate) struct KeySpace<'a> {
    /// The partition key's attributes (one, or up to four on a global
    /// index with a multi-attribute key), in key schema order.
    pub hash: &'a [KeyAttr],
    /// The sort key's attributes (none, one, or up to four), in key schema
    /// order.
    pub range: &'a [KeyAttr],
    /// The table's id.
    pub table_id: u32,
    /// The index's id (the table's own items: [`TABLE_INDEX_ID`]).
    pub index_id: u8,
    /// The index, when reading one (for its messages).
    pub index: Option<&'a IndexMeta>,
}

impl<'a> KeySpace<'a> {
    /// The table's own items.
    pub fn table(meta: &'a TableMeta) -> KeySpace<'a> {
        KeySpace {
            hash: std::slice::from_ref(&meta.hash),
            range: meta.range.as_slice(),
            table_id: meta.id,
            index_id: TABLE_INDEX_ID,
            index: None,
        }
    }

    /// The entries of index `idx` of `meta`.
    pub fn index(meta: &TableMeta, idx: &'a IndexMeta) -> KeySpace<'a> {
        KeySpace {
            hash: &idx.hash,
            range: &idx.range,
            table_id: meta.id,
            index_id: idx.id,
            index: Some(idx),
        }
    }

    /// Table or index as the request named it.
    pub fn of(meta: &'a TableMeta, index: Option<&'a IndexMeta>) -> KeySpace<'a> {
        match index {
            Some(idx) => KeySpace::index(meta, idx),
            None => KeySpace::table(meta),
        }
    }

    /// Every key of the table's items or of the index's entries.
    pub fn whole(&self) -> KeyRange {
        let prefix = range_prefix(self.table_id, self.index_id);
        KeyRange {
            end: prefix_end(&prefix),
            start: prefix,
        }
    }

    /// The keys of parallel-scan segment `segment` of `total`: a slice of
    /// the 32-bit hash-prefix space.
    pub fn segment(&self, segment: u64, total: u64) -> KeyRange {
        let prefix = range_prefix(self.table_id, self.index_id);
        let (lo, hi) = segment_bounds(segment, total);
        let mut start = prefix.clone();
        start.extend_from_slice(&lo.to_be_bytes());
        let end = match hi {
            Some(hi) => {
                let mut e = prefix;
                e.extend_from_slice(&hi.to_be_bytes());
                Some(e)
            }
            None => prefix_end(&prefix),
        };
        KeyRange { start, end }
    }

    /// Whether `key` (of this table or index) lies in parallel-scan segment
    /// `segment` of `total`.
    pub fn in_segment(&self, key: &[u8], segment: u64, total: u64) -> bool {
        let at = TABLE_ID_LEN + 1;
        let hash = key
            .get(at..at + HASH_PREFIX_LEN)
            .and_then(|h| <[u8; HASH_PREFIX_LEN]>::try_from(h).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0);
        let (lo, hi) = segment_bounds(segment, total);
        hash >= lo && hi.is_none_or(|hi| hash < hi)
    }
}

fn value<'a>(values: &'a AttributeValues, name: &str) -> Result<&'a AttributeValue, DynamoError> {
    values.get(name).ok_or_else(|| {
        DynamoError::validation(format!(
            "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: {name}"
        ))
    })
}

fn typed<'a>(
    values: &'a AttributeValues,
    name: &str,
    attr: &KeyAttr,
) -> Result<&'a AttributeValue, DynamoError> {
    let v = value(values, name)?;
    if ScalarAttributeType::of(v) != Some(attr.ty) {
        // dynalite db/index.js (queryTable), as DynamoDB words it.
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Condition parameter type does not match schema type"
        )));
    }
    Ok(v)
}

fn encoded(v: &AttributeValue) -> Result<Vec<u8>, DynamoError> {
    let mut out = Vec::new();
    encode_key_value(v, &mut out)?;
    Ok(out)
}

/// "Query condition missed key schema element: `name`".
pub(crate) fn missed(name: &str) -> DynamoError {
    DynamoError::validation(format!("Query condition missed key schema element: {name}"))
}

/// "RANGE key attributes `prior` must have equality conditions specified in
/// the query because a condition is present on key attribute `later`": a
/// multi-attribute sort key's conditions skip an attribute, or put a range
/// condition before the last attribute they name (DynamoDB's words, as a
/// client test run against the service records them).
pub(crate) fn range_needs_equality(prior: &str, later: &str) -> DynamoError {
    DynamoError::validation(format!(
        "RANGE key attributes {prior} must have equality conditions specified in the query because a condition is present on key attribute {later}"
    ))
}

/// A partition key value of a Query: of the key's type, not empty, within
/// the size limit.
fn partition_value<'a>(
    space: &KeySpace<'_>,
    values: &'a AttributeValues,
    name: &str,
    attr: &KeyAttr,
) -> Result<&'a AttributeValue, DynamoError> {
    let pk = typed(values, name, attr)?;
    if is_empty_key(pk) {
        let what = if matches!(pk, AttributeValue::S(_)) {
            "string"
        } else {
            "binary"
        };
        return Err(DynamoError::validation(match space.index {
            // DynamoDB Local's wording for an index key (as on writes).
            Some(idx) => format!(
                "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {what} value. IndexName: {}, IndexKey: {}",
                idx.name, attr.name
            ),
            None => format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {what} value. Key: {}",
                attr.name
            ),
        }));
    }
    if pk.size() > MAX_PARTITION_KEY_BYTES {
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Size of hashkey has exceeded the maximum size limit of{MAX_PARTITION_KEY_BYTES} bytes"
        )));
    }
    Ok(pk)
}

/// The engine keys a Query with key condition `kc` on `space` reads, with
/// DynamoDB's messages for conditions that cannot be compiled.
///
/// Every HASH attribute needs an equality. RANGE attributes are taken left
/// to right: the condition may name a prefix of them with no gap, with an
/// equality on each but the last it names, which may carry any sort key
/// condition. The equalities extend the partition prefix (each value's
/// encoding is self-delimiting), and the last condition is a range within
/// it, as on a single sort key.
pub(crate) fn key_range(
    space: &KeySpace<'_>,
    kc: &KeyCondition,
    values: &AttributeValues,
) -> Result<KeyRange, DynamoError> {
    let mut hash_parts: Vec<Option<&KeyPart>> = vec![None; space.hash.len()];
    let mut range_parts: Vec<Option<&KeyPart>> = vec![None; space.range.len()];
    let named = |name: &str| kc.0.iter().any(|p| p.attribute == name);
    for part in &kc.0 {
        let hash = space.hash.iter().position(|h| h.name == part.attribute);
        let range = space.range.iter().position(|r| r.name == part.attribute);
        if let Some(slot) = hash.and_then(|i| hash_parts.get_mut(i)) {
            *slot = Some(part);
        } else if let Some(slot) = range.and_then(|i| range_parts.get_mut(i)) {
            *slot = Some(part);
        } else {
            // A condition on an attribute outside the key: DynamoDB names
            // the key attribute it expected there — the first HASH one
            // not named, else the first RANGE one not named.
            let missing_hash = space.hash.iter().find(|h| !named(&h.name));
            let name = match (missing_hash, space.range.first()) {
                (None, Some(first)) => space
                    .range
                    .iter()
                    .find(|r| !named(&r.name))
                    .unwrap_or(first)
                    .name
                    .as_str(),
                (Some(h), _) => h.name.as_str(),
                (None, None) => space.hash.first().map_or("", |h| h.name.as_str()),
            };
            return Err(missed(name));
        }
    }
    let mut pks = Vec::with_capacity(space.hash.len());
    for (attr, part) in space.hash.iter().zip(&hash_parts) {
        let part = part.ok_or_else(|| missed(&attr.name))?;
        let KeyTest::Compare(Comparator::Eq, name) = &part.test else {
            return Err(DynamoError::validation("Query key condition not supported"));
        };
        pks.push((name, attr));
    }
    // Left to right: every RANGE attribute before one with a condition
    // needs an equality.
    for (later, part) in space.range.iter().zip(&range_parts) {
        if part.is_none() {
            continue;
        }
        for (prior, prior_part) in space.range.iter().zip(&range_parts) {
            if prior.name == later.name {
                break;
            }
            if !prior_part.is_some_and(|p| matches!(p.test, KeyTest::Compare(Comparator::Eq, _))) {
                return Err(range_needs_equality(&prior.name, &later.name));
            }
        }
    }
    let pk_values = pks
        .into_iter()
        .map(|(name, attr)| partition_value(space, values, name, attr))
        .collect::<Result<Vec<_>, _>>()?;
    let mut prefix = composite_partition_prefix(space.table_id, space.index_id, &pk_values)?;
    // The last RANGE attribute named carries the range; the ones before it
    // are equalities that extend the prefix.
    let Some(last) = range_parts.iter().rposition(Option::is_some) else {
        return Ok(KeyRange {
            end: prefix_end(&prefix),
            start: prefix,
        });
    };
    for (attr, part) in space.range.iter().zip(&range_parts).take(last) {
        if let Some(KeyPart {
            test: KeyTest::Compare(Comparator::Eq, name),
            ..
        }) = part
        {
            encode_key_value(typed(values, name, attr)?, &mut prefix)?;
        }
    }
    let (Some(Some(part)), Some(range_attr)) = (range_parts.get(last), space.range.get(last))
    else {
        return Ok(KeyRange {
            end: prefix_end(&prefix),
            start: prefix,
        });
    };
    let partition_end = prefix_end(&prefix);
    let at = |v: &AttributeValue| -> Result<Vec<u8>, DynamoError> {
        let mut k = prefix.clone();
        k.extend_from_slice(&encoded(v)?);
        Ok(k)
    };
    // The first key after every key that starts with `k`.
    let past = |k: Vec<u8>| prefix_end(&k);
    // A start bound past the end of the key space selects nothing.
    let from = |start: Option<Vec<u8>>| match start {
        Some(s) => (s, partition_end.clone()),
        None => (prefix.clone(), Some(prefix.clone())),
    };
    let (start, end) = match &part.test {
        KeyTest::Compare(op, name) => {
            let v = typed(values, name, range_attr)?;
            match op {
                Comparator::Eq => {
                    let k = at(v)?;
                    (k.clone(), past(k))
                }
                Comparator::Lt => (prefix.clone(), Some(at(v)?)),
                Comparator::Le => (prefix.clone(), past(at(v)?)),
                Comparator::Gt => from(past(at(v)?)),
                Comparator::Ge => (at(v)?, partition_end.clone()),
                Comparator::Ne => {
                    return Err(DynamoError::validation(
                        "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>",
                    ))
                }
            }
        }
        KeyTest::Between(lo, hi) => {
            let lo_v = typed(values, lo, range_attr)?;
            let hi_v = typed(values, hi, range_attr)?;
            let (lo_k, hi_k) = (at(lo_v)?, at(hi_v)?);
            if lo_k > hi_k {
                return Err(between_bounds_message(ExprKind::KeyCondition, lo_v, hi_v).into());
            }
            (lo_k, past(hi_k))
        }
        KeyTest::BeginsWith(name) => {
            let v = value(values, name)?;
            let bytes: &[u8] = match (v, range_attr.ty) {
                (AttributeValue::S(s), ScalarAttributeType::S) => s.as_bytes(),
                (AttributeValue::B(b), ScalarAttributeType::B) => b,
                (v, ScalarAttributeType::N) if ScalarAttributeType::of(v).is_some() => {
                    return Err(DynamoError::validation(
                        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
                    ))
                }
                _ => {
                    return Err(DynamoError::validation(format!(
                        "{INVALID_PARAMETER}Condition parameter type does not match schema type"
                    )))
                }
            };
            let mut start = prefix.clone();
            encode_prefix(bytes, &mut start);
            let end = prefix_end(&start);
            (start, end)
        }
    };
    Ok(KeyRange { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_tile_the_hash_space() {
        for total in [1u64, 2, 3, 7, 1000] {
            let mut next_lo = 0u32;
            for s in 0..total {
                let (lo, hi) = segment_bounds(s, total);
                assert_eq!(
                    lo, next_lo,
                    "segment {s} of {total} starts where the last ended"
                );
                match hi {
                    Some(hi) => {
                        assert!(hi > lo);
                        next_lo = hi;
                    }
                    None => assert_eq!(s, total - 1, "only the last segment is open-ended"),
                }
            }
        }
        let (lo, hi) = segment_bounds(999_999, 1_000_000);
        assert!(lo > 0 && hi.is_none());
    }
}
