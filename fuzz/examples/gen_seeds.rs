//! Writes valid seed inputs for every fuzz target into `corpus/<target>/`
//! (relative to the current directory; run from `fuzz/`):
//!
//! ```sh
//! cd fuzz && cargo run --example gen_seeds
//! ```
//!
//! Seeds: real WAL files (batches written with `LogWriter`, plus torn and
//! zero-padded variants), real SSTables from `TableBuilder` on a `MemFs`
//! (several block sizes / restart intervals, with and without a bloom
//! filter), real MANIFEST edit streams, and raw data/index blocks; encoded
//! DynamoDB items and values; expressions of every kind (first byte =
//! kind, see `siltdb_fuzz::expr::KINDS`); stream records; HTTP requests for
//! every kind of body the server decodes; and PartiQL statements of every
//! form.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use siltdb::dynamo::{AttributeValue, Item, Number};
use siltdb::fs::{Fs, MemFs};
use siltdb::low_level::dynamo::itemcodec::{encode_item_to_vec, encode_value};
use siltdb::low_level::dynamo::stream_record::{decode_record, encode_record, RecordRef};
use siltdb::low_level::key::{make_internal_key, ValueKind};
use siltdb::low_level::manifest::{FileMeta, VersionEdit};
use siltdb::low_level::sstable::{BlockBuilder, Footer, TableBuilder, TableOptions, FOOTER_LEN};
use siltdb::low_level::vlog::BlobWriter;
use siltdb::low_level::wal::LogWriter;
use siltdb::WriteBatch;

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir).expect("create corpus dir");
    fs::write(dir.join(name), data).expect("write seed");
    // Every seed must run cleanly through its target.
    match target {
        "wal_reader" => siltdb_fuzz::run_wal(data),
        "sstable_reader" => siltdb_fuzz::run_sstable(data),
        "manifest_reader" => siltdb_fuzz::run_manifest(data),
        "block_decoder" => siltdb_fuzz::run_block(data),
        "item_decoder" => siltdb_fuzz::run_item(data),
        "expr_parser" => siltdb_fuzz::run_expr(data),
        "catalog_decoder" => siltdb_fuzz::run_catalog(data),
        "blob_reader" => siltdb_fuzz::run_blob(data),
        "partiql_parser" => siltdb_fuzz::run_partiql(data),
        "recovery_open" => siltdb_fuzz::run_recovery(data),
        "stream_record" => siltdb_fuzz::run_stream_record(data),
        "http_request" => siltdb_fuzz::run_http_request(data),
        _ => unreachable!(),
    }
}

/// The bytes of a format-spec vector: hex digits, `#` comment lines.
fn hex_vector(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.bytes().filter(|b| b.is_ascii_hexdigit()))
        .collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}

fn log_of(records: &[Vec<u8>]) -> Vec<u8> {
    let fs = MemFs::new();
    let path = Path::new("000001.log");
    let mut w = LogWriter::new(fs.create(path).expect("create"), "000001.log".into());
    for r in records {
        w.add_record(r).expect("add record");
    }
    w.sync().expect("sync");
    fs.read_all(path).expect("read log")
}

fn batches() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut seq = 1;
    for i in 0..4u32 {
        let mut b = WriteBatch::new();
        b.set_sequence(seq);
        for j in 0..=i {
            let key = format!("key{:03}", i * 10 + j);
            if j % 3 == 2 {
                b.delete(key.as_bytes());
            } else {
                b.put(key.as_bytes(), format!("value-{i}-{j}").as_bytes());
            }
        }
        seq += u64::from(b.count());
        out.push(b.data().to_vec());
    }
    out.push(WriteBatch::new().data().to_vec()); // an empty batch
    out
}

fn entries(n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let uk = format!("user{:04}", i / 2);
            let seq = 100 - (i % 2) as u64;
            let kind = if i % 5 == 4 {
                ValueKind::Deletion
            } else {
                ValueKind::Value
            };
            let v = if kind == ValueKind::Deletion {
                vec![]
            } else {
                format!("v{i}").into_bytes()
            };
            (make_internal_key(uk.as_bytes(), seq, kind), v)
        })
        .collect()
}

