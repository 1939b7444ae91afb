//! INCREMENTAL_EXPORT: the period asked for, checked, and the lines an
//! incremental export writes (format-spec/transfers.md, "Incremental
//! export data").
//!
//! The items exported are those whose state at the end of the period
//! differs from their state at its start, read by
//! [`siltdb::dynamo::DynamoDb::export_changes`] from two snapshots of the
//! point-in-time recovery history: one line per item, its final state (an
//! item written and deleted again within the period is not exported, as
//! DynamoDB compacts changes to one per item).
//!
//! A line is DynamoDB JSON or, for `ExportFormat` `ION`, text Ion of the
//! same shape ([`super::ion::write_change`]): the Developer Guide documents
//! no Ion example of an incremental line, so the Ion line mirrors the
//! documented DynamoDB JSON one member for member, each value
//! written by the guide's DynamoDB-to-Ion type mapping (the one full Ion
//! exports use), `WriteTimestampMicros` as the Ion decimal every `N`
//! becomes. [`ChangeLine`] decides the members for both.
//!
//! `WriteTimestampMicros`: siltdb keeps no write time per item version, so
//! every line carries the end of the period (`ExportToTime`, exclusive)
//! less one microsecond — a bound every exported change was made before,
//! not the time of the change (a difference the README lists).

use siltdb::dynamo::api::{ExportFormat, ExportTableToPointInTimeInput, ExportViewType};
use siltdb::dynamo::{item_size, DynamoError, Item, ItemChange};

use super::formats::incremental_json_line;

/// The shortest incremental export period: "from 15 minutes up to 24
/// hours" (AWS Database Blog, "Introducing incremental export from Amazon
/// DynamoDB to Amazon S3"; the API reference states no limit).
const MIN_PERIOD_MILLIS: i64 = 15 * 60 * 1000;

/// The longest incremental export period.
const MAX_PERIOD_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// An incremental export's period and view, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// `ExportFromTime`, ms (inclusive).
    pub from_millis: i64,
    /// `ExportToTime`, ms (exclusive): now when the request leaves it out.
    pub to_millis: i64,
    /// `ExportViewType` (default `NEW_AND_OLD_IMAGES`).
    pub view: ExportViewType,
}

fn millis(seconds: f64, member: &str) -> Result<i64, DynamoError> {
    if seconds.is_finite() {
        Ok((seconds * 1000.0).floor() as i64)
    } else {
        // Undocumented wording: a JSON number is always finite, so only a
        // library caller reaches this.
        Err(DynamoError::validation(format!(
            "Invalid {member}: {seconds}"
        )))
    }
}

/// Checks the incremental export `input` asks for at `now` (ms). The
/// limits are those AWS publishes (above); the messages are siltdb's (the
/// service's are not documented). The window itself (point-in-time
/// recovery's) is checked when the history is read.
pub fn period(input: &ExportTableToPointInTimeInput, now: i64) -> Result<Period, DynamoError> {
    if input.export_time.is_some() {
        return Err(DynamoError::validation(
            "ExportTime cannot be specified when ExportType is INCREMENTAL_EXPORT: give IncrementalExportSpecification.ExportFromTime and ExportToTime",
        ));
    }
    let spec = input
        .incremental_export_specification
        .clone()
        .unwrap_or_default();
    let Some(from) = spec.export_from_time else {
        return Err(DynamoError::validation(
            "IncrementalExportSpecification.ExportFromTime is required when ExportType is INCREMENTAL_EXPORT",
        ));
    };
    let from_millis = millis(from, "ExportFromTime")?;
    let to_millis = match spec.export_to_time {
        Some(to) => millis(to, "ExportToTime")?,
        None => now,
    };
    if from_millis >= to_millis {
        return Err(DynamoError::validation(
            "IncrementalExportSpecification.ExportFromTime must be before ExportToTime",
        ));
    }
    let length = to_millis - from_millis;
    if length < MIN_PERIOD_MILLIS {
        return Err(DynamoError::validation(
            "The incremental export period, from ExportFromTime to ExportToTime, must be at least 15 minutes",
        ));
    }
    if length > MAX_PERIOD_MILLIS {
        return Err(DynamoError::validation(
            "The incremental export period, from ExportFromTime to ExportToTime, must be at most 24 hours",
        ));
    }
    Ok(Period {
        from_millis,
        to_millis,
        view: spec.export_view_type.unwrap_or_default(),
    })
}

