//! The item formats of DynamoDB's S3 exports and imports (Developer Guide,
//! "DynamoDB table export output format" and "Amazon S3 import formats for
//! DynamoDB"): DynamoDB JSON lines, text Ion ([`super::ion`]) and CSV, and
//! the compressions an import reads (gzip, Zstandard, none).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use base64::Engine as _;
use serde_json::{Map, Value};
use siltdb::dynamo::api::{CsvOptions, InputCompressionType};
use siltdb::dynamo::{AttributeValue, Item, Number, ScalarAttributeType};

use super::incremental::ChangeLine;
use crate::json::{item_from_json, item_to_json};

/// One `{"Item":{...}}` line of `item` (with its `\n`).
pub fn dynamodb_json_line(item: &Item, out: &mut Vec<u8>) -> Result<(), String> {
    let mut wrapper = Map::with_capacity(1);
    wrapper.insert("Item".to_string(), item_to_json(item));
    serde_json::to_writer(&mut *out, &Value::Object(wrapper))
        .map_err(|e| format!("encoding an item: {e}"))?;
    out.push(b'\n');
    Ok(())
}

/// One line of an incremental export's data file in DynamoDB JSON (with
/// its `\n`; format-spec/transfers.md, "Incremental export data"): the
/// members [`ChangeLine`] holds, `Metadata.WriteTimestampMicros` a number
/// attribute.
pub fn incremental_json_line(change: &ChangeLine<'_>, out: &mut Vec<u8>) -> Result<(), String> {
    let mut line = Map::with_capacity(4);
    let mut metadata = Map::with_capacity(1);
    metadata.insert(
        "WriteTimestampMicros".to_string(),
        serde_json::json!({ "N": change.write_micros.to_string() }),
    );
    line.insert("Metadata".to_string(), Value::Object(metadata));
    line.insert("Keys".to_string(), item_to_json(change.keys));
    if let Some(new) = change.new_image {
        line.insert("NewImage".to_string(), item_to_json(new));
    }
    if let Some(old) = change.old_image {
        line.insert("OldImage".to_string(), item_to_json(old));
    }
    serde_json::to_writer(&mut *out, &Value::Object(line))
        .map_err(|e| format!("encoding a change: {e}"))?;
    out.push(b'\n');
    Ok(())
}

/// Reads one DynamoDB JSON line: `Ok(None)` for a blank one. An object
/// with any member other than `Item` is refused (an incremental export's
/// `NewImage`/`OldImage` lines are not a table's items).
pub fn parse_dynamodb_json_line(line: &[u8]) -> Result<Option<Item>, String> {
    let text = line.trim_ascii();
    if text.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err(r#"expected an object {"Item":{...}}"#.to_string());
    };
    let item = object
        .remove("Item")
        .ok_or_else(|| r#"no "Item" member (expected {"Item":{...}})"#.to_string())?;
    if let Some(other) = object.keys().next() {
        return Err(format!(
            r#"unexpected member "{other}" (expected only "Item")"#
        ));
    }
    item_from_json(&item)
        .map(Some)
        .map_err(|e| format!("{}: {}", e.name(), e.message()))
}

/// `input` decompressed as `compression` says.
pub fn decompress<'a>(
    input: Box<dyn Read + 'a>,
    compression: InputCompressionType,
) -> Result<Box<dyn Read + 'a>, String> {
    Ok(match compression {
        InputCompressionType::None => input,
        InputCompressionType::Gzip => {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(input)))
        }
        InputCompressionType::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(input)
                .map_err(|e| format!("not Zstandard: {e}"))?,
        ),
    })
}

/// Counts the bytes read through it (ProcessedSizeBytes: uncompressed).
pub struct Counting<R> {
    /// The reader counted.
    pub inner: R,
    /// Bytes read so far.
    pub count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// What an item reader yields: an item, or why a record could not become
/// one. `Fatal` ends the object (its structure is lost).
pub enum Read1 {
    /// An item.
    Item(Item),
    /// A record that is not an item; reading goes on.
    Bad(String),
    /// The rest of the object cannot be read.
    Fatal(String),
}

/// Reads every item of one object in DynamoDB JSON, calling `f` per record.
pub fn read_dynamodb_json(
    input: impl Read,
    f: &mut dyn FnMut(Read1) -> Result<(), String>,
) -> Result<(), String> {
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => match parse_dynamodb_json_line(&line) {
                Ok(Some(item)) => f(Read1::Item(item))?,
                Ok(None) => {}
                Err(e) => f(Read1::Bad(e))?,
            },
            Err(e) => return f(Read1::Fatal(format!("reading: {e}"))),
        }
    }
}

/// Reads every item of one object in text Ion.
pub fn read_ion(
    mut input: impl Read,
    f: &mut dyn FnMut(Read1) -> Result<(), String>,
) -> Result<(), String> {
    let mut text = Vec::new();
    if let Err(e) = input.read_to_end(&mut text) {
        return f(Read1::Fatal(format!("reading: {e}")));
    }
    let mut reader = super::ion::Reader::new(&text);
    while let Some(r) = reader.next_item() {
        match r {
            Ok(item) => f(Read1::Item(item))?,
            Err(e) => return f(Read1::Fatal(e)),
        }
    }
    Ok(())
}

/// Reads every item of one CSV object. Columns named in `key_types` (the
/// key attributes of the table and its indexes) take their type from it;
/// every other column is a string (Developer Guide, CSV import format).
pub fn read_csv(
    input: impl Read,
    options: Option<&CsvOptions>,
    key_types: &HashMap<String, ScalarAttributeType>,
    f: &mut dyn FnMut(Read1) -> Result<(), String>,
) -> Result<(), String> {
    let delimiter = options
        .and_then(|o| o.delimiter.as_deref())
        .and_then(|d| d.bytes().next())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut header: Option<Vec<String>> = options.and_then(|o| o.header_list.clone());
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) if e.is_io_error() => return f(Read1::Fatal(format!("reading: {e}"))),
            Err(e) => {
                f(Read1::Bad(format!("not CSV: {e}")))?;
                continue;
            }
        };
        let fields: Result<Vec<String>, _> = record
            .iter()
            .map(|b| String::from_utf8(b.to_vec()))
            .collect();
        let Ok(fields) = fields else {
            f(Read1::Bad("a field is not UTF-8".to_string()))?;
            continue;
        };
        let Some(names) = &header else {
            header = Some(fields);
            continue;
        };
        if fields.len() != names.len() {
            f(Read1::Bad(format!(
                "{} fields where the header has {}",
                fields.len(),
                names.len()
            )))?;
            continue;
        }
        match csv_item(names, fields, key_types) {
            Ok(item) => f(Read1::Item(item))?,
            Err(e) => f(Read1::Bad(e))?,
        }
    }
    Ok(())
}

fn csv_item(
    names: &[String],
    fields: Vec<String>,
    key_types: &HashMap<String, ScalarAttributeType>,
) -> Result<Item, String> {
    let mut item = Item::new();
    for (name, field) in names.iter().zip(fields) {
        let value = match key_types.get(name) {
            Some(ScalarAttributeType::N) => {
                AttributeValue::N(Number::parse(&field).map_err(|e| format!("{name}: {e}"))?)
            }
            Some(ScalarAttributeType::B) => AttributeValue::B(
                base64::engine::general_purpose::STANDARD
                    .decode(field.as_bytes())
                    .map_err(|e| format!("{name}: not base64: {e}"))?,
            ),
            Some(ScalarAttributeType::S) | None => AttributeValue::S(field),
        };
        item.insert(name.clone(), value);
    }
    Ok(item)
}
