//! Text Ion, as far as DynamoDB's exports and imports use it (Developer
//! Guide, "DynamoDB table export output format", Amazon Ion; "Amazon S3
//! import formats for DynamoDB"): each item is `$ion_1_0 {Item:{...}}`,
//! string ↔ S, bool ↔ BOOL, decimal (and int) ↔ N, blob ↔ B, list ↔ L,
//! struct ↔ M, null ↔ NULL, and a list annotated `$dynamodb_SS`,
//! `$dynamodb_NS` or `$dynamodb_BS` ↔ a set. An incremental export's line
//! is `$ion_1_0 {Keys:{...},Metadata:{WriteTimestampMicros:<decimal>},
//! NewImage:{...},OldImage:{...}}` ([`write_change`]; the guide documents
//! no Ion incremental line: this mirrors its DynamoDB JSON one through the
//! same mapping, see [`super::incremental`]).
//!
//! Written here rather than taken from `ion-rs`: the subset is a page of
//! grammar, and `ion-rs` is a large crate (binary Ion, a symbol-table
//! system, a catalog) whose API still changes between releases. The reader
//! takes the whole text grammar of the values above — comments, quoted and
//! bare field names, short and long strings with every escape, ints in
//! every radix, decimals and blobs — and refuses the rest (timestamps,
//! clobs, symbols as values, s-expressions) with a message.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use siltdb::dynamo::{AttributeValue, Item, Number};

use super::incremental::ChangeLine;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Writes `item` as one line: `$ion_1_0 {Item:{...}}` and `\n`.
pub fn write_item(item: &Item, out: &mut String) {
    out.push_str("$ion_1_0 {Item:{");
    write_fields(item.iter(), out);
    out.push_str("}}\n");
}

/// Writes an incremental export's line (with its `\n`): the members
/// `line` holds, in the order (byte order of their names) and under the
/// rules of the DynamoDB JSON line, `WriteTimestampMicros` an Ion decimal
/// as every number is.
pub fn write_change(line: &ChangeLine<'_>, out: &mut String) -> Result<(), String> {
    let micros = Number::parse(&line.write_micros.to_string())
        .map_err(|e| format!("WriteTimestampMicros {}: {e}", line.write_micros))?;
    out.push_str("$ion_1_0 {Keys:{");
    write_fields(line.keys.iter(), out);
    out.push_str("},Metadata:{WriteTimestampMicros:");
    write_number(&micros, out);
    out.push('}');
    for (name, image) in [("NewImage", line.new_image), ("OldImage", line.old_image)] {
        if let Some(image) = image {
            out.push(',');
            out.push_str(name);
            out.push_str(":{");
            write_fields(image.iter(), out);
            out.push('}');
        }
    }
    out.push_str("}\n");
    Ok(())
}

fn write_fields<'a>(
    fields: impl Iterator<Item = (&'a String, &'a AttributeValue)>,
    out: &mut String,
) {
    for (i, (name, value)) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field_name(name, out);
        out.push(':');
        write_value(value, out);
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !matches!(s, "true" | "false" | "null" | "nan")
}

fn write_field_name(name: &str, out: &mut String) {
    if is_identifier(name) {
        out.push_str(name);
    } else {
        write_quoted(name, '\'', out);
    }
}

fn write_quoted(s: &str, quote: char, out: &mut String) {
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// A DynamoDB number as an Ion decimal: `103.`, `1.5`, `6d2`.
fn write_number(n: &Number, out: &mut String) {
    let text = n.to_string();
    match text.find(['e', 'E']) {
        Some(at) => {
            out.push_str(&text[..at]);
            out.push('d');
            out.push_str(&text[at + 1..]);
        }
        None if text.contains('.') => out.push_str(&text),
        None => {
            out.push_str(&text);
            out.push('.');
        }
    }
}

fn write_blob(b: &[u8], out: &mut String) {
    out.push_str("{{");
    out.push_str(&B64.encode(b));
    out.push_str("}}");
}

fn write_value(v: &AttributeValue, out: &mut String) {
    match v {
        AttributeValue::S(s) => write_quoted(s, '"', out),
        AttributeValue::N(n) => write_number(n, out),
        AttributeValue::B(b) => write_blob(b, out),
        AttributeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AttributeValue::Null => out.push_str("null"),
        AttributeValue::M(m) => {
            out.push('{');
            write_fields(m.iter(), out);
            out.push('}');
        }
        AttributeValue::L(l) => {
            out.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(e, out);
            }
            out.push(']');
        }
        AttributeValue::Ss(s) => {
            out.push_str("$dynamodb_SS::[");
            for (i, e) in s.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_quoted(e, '"', out);
            }
            out.push(']');
        }
        AttributeValue::Ns(s) => {
            out.push_str("$dynamodb_NS::[");
            for (i, e) in s.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_number(e, out);
            }
            out.push(']');
        }
        AttributeValue::Bs(s) => {
            out.push_str("$dynamodb_BS::[");
            for (i, e) in s.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_blob(e, out);
            }
            out.push(']');
        }
    }
}