fn table(n: usize, opts: TableOptions) -> Vec<u8> {
    let fs = MemFs::new();
    let path = Path::new("000005.sst");
    let mut b = TableBuilder::new(
        fs.create(path).expect("create"),
        "000005.sst".into(),
        opts,
        None,
    );
    for (k, v) in entries(n) {
        b.add(&k, &v).expect("add");
    }
    b.finish().expect("finish");
    fs.read_all(path).expect("read table")
}

fn meta(number: u64, lo: &str, hi: &str, seq: u64) -> FileMeta {
    FileMeta {
        number,
        size: 1000 + number,
        smallest: make_internal_key(lo.as_bytes(), seq, ValueKind::Value),
        largest: make_internal_key(hi.as_bytes(), seq + 5, ValueKind::Deletion),
        smallest_seq: seq,
        largest_seq: seq + 5,
        num_entries: 10,
        num_deletions: 2,
    }
}

fn num(s: &str) -> Number {
    Number::parse(s).expect("valid number")
}

/// Items covering every value type, nesting and sets.
fn items() -> Vec<(&'static str, Item)> {
    let s = |v: &str| AttributeValue::S(v.to_string());
    let flat: Item = [
        ("b", AttributeValue::B(vec![0x00, 0xFF])),
        ("id", s("u1")),
        ("n", AttributeValue::N(num("-1234.5"))),
        ("nil", AttributeValue::Null),
        ("no", AttributeValue::Bool(false)),
        ("yes", AttributeValue::Bool(true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let inner: BTreeMap<String, AttributeValue> = [
        (
            "list".to_string(),
            AttributeValue::L(vec![
                AttributeValue::N(Number::ZERO),
                AttributeValue::N(num("1e-130")),
                AttributeValue::N(num("9.9999999999999999999999999999999999999E+125")),
                AttributeValue::M(BTreeMap::new()),
                AttributeValue::L(vec![s(""), s("é")]),
            ]),
        ),
        ("tags".to_string(), AttributeValue::L(vec![])),
    ]
    .into();
    let nested: Item = [
        ("doc".to_string(), AttributeValue::M(inner)),
        ("pk".to_string(), s("a")),
    ]
    .into();
    let sets: Item = [
        (
            "bs".to_string(),
            AttributeValue::Bs([vec![], vec![0x00], vec![0x01, 0x02]].into()),
        ),
        (
            "ns".to_string(),
            AttributeValue::Ns(
                [
                    num("-1.5"),
                    Number::ZERO,
                    num("10"),
                    num("123456789012345678901234567890"),
                ]
                .into(),
            ),
        ),
        (
            "ss".to_string(),
            AttributeValue::Ss(["a".to_string(), "b".to_string()].into()),
        ),
    ]
    .into();
    vec![
        ("item-flat", flat),
        ("item-nested", nested),
        ("item-sets", sets),
    ]
}

/// Expressions of each kind; the index is the kind's selector byte.
const EXPRESSIONS: [&[&str]; 5] = [
    &[
        "a = :a AND (attribute_exists(#b) OR NOT begins_with(#a.x[2], :v))",
        "size(a) BETWEEN :a AND :b",
        "a IN (:a, :b, :v)",
        "contains(#n, :v) AND b <> :a",
        "attribute_type(a, :a) OR attribute_not_exists(b[0])",
    ],
    &["a.b[1] >= :v OR c < :a", "NOT (a = :a)"],
    &[
        "#a = :a AND b BETWEEN :b AND :v",
        "a = :a AND begins_with(b, :b)",
        ":v = a",
    ],
    &["a, b.c[3], #n, #b", "x[1][2].y"],
    &[
        "SET a = :a + :b, #n = if_not_exists(#n, :v) REMOVE c[0] ADD d :a DELETE e :b",
        "SET l = list_append(l, :v), m = m - :a",
    ],
];

/// A blob file of a few records, written by `BlobWriter`.
fn blob_file() -> Vec<u8> {
    let fs = MemFs::new();
    let path = Path::new("000009.blob");
    let file = fs.create(path).expect("create");
    let mut w = BlobWriter::new(file, "000009.blob".into(), 9, None);
    for (i, len) in [0usize, 1, 40, 300, 5].iter().enumerate() {
        let key = format!("key{i}");
        let value: Vec<u8> = (0..*len).map(|b| (b * 7 + i) as u8).collect();
        w.add(key.as_bytes(), &value).expect("add");
    }
    w.sync().expect("sync");
    fs.read_all(path).expect("read")
}

/// The files of a small database on a `MemFs` (small tables, so it stays
/// under the target's 64 KiB per file): flushed, compacted, with separated
/// values in blob files (some rewritten by garbage collection), and with
/// writes left in its WAL and its blob file. With `crash`, the power is cut instead of closing.
fn database_files(crash: bool) -> Vec<(String, Vec<u8>)> {
    let mem = MemFs::new();
    let opts = siltdb::Options {
        fs: std::sync::Arc::new(mem.clone()),
        write_buffer_size: 4 << 10,
        background_write_rate: 0,
        table: TableOptions {
            block_size: 128,
            ..TableOptions::default()
        },
        // Values of 64 bytes and more go to blob files; a blob file under
        // 90% live is rewritten by the next compaction.
        blob: siltdb::low_level::vlog::BlobOptions {
            min_blob_size: 64,
            file_size: 4 << 10,
            gc_live_fraction: 0.9,
            ..siltdb::low_level::vlog::BlobOptions::default()
        },
        ..siltdb::Options::default()
    };
    let big = |i: u32| format!("{i:04} separated value ").repeat(4).into_bytes();
    let db = siltdb::Db::open("/db", opts).expect("open");
    for i in 0..120u32 {
        let value = if i % 4 == 0 {
            big(i)
        } else {
            format!("value {i}").into_bytes()
        };
        db.put(format!("key{i:04}").as_bytes(), &value)
            .expect("put");
    }
    db.compact_range(None, None).expect("compact");
    for i in (0..120u32).step_by(3) {
        db.delete(format!("key{i:04}").as_bytes()).expect("delete");
    }
    db.flush().expect("flush");
    // Drops most separated values: the compaction rewrites their blob files.
    db.compact_range(None, None).expect("compact");
    for i in 120..130u32 {
        db.put(format!("key{i:04}").as_bytes(), b"in the WAL")
            .expect("put");
        db.put(format!("big{i:04}").as_bytes(), &big(i))
            .expect("put");
    }
    if crash {
        mem.crash();
        drop(db);
    } else {
        db.close().expect("close");
        drop(db);
    }
    let dir = Path::new("/db");
    let mut names = mem.list(dir).expect("list");
    names.sort();
    names
        .into_iter()
        .filter(|n| n != "LOCK")
        .map(|n| {
            let data = mem.read_all(&dir.join(&n)).expect("read");
            (n, data)
        })
        .collect()
}

fn main() {
    // WAL
    let log = log_of(&batches());
    write("wal_reader", "log-batches", &log);
    write("wal_reader", "log-torn", &log[..log.len() - 7]);
    let mut padded = log.clone();
    padded.resize(log.len() + 32, 0);
    write("wal_reader", "log-zero-tail", &padded);
    write("wal_reader", "log-one", &log_of(&batches()[..1]));

    // SSTables
    let small = TableOptions {
        block_size: 64,
        restart_interval: 2,
        ..TableOptions::default()
    };
    let nofilter = TableOptions {
        block_size: 128,
        restart_interval: 4,
        bloom_bits_per_key: 0,
        ..TableOptions::default()
    };
    let tables = [
        ("table-1", table(1, TableOptions::default())),
        ("table-small-blocks", table(12, small.clone())),
        ("table-no-filter", table(20, nofilter)),
        ("table-one-block", table(30, TableOptions::default())),
    ];
    for (name, t) in &tables {
        write("sstable_reader", name, t);
    }

    // Blocks: a data block, and the index block of a multi-block table.
    let mut bb = BlockBuilder::new(3);
    for (k, v) in entries(10) {
        bb.add(&k, &v);
    }
    write("block_decoder", "data-block", bb.finish());
    let t = &tables[1].1;
    let footer = Footer::decode(&t[t.len() - FOOTER_LEN..]).expect("footer");
    let (o, s) = (footer.index.offset as usize, footer.index.size as usize);
    write("block_decoder", "index-block", &t[o..o + s]);

    // MANIFEST
    let edits = [
        VersionEdit {
            log_number: Some(3),
            next_file_number: Some(4),
            last_sequence: Some(0),
            ..Default::default()
        },
        VersionEdit {
            next_file_number: Some(8),
            last_sequence: Some(40),
            new_files: vec![(0, meta(5, "a", "m", 1)), (0, meta(6, "c", "z", 10))],
            ..Default::default()
        },
        VersionEdit {
            next_file_number: Some(9),
            deleted_files: vec![(0, 5), (0, 6)],
            new_files: vec![(1, meta(7, "a", "k", 1)), (1, meta(8, "l", "z", 10))],
            ..Default::default()
        },
        VersionEdit {
            log_number: Some(9),
            deleted_files: vec![(1, 7)],
            new_files: vec![(2, meta(7, "a", "k", 1))],
            ..Default::default()
        },
    ];
    let encoded: Vec<Vec<u8>> = edits.iter().map(VersionEdit::encoded).collect();
    write("manifest_reader", "manifest-stream", &log_of(&encoded));
    write("manifest_reader", "manifest-first", &log_of(&encoded[..1]));
    write("manifest_reader", "edit-raw", &encoded[2]);

    // Blob files: the format-spec vectors (versions 1 and 2), and one
    // written by BlobWriter (the current version).
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../format-spec/vectors");
    let text = fs::read_to_string(spec.join("blob-file.hex")).expect("read vector");
    write("blob_reader", "blob-file-vector", &hex_vector(&text));
    let text = fs::read_to_string(spec.join("blob-file-v2.hex")).expect("read vector");
    write("blob_reader", "blob-file-v2-vector", &hex_vector(&text));
    write("blob_reader", "blob-file-written", &blob_file());
    // A batch with a separated value, as a WAL, and the value-log edit.
    let text = fs::read_to_string(spec.join("batch-put-blob.hex")).expect("read vector");
    write(
        "wal_reader",
        "log-blob-batch",
        &log_of(&[hex_vector(&text)]),
    );
    let text = fs::read_to_string(spec.join("manifest-edit-blob.hex")).expect("read vector");
    write("manifest_reader", "edit-blob-raw", &hex_vector(&text));

    // DynamoDB items and values
    for (name, it) in items() {
        write("item_decoder", name, &encode_item_to_vec(&it));
        for (i, v) in it.values().enumerate() {
            let mut value = Vec::new();
            encode_value(v, &mut value);
            write("item_decoder", &format!("{name}-value-{i}"), &value);
        }
    }

    // Catalog records: the format-spec vectors, and a retained-streams pair
    // as `run_catalog` splits it (first byte = key length).
    for name in [
        "catalog-table",
        "catalog-table-ttl-tags",
        "catalog-retired-index",
        "catalog-retired-streams-key",
        "catalog-retired-streams",
    ] {
        let text = fs::read_to_string(spec.join(format!("{name}.hex"))).expect("read vector");
        write("catalog_decoder", name, &hex_vector(&text));
    }
    let key = hex_vector(
        &fs::read_to_string(spec.join("catalog-retired-streams-key.hex")).expect("read vector"),
    );
    let value = hex_vector(
        &fs::read_to_string(spec.join("catalog-retired-streams.hex")).expect("read vector"),
    );
    let mut pair = vec![u8::try_from(key.len()).expect("short key")];
    pair.extend_from_slice(&key);
    pair.extend_from_slice(&value);
    write("catalog_decoder", "retired-streams-pair", &pair);

    // Whole directories, for recovery_open: a database with tables on two
    // levels and writes in its WAL; the same after a power cut; one that
    // lost its CURRENT; one with crash debris.
    let db = database_files(false);
    write(
        "recovery_open",
        "dir-closed",
        &siltdb_fuzz::recovery::encode_dir(&db),
    );
    let crashed = database_files(true);
    write(
        "recovery_open",
        "dir-crashed",
        &siltdb_fuzz::recovery::encode_dir(&crashed),
    );
    let no_current: Vec<(String, Vec<u8>)> =
        db.iter().filter(|(n, _)| n != "CURRENT").cloned().collect();
    write(
        "recovery_open",
        "dir-no-current",
        &siltdb_fuzz::recovery::encode_dir(&no_current),
    );
    let mut debris = db.clone();
    debris.push(("999999.sst".into(), b"half a table".to_vec()));
    debris.push(("999998.log".into(), vec![7; 40]));
    write(
        "recovery_open",
        "dir-debris",
        &siltdb_fuzz::recovery::encode_dir(&debris),
    );

    // Expressions
    for (kind, exprs) in EXPRESSIONS.iter().enumerate() {
        for (i, e) in exprs.iter().enumerate() {
            let mut data = vec![kind as u8];
            data.extend_from_slice(e.as_bytes());
            let name = format!("{}-{i}", siltdb_fuzz::expr::KINDS[kind]);
            write("expr_parser", &name, &data);
        }
    }
    // Stream records: the format-spec vector, and records built from it
    // with other images.
    let record =
        hex_vector(&fs::read_to_string(spec.join("stream-record.hex")).expect("read vector"));
    write("stream_record", "stream-record", &record);
    let r = decode_record(&record).expect("the vector decodes");
    for (name, it) in items() {
        let seed = encode_record(&RecordRef {
            old_image: None,
            new_image: Some(&it),
            ..siltdb_fuzz::stream::record_ref(&r)
        });
        write("stream_record", &format!("stream-record-{name}"), &seed);
    }

    // HTTP requests: one per kind of body the decoders read, and a
    // request signed with `siltdb_fuzz::http::CREDENTIALS`.
    for (target, body) in HTTP_BODIES {
        let request = format!(
            "POST / HTTP/1.1\r\nHost: localhost:8000\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: {target}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let name = target.rsplit('.').next().unwrap_or(target);
        write("http_request", name, request.as_bytes());
    }
    write(
        "http_request",
        "signed-describe-table",
        b"POST / HTTP/1.1\r\nHost: localhost:8000\r\nContent-Type: application/x-amz-json-1.0\r\n\
          X-Amz-Target: DynamoDB_20120810.DescribeTable\r\nX-Amz-Date: 20261124T195505Z\r\n\
          Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/dynamodb/aws4_request, \
          SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
          Signature=d173525b48c712f5628e81a09967ba24e9ef2496718f91d6d02723400fcbc162\r\n\
          Content-Length: 21\r\n\r\n{\"TableName\":\"Music\"}",
    );
    // PartiQL statements
    for (i, statement) in PARTIQL.iter().enumerate() {
        write(
            "partiql_parser",
            &format!("statement-{i}"),
            statement.as_bytes(),
        );
    }
    println!("seeds written under corpus/");
}

/// Bodies for the `http_request` seeds: (target, JSON).
const HTTP_BODIES: &[(&str, &str)] = &[
    (
        "DynamoDB_20120810.PutItem",
        r##"{"TableName":"Music","Item":{"Artist":{"S":"Arvo"},"Year":{"N":"1978"},"Tags":{"SS":["a","b"]},"M":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false},{"B":"AAE="}]}}}},"ConditionExpression":"attribute_not_exists(#a)","ExpressionAttributeNames":{"#a":"Artist"},"ReturnValues":"ALL_OLD"}"##,
    ),
    (
        "DynamoDB_20120810.Query",
        r##"{"TableName":"Music","IndexName":"byYear","KeyConditionExpression":"Artist = :a AND #y > :y","ExpressionAttributeNames":{"#y":"Year"},"ExpressionAttributeValues":{":a":{"S":"Arvo"},":y":{"N":"1970"}},"Limit":10,"ScanIndexForward":false,"ExclusiveStartKey":{"Artist":{"S":"Arvo"},"Year":{"N":"1975"}}}"##,
    ),
    (
        "DynamoDB_20120810.Scan",
        r##"{"TableName":"Music","Segment":1,"TotalSegments":4,"ScanFilter":{"Year":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"2"}]}},"Select":"COUNT"}"##,
    ),
    (
        "DynamoDB_20120810.BatchWriteItem",
        r##"{"RequestItems":{"Music":[{"PutRequest":{"Item":{"Artist":{"S":"a"}}}},{"DeleteRequest":{"Key":{"Artist":{"S":"b"}}}}]},"ReturnConsumedCapacity":"TOTAL"}"##,
    ),
    (
        "DynamoDB_20120810.TransactWriteItems",
        r##"{"TransactItems":[{"Update":{"TableName":"Music","Key":{"Artist":{"S":"a"}},"UpdateExpression":"SET n = n + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},{"ConditionCheck":{"TableName":"Music","Key":{"Artist":{"S":"b"}},"ConditionExpression":"attribute_exists(Artist)"}}],"ClientRequestToken":"t"}"##,
    ),
    (
        "DynamoDB_20120810.CreateTable",
        r##"{"TableName":"Music","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"Year","AttributeType":"N"}],"KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"byYear","KeySchema":[{"AttributeName":"Year","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}"##,
    ),
    (
        "DynamoDBStreams_20120810.GetShardIterator",
        r##"{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Music/stream/2026-01-01T00:00:00.000","ShardId":"shardId-00000001700000000000-abcdef01","ShardIteratorType":"AT_SEQUENCE_NUMBER","SequenceNumber":"000000000000000000001"}"##,
    ),
    (
        "DynamoDB_20120810.ExecuteStatement",
        r##"{"Statement":"SELECT * FROM Music WHERE Artist = ? AND #x > 1","Parameters":[{"S":"Arvo"}],"Limit":5,"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}"##,
    ),
    (
        "DynamoDB_20120810.BatchExecuteStatement",
        r##"{"Statements":[{"Statement":"SELECT * FROM Music WHERE Artist = ?","Parameters":[{"S":"Arvo"}],"ConsistentRead":true},{"Statement":"SELECT * FROM Music WHERE Artist = 'b'"}],"ReturnConsumedCapacity":"INDEXES"}"##,
    ),
    (
        "DynamoDB_20120810.ExecuteTransaction",
        r##"{"TransactStatements":[{"Statement":"UPDATE Music SET n = n + ? WHERE Artist = 'a'","Parameters":[{"N":"1"}],"ReturnValuesOnConditionCheckFailure":"ALL_OLD"},{"Statement":"EXISTS(SELECT * FROM Music WHERE Artist = 'b')"}],"ClientRequestToken":"t","ReturnConsumedCapacity":"TOTAL"}"##,
    ),
];

/// PartiQL seeds: every statement form, literal and function.
const PARTIQL: &[&str] = &[
    "SELECT * FROM Music WHERE pk = 'a' AND sk > 1 ORDER BY sk DESC",
    "SELECT m.l[0], \"sk\" FROM \"Music\" WHERE pk IN ['a', 'b'] AND begins_with(pk, ?)",
    "SELECT sk FROM \"Music\".\"byG\" WHERE g = 'x' OR NOT (sk BETWEEN 1 AND 2)",
    "select * from Music where m IS NOT MISSING and size(m) = ? and contains(pk, 'a') and attribute_type(m, 'M')",
    "SELECT * FROM Music WHERE x IS NULL OR x IS STRING OR x = <<1, 2.5, -3e2>> OR x <> {'k': [TRUE, null]}",
    "INSERT INTO Music VALUE {'pk': ?, 'sk': 3, 'ss': <<'a''b'>>, 'm': {'l': [1, ?]}}",
    "UPDATE Music SET a = a + 1, l = list_append(l, [1]) SET s = set_add(s, <<'x'>>) REMOVE b WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED NEW *",
    "DELETE FROM Music WHERE pk = ? AND sk = ? AND a > 1 RETURNING ALL OLD *",
    "EXISTS(SELECT * FROM Music WHERE pk = 'a' AND sk = 1 AND a IS MISSING)",
    "-- comment\nSELECT /* c */ * FROM Music;",
];