/// What one line of an incremental export holds, whatever its format:
/// `Keys` and `Metadata.WriteTimestampMicros` always, `NewImage` unless
/// the item was deleted, `OldImage` for `NEW_AND_OLD_IMAGES` when the item
/// existed before (format-spec/transfers.md, "Incremental export data").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeLine<'a> {
    /// The item's key attributes.
    pub keys: &'a Item,
    /// `Metadata.WriteTimestampMicros`.
    pub write_micros: i64,
    /// `NewImage`, if the line has one.
    pub new_image: Option<&'a Item>,
    /// `OldImage`, if the line has one.
    pub old_image: Option<&'a Item>,
}

impl<'a> ChangeLine<'a> {
    /// The line of `change` in an export of view `view`.
    pub fn new(change: &'a ItemChange, view: ExportViewType, write_micros: i64) -> ChangeLine<'a> {
        ChangeLine {
            keys: &change.keys,
            write_micros,
            new_image: change.new_image.as_ref(),
            old_image: match view {
                ExportViewType::NewAndOldImages => change.old_image.as_ref(),
                ExportViewType::NewImage => None,
            },
        }
    }
}

/// The data line of `change` in `format` and the size it is billed for
/// (that of the keys and the images written).
pub fn line(
    change: &ItemChange,
    period: &Period,
    format: ExportFormat,
) -> Result<(Vec<u8>, i64), String> {
    let l = ChangeLine::new(
        change,
        period.view,
        period.to_millis.saturating_mul(1000).saturating_sub(1),
    );
    let out = match format {
        ExportFormat::DynamodbJson => {
            let mut out = Vec::new();
            incremental_json_line(&l, &mut out)?;
            out
        }
        ExportFormat::Ion => {
            let mut text = String::new();
            super::ion::write_change(&l, &mut text)?;
            text.into_bytes()
        }
    };
    let size = [l.new_image, l.old_image]
        .into_iter()
        .flatten()
        .map(|i| i64::try_from(item_size(i)).unwrap_or(i64::MAX))
        .fold(
            i64::try_from(item_size(l.keys)).unwrap_or(i64::MAX),
            i64::saturating_add,
        );
    Ok((out, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use siltdb::dynamo::api::{ExportType, IncrementalExportSpecification};
    use siltdb::dynamo::{AttributeValue, Number};

    fn input(from: f64, to: Option<f64>) -> ExportTableToPointInTimeInput {
        ExportTableToPointInTimeInput {
            export_type: Some(ExportType::IncrementalExport),
            incremental_export_specification: Some(IncrementalExportSpecification {
                export_from_time: Some(from),
                export_to_time: to,
                export_view_type: None,
            }),
            ..Default::default()
        }
    }

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string())))
            .collect()
    }

    /// The changes of the vectors: an insert, an update and a delete.
    fn vector_changes() -> [ItemChange; 3] {
        let keys = |pk: &str| item(&[("pk", pk)]);
        [
            ItemChange {
                keys: keys("a"),
                old_image: None,
                new_image: Some(item(&[("pk", "a"), ("v", "1")])),
            },
            ItemChange {
                keys: keys("b"),
                old_image: Some(item(&[("pk", "b"), ("v", "1")])),
                new_image: Some(item(&[("pk", "b"), ("v", "2")])),
            },
            ItemChange {
                keys: keys("c"),
                old_image: Some(item(&[("pk", "c"), ("v", "1")])),
                new_image: None,
            },
        ]
    }

    /// The period of the vectors, NEW_AND_OLD_IMAGES.
    const VECTOR_PERIOD: Period = Period {
        from_millis: 1_700_000_000_000,
        to_millis: 1_700_000_900_000,
        view: ExportViewType::NewAndOldImages,
    };

    fn written(changes: &[ItemChange], format: ExportFormat) -> String {
        let mut out = Vec::new();
        for change in changes {
            out.extend(line(change, &VECTOR_PERIOD, format).expect("encodes").0);
        }
        String::from_utf8(out).expect("UTF-8")
    }

    /// The vector of format-spec/transfers.md ("Incremental export data"):
    /// an insert, an update and a delete, NEW_AND_OLD_IMAGES, decode to
    /// their changes and are what the encoder writes, byte for byte.
    #[test]
    fn incremental_lines_vector_decodes() {
        let text = include_str!("../../../format-spec/vectors/transfer-incremental-lines.json");
        let changes = vector_changes();
        assert_eq!(written(&changes, ExportFormat::DynamodbJson), text);
        let image = |v: &serde_json::Value, name: &str| {
            v.get(name)
                .map(|i| crate::json::item_from_json(i).expect("an item"))
        };
        for (l, change) in text.lines().zip(&changes) {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
            assert_eq!(
                v["Metadata"]["WriteTimestampMicros"]["N"],
                "1700000899999999"
            );
            assert_eq!(image(&v, "Keys").as_ref(), Some(&change.keys));
            assert_eq!(image(&v, "NewImage"), change.new_image);
            assert_eq!(image(&v, "OldImage"), change.old_image);
        }
    }

    /// The Ion vector of format-spec/transfers.md ("Incremental export
    /// data"): the same three changes, read back by the Ion reader imports
    /// use, and what the encoder writes, byte for byte.
    #[test]
    fn incremental_ion_lines_vector_decodes() {
        let text = include_str!("../../../format-spec/vectors/transfer-incremental-lines.ion");
        let changes = vector_changes();
        assert_eq!(written(&changes, ExportFormat::Ion), text);
        let mut reader = crate::transfer::ion::Reader::new(text.as_bytes());
        let mut n = 0;
        while let Some(line) = reader.next_struct() {
            let mut line = line.expect("an Ion struct");
            let change = &changes[n];
            n += 1;
            let image = |v: Option<AttributeValue>| match v {
                Some(AttributeValue::M(m)) => Some(m),
                None => None,
                Some(other) => panic!("not an image: {other:?}"),
            };
            let metadata = image(line.remove("Metadata")).expect("Metadata");
            assert_eq!(
                metadata,
                [(
                    "WriteTimestampMicros".to_string(),
                    AttributeValue::N(Number::parse("1700000899999999").expect("number"))
                )]
                .into()
            );
            assert_eq!(image(line.remove("Keys")).as_ref(), Some(&change.keys));
            assert_eq!(image(line.remove("NewImage")), change.new_image);
            assert_eq!(image(line.remove("OldImage")), change.old_image);
            assert!(line.is_empty(), "{line:?}");
        }
        assert_eq!(n, changes.len());
    }

    /// NEW_IMAGE drops `OldImage` in both formats: a delete is `Keys` and
    /// `Metadata` only.
    #[test]
    fn new_image_lines_have_no_old_image_in_either_format() {
        let changes = vector_changes();
        let p = Period {
            view: ExportViewType::NewImage,
            ..VECTOR_PERIOD
        };
        let json = line(&changes[2], &p, ExportFormat::DynamodbJson).expect("JSON");
        assert_eq!(
            String::from_utf8(json.0).expect("UTF-8"),
            "{\"Keys\":{\"pk\":{\"S\":\"c\"}},\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"1700000899999999\"}}}\n"
        );
        let ion = line(&changes[2], &p, ExportFormat::Ion).expect("Ion");
        assert_eq!(
            String::from_utf8(ion.0).expect("UTF-8"),
            "$ion_1_0 {Keys:{pk:\"c\"},Metadata:{WriteTimestampMicros:1700000899999999.}}\n"
        );
        // Billed: the keys and the images written, the same in both.
        assert_eq!(json.1, ion.1);
    }

    #[test]
    fn periods_from_fifteen_minutes_to_a_day() {
        let now = 10_000_000_000;
        let p = period(&input(1000.0, Some(1900.0)), now).expect("15 minutes");
        assert_eq!((p.from_millis, p.to_millis), (1_000_000, 1_900_000));
        assert_eq!(p.view, ExportViewType::NewAndOldImages);
        assert!(period(&input(1000.0, Some(1899.999)), now).is_err());
        assert!(period(&input(1000.0, Some(1000.0 + 86_400.0)), now).is_ok());
        assert!(period(&input(1000.0, Some(1000.001 + 86_400.0)), now).is_err());
        assert!(period(&input(2000.0, Some(1000.0)), now).is_err());
        // ExportToTime defaults to now.
        let p = period(&input(9_999_000.0, None), now).expect("to now");
        assert_eq!(p.to_millis, now);
        let mut no_from = input(0.0, None);
        no_from.incremental_export_specification = None;
        assert!(period(&no_from, now).is_err());
    }
}