/// Reads the top-level values of a text Ion stream, one item at a time.
pub struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
    /// Where the last top-level value read starts.
    start: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `text`.
    pub fn new(text: &'a [u8]) -> Reader<'a> {
        Reader {
            text,
            pos: 0,
            start: 0,
        }
    }

    /// The next item (`{Item:{...}}`, after any version markers), `None`
    /// at the end. After an error the rest of the stream cannot be read
    /// (its structure is lost): the reader is at its end.
    pub fn next_item(&mut self) -> Option<Result<Item, String>> {
        let item = self.next_struct()?.and_then(|mut fields| {
            let at = self.start;
            let item = match fields.remove("Item") {
                Some(AttributeValue::M(m)) => m,
                Some(_) => return Err(format!("offset {at}: Item is not a struct")),
                None => return Err(format!("offset {at}: no Item field")),
            };
            if let Some(other) = fields.keys().next() {
                return Err(format!(
                    "offset {at}: unexpected field {other} (expected only Item)"
                ));
            }
            Ok(item.into_iter().collect())
        });
        if item.is_err() {
            self.pos = self.text.len();
        }
        Some(item)
    }

    /// The next top-level struct (after any version markers), its fields
    /// read as attribute values — an incremental export's line, `{Keys:
    /// {...},Metadata:{...},...}`, gives its members as `M`s — or `None`
    /// at the end. After an error the reader is at its end.
    pub fn next_struct(&mut self) -> Option<Result<BTreeMap<String, AttributeValue>, String>> {
        let next = self.next_inner();
        if matches!(next, Some(Err(_))) {
            self.pos = self.text.len();
        }
        next
    }

    fn next_inner(&mut self) -> Option<Result<BTreeMap<String, AttributeValue>, String>> {
        loop {
            if let Err(e) = self.skip_space() {
                return Some(Err(e));
            }
            if self.pos >= self.text.len() {
                return None;
            }
            if self.text[self.pos..].starts_with(b"$ion_1_0") {
                let end = self.pos + 8;
                if self.text.get(end).is_none_or(|c| !is_symbol_char(*c)) {
                    self.pos = end;
                    continue;
                }
            }
            return Some(self.top_struct());
        }
    }

    fn top_struct(&mut self) -> Result<BTreeMap<String, AttributeValue>, String> {
        let at = self.pos;
        self.start = at;
        let (annotation, value) = self.value()?;
        if annotation.is_some() {
            return Err(format!("offset {at}: an annotated top-level value"));
        }
        match value {
            Parsed::Struct(fields) => Ok(fields),
            _ => Err(format!("offset {at}: expected a struct {{Item:{{...}}}}")),
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("offset {}: {what}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_space(&mut self) -> Result<(), String> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => self.pos += 1,
                Some(b'/') if self.text.get(self.pos + 1) == Some(&b'/') => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.text.get(self.pos + 1) == Some(&b'*') => {
                    match find(&self.text[self.pos + 2..], b"*/") {
                        Some(end) => self.pos += 2 + end + 2,
                        None => return self.err("unterminated comment"),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_space()?;
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(&format!("expected '{}'", c as char))
        }
    }

    /// A value with its annotation, if any.
    fn value(&mut self) -> Result<(Option<String>, Parsed), String> {
        self.skip_space()?;
        let mut annotation = None;
        // An annotation is a symbol followed by `::`.
        let save = self.pos;
        if let Some(Ok(sym)) = self.try_symbol() {
            self.skip_space()?;
            if self.text[self.pos..].starts_with(b"::") {
                self.pos += 2;
                annotation = Some(sym);
                self.skip_space()?;
            } else {
                self.pos = save;
            }
        } else {
            self.pos = save;
        }
        let v = self.bare_value()?;
        Ok((annotation, v))
    }

    fn try_symbol(&mut self) -> Option<Result<String, String>> {
        match self.peek()? {
            b'\'' if !self.text[self.pos..].starts_with(b"'''") => Some(self.quoted(b'\'')),
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let start = self.pos;
                while self.peek().is_some_and(is_symbol_char) {
                    self.pos += 1;
                }
                Some(Ok(
                    String::from_utf8_lossy(&self.text[start..self.pos]).into_owned()
                ))
            }
            _ => None,
        }
    }

    fn bare_value(&mut self) -> Result<Parsed, String> {
        match self.peek() {
            None => self.err("expected a value"),
            Some(b'"') => Ok(Parsed::Value(AttributeValue::S(self.quoted(b'"')?))),
            Some(b'\'') if self.text[self.pos..].starts_with(b"'''") => {
                Ok(Parsed::Value(AttributeValue::S(self.long_strings()?)))
            }
            Some(b'{') if self.text.get(self.pos + 1) == Some(&b'{') => {
                Ok(Parsed::Value(AttributeValue::B(self.blob()?)))
            }
            Some(b'{') => {
                self.pos += 1;
                let mut fields = BTreeMap::new();
                loop {
                    self.skip_space()?;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        break;
                    }
                    let name = match self.peek() {
                        Some(b'"') => self.quoted(b'"')?,
                        Some(b'\'') if self.text[self.pos..].starts_with(b"'''") => {
                            self.long_strings()?
                        }
                        _ => match self.try_symbol() {
                            Some(s) => s?,
                            None => return self.err("expected a field name"),
                        },
                    };
                    self.expect(b':')?;
                    let at = self.pos;
                    let v = self.attribute()?;
                    if fields.insert(name.clone(), v).is_some() {
                        return Err(format!("offset {at}: field {name} repeated"));
                    }
                    self.skip_space()?;
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {}
                        _ => return self.err("expected ',' or '}'"),
                    }
                }
                Ok(Parsed::Struct(fields))
            }
            Some(b'[') => {
                self.pos += 1;
                let mut list = Vec::new();
                loop {
                    self.skip_space()?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        break;
                    }
                    list.push(self.value()?);
                    self.skip_space()?;
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {}
                        _ => return self.err("expected ',' or ']'"),
                    }
                }
                Ok(Parsed::List(list))
            }
            Some(c) if c == b'-' || c == b'+' || c.is_ascii_digit() => self.number(),
            Some(_) => match self.try_symbol() {
                Some(Ok(s)) => match s.as_str() {
                    "true" => Ok(Parsed::Value(AttributeValue::Bool(true))),
                    "false" => Ok(Parsed::Value(AttributeValue::Bool(false))),
                    "null" => {
                        // Typed nulls (`null.string`) are DynamoDB's NULL too.
                        if self.peek() == Some(b'.') {
                            self.pos += 1;
                            match self.try_symbol() {
                                Some(Ok(_)) => {}
                                Some(Err(e)) => return Err(e),
                                None => return self.err("expected a type name after null."),
                            }
                        }
                        Ok(Parsed::Value(AttributeValue::Null))
                    }
                    other => Err(format!(
                        "offset {}: the symbol {other} is not a DynamoDB value",
                        self.pos
                    )),
                },
                Some(Err(e)) => Err(e),
                None => self.err("expected a value"),
            },
        }
    }

    /// A field value or list element as an attribute value.
    fn attribute(&mut self) -> Result<AttributeValue, String> {
        let at = self.pos;
        let (annotation, v) = self.value()?;
        to_attribute(annotation, v).map_err(|e| format!("offset {at}: {e}"))
    }

    fn quoted(&mut self, quote: u8) -> Result<String, String> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => return self.err("unterminated string"),
                Some(c) if c == quote => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        String::from_utf8(out).map_err(|_| format!("offset {}: a string is not UTF-8", self.pos))
    }

    fn long_strings(&mut self) -> Result<String, String> {
        let mut out = Vec::new();
        while self.text[self.pos..].starts_with(b"'''") {
            self.pos += 3;
            loop {
                if self.text[self.pos..].starts_with(b"'''") {
                    self.pos += 3;
                    break;
                }
                match self.peek() {
                    None => return self.err("unterminated long string"),
                    Some(b'\\') => self.escape(&mut out)?,
                    Some(c) => {
                        out.push(c);
                        self.pos += 1;
                    }
                }
            }
            self.skip_space()?;
        }
        String::from_utf8(out).map_err(|_| format!("offset {}: a string is not UTF-8", self.pos))
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        self.pos += 1;
        let Some(c) = self.peek() else {
            return self.err("unterminated escape");
        };
        self.pos += 1;
        let simple = match c {
            b'a' => Some(7u8),
            b'b' => Some(8),
            b't' => Some(b'\t'),
            b'n' => Some(b'\n'),
            b'f' => Some(12),
            b'r' => Some(b'\r'),
            b'v' => Some(11),
            b'"' | b'\'' | b'?' | b'\\' | b'/' => Some(c),
            b'0' => Some(0),
            b'\n' => return Ok(()),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        let digits = match c {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => return self.err("unknown escape"),
        };
        let hex = self
            .text
            .get(self.pos..self.pos + digits)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        let Some(code) = hex else {
            return self.err("bad hex escape");
        };
        self.pos += digits;
        let Some(ch) = char::from_u32(code) else {
            return self.err("escape is not a code point");
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn blob(&mut self) -> Result<Vec<u8>, String> {
        self.pos += 2;
        let Some(end) = find(&self.text[self.pos..], b"}}") else {
            return self.err("unterminated blob");
        };
        let body: Vec<u8> = self.text[self.pos..self.pos + end]
            .iter()
            .copied()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if body.first() == Some(&b'"') || body.first() == Some(&b'\'') {
            return self.err("clobs are not DynamoDB values");
        }
        self.pos += end + 2;
        B64.decode(&body)
            .map_err(|e| format!("offset {}: bad base64 in a blob: {e}", self.pos))
    }

    fn number(&mut self) -> Result<Parsed, String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+' | b'_'))
        {
            self.pos += 1;
        }
        let raw = String::from_utf8_lossy(&self.text[start..self.pos]).replace('_', "");
        let text = ion_number_text(&raw)
            .ok_or_else(|| format!("offset {start}: {raw} is not an Ion int or decimal"))?;
        Number::parse(&text)
            .map(|n| Parsed::Value(AttributeValue::N(n)))
            .map_err(|e| format!("offset {start}: {raw}: {e}"))
    }
}

/// An Ion int or decimal's text as a DynamoDB number's (`6d2` → `6E2`,
/// `0x1f` → `31`); `None` for anything else (floats included: an `e`
/// exponent is a float in Ion, which DynamoDB's numbers are not).
fn ion_number_text(raw: &str) -> Option<String> {
    let (sign, digits) = match raw.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", raw),
    };
    let lower = digits.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0b", 2)] {
        if let Some(body) = lower.strip_prefix(prefix) {
            let v = u128::from_str_radix(body, radix).ok()?;
            return Some(format!("{sign}{v}"));
        }
    }
    if lower.is_empty() || lower.contains('e') || !lower.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let text = lower.replace('d', "E");
    let (mantissa, exponent) = match text.split_once('E') {
        Some((m, e)) => (m, Some(e)),
        None => (text.as_str(), None),
    };
    let mantissa = mantissa.strip_suffix('.').unwrap_or(mantissa);
    if mantissa.is_empty() || !mantissa.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    Some(match exponent {
        Some(e) => format!("{sign}{mantissa}E{e}"),
        None => format!("{sign}{mantissa}"),
    })
}

fn is_symbol_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A value as read, before it becomes an attribute.
enum Parsed {
    Value(AttributeValue),
    Struct(BTreeMap<String, AttributeValue>),
    List(Vec<(Option<String>, Parsed)>),
}

fn to_attribute(annotation: Option<String>, v: Parsed) -> Result<AttributeValue, String> {
    match (annotation.as_deref(), v) {
        (None, Parsed::Value(v)) => Ok(v),
        (None, Parsed::Struct(m)) => Ok(AttributeValue::M(m)),
        (None, Parsed::List(l)) => Ok(AttributeValue::L(
            l.into_iter()
                .map(|(a, v)| to_attribute(a, v))
                .collect::<Result<_, _>>()?,
        )),
        (Some(set @ ("$dynamodb_SS" | "$dynamodb_NS" | "$dynamodb_BS")), Parsed::List(l)) => {
            let mut ss = BTreeSet::new();
            let mut ns = BTreeSet::new();
            let mut bs = BTreeSet::new();
            for (a, e) in l {
                match (set, to_attribute(a, e)?) {
                    ("$dynamodb_SS", AttributeValue::S(s)) => {
                        ss.insert(s);
                    }
                    ("$dynamodb_NS", AttributeValue::N(n)) => {
                        ns.insert(n);
                    }
                    ("$dynamodb_BS", AttributeValue::B(b)) => {
                        bs.insert(b);
                    }
                    _ => return Err(format!("an element of a {set} list has another type")),
                }
            }
            Ok(match set {
                "$dynamodb_SS" => AttributeValue::Ss(ss),
                "$dynamodb_NS" => AttributeValue::Ns(ns),
                _ => AttributeValue::Bs(bs),
            })
        }
        (Some(a), _) => Err(format!("the annotation {a} is not a DynamoDB set type")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Vec<Result<Item, String>> {
        let mut r = Reader::new(text.as_bytes());
        std::iter::from_fn(|| r.next_item()).collect()
    }

    #[test]
    fn a_typed_null_is_null_and_a_null_dot_without_a_type_is_an_error() {
        let items = read_all("{Item:{a:null.string, b:null}}");
        let item = items[0].as_ref().expect("item");
        assert_eq!(item["a"], AttributeValue::Null);
        assert_eq!(item["b"], AttributeValue::Null);
        let items = read_all("{Item:{a:null.}}");
        let err = items[0].as_ref().expect_err("no type after the dot");
        assert!(err.contains("expected a type name after null."), "{err}");
    }

    #[test]
    fn the_developer_guide_example_reads() {
        let text = r#"$ion_1_0 {
    Item:{
        Authors:$dynamodb_SS::["Author1","Author2"],
        Dimensions:"8.5 x 11.0 x 1.5",
        ISBN:"333-3333333333",
        Id:103.,
        InPublication:false,
        PageCount:6d2,
        Price:2d3,
        ProductCategory:"Book",
        Title:"Book 103 Title"
    }
}"#;
        let items = read_all(text);
        assert_eq!(items.len(), 1);
        let item = items[0].as_ref().expect("item");
        assert_eq!(item["Id"], AttributeValue::N(Number::parse("103").unwrap()));
        assert_eq!(
            item["PageCount"],
            AttributeValue::N(Number::parse("600").unwrap())
        );
        assert_eq!(
            item["Price"],
            AttributeValue::N(Number::parse("2000").unwrap())
        );
        assert_eq!(item["InPublication"], AttributeValue::Bool(false));
        assert!(matches!(&item["Authors"], AttributeValue::Ss(s) if s.len() == 2));
    }

    #[test]
    fn written_items_read_back() {
        let mut item = Item::new();
        item.insert("pk".into(), AttributeValue::S("a \"q\" \n é".into()));
        item.insert(
            "n".into(),
            AttributeValue::N(Number::parse("-1.5e-7").unwrap()),
        );
        item.insert("i".into(), AttributeValue::N(Number::parse("42").unwrap()));
        item.insert("b".into(), AttributeValue::B(vec![0, 1, 255]));
        item.insert("null".into(), AttributeValue::Null);
        item.insert("with space".into(), AttributeValue::Bool(true));
        item.insert(
            "l".into(),
            AttributeValue::L(vec![
                AttributeValue::Ns([Number::parse("1").unwrap()].into()),
                AttributeValue::Bs([vec![9u8]].into()),
                AttributeValue::M(
                    [(
                        "x".to_string(),
                        AttributeValue::Ss(["s".to_string()].into()),
                    )]
                    .into(),
                ),
            ]),
        );
        let mut text = String::new();
        write_item(&item, &mut text);
        write_item(&item, &mut text);
        let back = read_all(&text);
        assert_eq!(back.len(), 2);
        for b in back {
            assert_eq!(b.expect("reads"), item);
        }
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in [
            "{Item:{a:1e3}}",
            "{Item:{a:sym}}",
            "{Item:{a:$dynamodb_SS::[1]}}",
            "{Item:{a:\"x}}",
            "{Other:{}}",
            "[1]",
            "{Item:{a:2000-01-01T}}",
        ] {
            let got = read_all(bad);
            assert!(got.first().is_some_and(|r| r.is_err()), "{bad}: {got:?}");
        }
        assert_eq!(ion_number_text("0x1F").as_deref(), Some("31"));
        assert_eq!(ion_number_text("-1.50d-2").as_deref(), Some("-1.50E-2"));
    }
}
