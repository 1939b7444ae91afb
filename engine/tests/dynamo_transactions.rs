//! TransactWriteItems and TransactGetItems: all or nothing under
//! concurrency and across a crash, cancellation reasons, conflicts,
//! idempotency tokens, DynamoDB's limits and messages, capacity.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use common::{item, n, num, s, values};
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoOptions, ManualClock};
use siltdb::fs::{FileLock, Fs, MemFs, RandomAccessFile, WritableFile};
use siltdb::{AttributeValue, Db, DynamoError, Item, Options};

// ---------------------------------------------------------------- helpers

fn key(id: &str) -> Item {
    item(&[("id", s(id))])
}

fn create(db: &DynamoDb, name: &str) {
    db.create_table(CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![AttributeDefinition {
            attribute_name: "id".into(),
            attribute_type: ScalarAttributeType::S,
        }],
        key_schema: vec![KeySchemaElement {
            attribute_name: "id".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("create table");
}

fn memdb() -> DynamoDb {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "Tab");
    create(&db, "Uno");
    db
}

fn put_item(db: &DynamoDb, table: &str, i: Item) {
    db.put_item(PutItemInput {
        table_name: table.into(),
        item: i,
        ..Default::default()
    })
    .expect("put_item");
}

fn get_item(db: &DynamoDb, table: &str, k: Item) -> Option<Item> {
    db.get_item(GetItemInput {
        table_name: table.into(),
        key: k,
        ..Default::default()
    })
    .expect("get_item")
    .item
}

fn tput(table: &str, i: Item) -> TransactWriteItem {
    TransactWriteItem::Put(Put {
        table_name: table.into(),
        item: i,
        ..Default::default()
    })
}

fn tx(
    db: &DynamoDb,
    actions: Vec<TransactWriteItem>,
) -> Result<TransactWriteItemsOutput, DynamoError> {
    db.transact_write_items(TransactWriteItemsInput {
        transact_items: actions,
        ..Default::default()
    })
}

fn tget(table: &str, k: Item) -> TransactGetItem {
    TransactGetItem {
        get: Get {
            table_name: table.into(),
            key: k,
            ..Default::default()
        },
    }
}

fn validation(r: Result<impl std::fmt::Debug, DynamoError>) -> String {
    match r {
        Err(DynamoError::ValidationException(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

fn cancellation(r: Result<impl std::fmt::Debug, DynamoError>) -> (String, Vec<CancellationReason>) {
    match r {
        Err(DynamoError::TransactionCanceledException { message, reasons }) => (message, reasons),
        other => panic!("expected a TransactionCanceledException, got {other:?}"),
    }
}

fn codes(reasons: &[CancellationReason]) -> Vec<&str> {
    reasons
        .iter()
        .map(|r| r.code.as_deref().unwrap_or("-"))
        .collect()
}

/// A small xorshift generator: reproducible runs without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

// ------------------------------------------------------------ bank model

const ACCOUNTS: usize = 10;
const THREADS: usize = 4;
const TRANSFERS: usize = 200;

fn account(i: usize) -> String {
    format!("acct{i}")
}

fn open_accounts(db: &DynamoDb) {
    create(db, "Accounts");
    create(db, "Ledger");
    for i in 0..ACCOUNTS {
        put_item(
            db,
            "Accounts",
            item(&[("id", s(&account(i))), ("balance", n(100))]),
        );
    }
}

/// How one transfer ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Committed,
    InsufficientFunds,
    Failed(DynamoError),
}

/// Moves `amt` from `from` to `to` if `from` has it, checking that `third`
/// exists, and records the move under `ledger_id` — one transaction.
/// Retries on conflict.
fn transfer(
    db: &DynamoDb,
    from: usize,
    to: usize,
    third: usize,
    amt: i64,
    ledger_id: &str,
) -> Outcome {
    let amount = values(&[(":amt", n(amt))]);
    let actions = vec![
        TransactWriteItem::Update(Update {
            table_name: "Accounts".into(),
            key: key(&account(from)),
            update_expression: "SET balance = balance - :amt".into(),
            condition_expression: Some("balance >= :amt".into()),
            expression_attribute_values: amount.clone(),
            ..Default::default()
        }),
        TransactWriteItem::Update(Update {
            table_name: "Accounts".into(),
            key: key(&account(to)),
            update_expression: "SET balance = balance + :amt".into(),
            expression_attribute_values: amount,
            ..Default::default()
        }),
        TransactWriteItem::ConditionCheck(ConditionCheck {
            table_name: "Accounts".into(),
            key: key(&account(third)),
            condition_expression: "attribute_exists(id)".into(),
            ..Default::default()
        }),
        TransactWriteItem::Put(Put {
            table_name: "Ledger".into(),
            item: item(&[
                ("id", s(ledger_id)),
                ("from", s(&account(from))),
                ("to", s(&account(to))),
                ("amt", n(amt)),
            ]),
            condition_expression: Some("attribute_not_exists(id)".into()),
            ..Default::default()
        }),
    ];
    loop {
        match tx(db, actions.clone()) {
            Ok(_) => return Outcome::Committed,
            Err(DynamoError::TransactionCanceledException { reasons, .. }) => {
                let codes = codes(&reasons);
                if codes.contains(&"TransactionConflict") {
                    std::thread::yield_now();
                    continue;
                }
                assert_eq!(
                    codes,
                    vec!["ConditionalCheckFailed", "None", "None", "None"]
                );
                return Outcome::InsufficientFunds;
            }
            Err(e) => return Outcome::Failed(e),
        }
    }
}

/// Runs `THREADS` × `TRANSFERS` random transfers; returns the ledger ids
/// of the committed ones. A thread stops at its first storage failure.
fn run_transfers(db: &Arc<DynamoDb>, committed_count: &Arc<AtomicUsize>) -> Vec<String> {
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(db);
            let count = Arc::clone(committed_count);
            std::thread::spawn(move || {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((t as u64 + 1) * 0x1234_5678));
                let mut committed = Vec::new();
                for k in 0..TRANSFERS {
                    let from = rng.below(ACCOUNTS as u64) as usize;
                    let to = (from + 1 + rng.below(ACCOUNTS as u64 - 1) as usize) % ACCOUNTS;
                    let mut third = rng.below(ACCOUNTS as u64) as usize;
                    while third == from || third == to {
                        third = (third + 1) % ACCOUNTS;
                    }
                    let amt = 1 + rng.below(40) as i64;
                    let id = format!("t{t}-{k}");
                    match transfer(&db, from, to, third, amt, &id) {
                        Outcome::Committed => {
                            committed.push(id);
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        Outcome::InsufficientFunds => {}
                        Outcome::Failed(_) => break,
                    }
                }
                committed
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().expect("transfer thread"))
        .collect()
}

fn all_accounts_get() -> TransactGetItemsInput {
    TransactGetItemsInput {
        transact_items: (0..ACCOUNTS)
            .map(|i| tget("Accounts", key(&account(i))))
            .collect(),
        ..Default::default()
    }
}

fn balances(db: &DynamoDb) -> Vec<i64> {
    let out = db
        .transact_get_items(all_accounts_get())
        .expect("transact get");
    out.responses
        .iter()
        .map(|r| num(r.item.as_ref().and_then(|i| i.get("balance"))))
        .collect()
}

#[test]
fn concurrent_transfers_keep_the_total_and_reads_see_whole_transactions() {
    let db = Arc::new(memdb());
    open_accounts(&db);
    let done = Arc::new(AtomicBool::new(false));
    let reading = Arc::new(AtomicBool::new(false));
    let reader = {
        let db = Arc::clone(&db);
        let done = Arc::clone(&done);
        let reading = Arc::clone(&reading);
        std::thread::spawn(move || {
            let mut reads = 0usize;
            while !done.load(Ordering::Relaxed) {
                let b = balances(&db);
                assert_eq!(
                    b.iter().sum::<i64>(),
                    1000,
                    "a read saw a partial transfer: {b:?}"
                );
                assert!(b.iter().all(|&x| x >= 0), "{b:?}");
                reads += 1;
                reading.store(true, Ordering::Relaxed);
            }
            reads
        })
    };
    // The transfers start once the reader is reading.
    while !reading.load(Ordering::Relaxed) {
        std::thread::yield_now();
    }
    let count = Arc::new(AtomicUsize::new(0));
    let committed = run_transfers(&db, &count);
    done.store(true, Ordering::Relaxed);
    let reads = reader.join().expect("reader");
    assert!(reads > 0);
    assert!(!committed.is_empty());
    assert_eq!(balances(&db).iter().sum::<i64>(), 1000);
    for id in &committed {
        assert!(get_item(&db, "Ledger", key(id)).is_some(), "{id}");
    }
    assert_ledger_matches_balances(&db);
}

/// Every ledger entry present is reflected in the balances and nothing
/// else is: balance = 100 + credits − debits.
fn assert_ledger_matches_balances(db: &DynamoDb) {
    let mut expected = vec![100i64; ACCOUNTS];
    for t in 0..THREADS {
        for k in 0..TRANSFERS {
            if let Some(entry) = get_item(db, "Ledger", key(&format!("t{t}-{k}"))) {
                let amt = num(entry.get("amt"));
                let idx = |f: &str| match entry.get(f) {
                    Some(AttributeValue::S(a)) => {
                        a["acct".len()..].parse::<usize>().expect("account")
                    }
                    other => panic!("bad ledger entry {other:?}"),
                };
                expected[idx("from")] -= amt;
                expected[idx("to")] += amt;
            }
        }
    }
    assert_eq!(balances(db), expected);
}

#[test]
fn committed_transfers_survive_a_crash() {
    let fs = MemFs::new();
    let dir = "/bank";
    let open = |fs: &MemFs| {
        let options = Options {
            fs: Arc::new(fs.clone()),
            ..Options::default()
        };
        DynamoDb::with_db(
            Db::open(dir, options).expect("open engine"),
            DynamoOptions::default(),
        )
        .expect("open dynamo")
    };
    let db = Arc::new(open(&fs));
    open_accounts(&db);
    let count = Arc::new(AtomicUsize::new(0));
    let crasher = {
        let fs = fs.clone();
        let count = Arc::clone(&count);
        std::thread::spawn(move || {
            while count.load(Ordering::Relaxed) < 150 {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            fs.crash();
        })
    };
    let committed = run_transfers(&db, &count);
    crasher.join().expect("crasher");
    assert!(committed.len() >= 150);
    // Nothing written after the crash may reach the new instance.
    match Arc::try_unwrap(db) {
        Ok(db) => drop(db),
        Err(_) => panic!("database still shared"),
    }

    let db = open(&fs);
    assert_eq!(balances(&db).iter().sum::<i64>(), 1000);
    for id in &committed {
        assert!(
            get_item(&db, "Ledger", key(id)).is_some(),
            "committed transfer {id} lost"
        );
    }
    assert_ledger_matches_balances(&db);
    // And the database goes on working.
    assert_eq!(transfer(&db, 0, 1, 2, 0, "after-crash"), Outcome::Committed);
}

// ------------------------------------------------- cancellation reasons

#[test]
fn each_action_gets_its_own_reason_and_nothing_is_written() {
    let db = memdb();
    put_item(&db, "Tab", item(&[("id", s("a")), ("v", n(1))]));
    let not_exists = |table: &str, i: Item, all_old: bool| {
        TransactWriteItem::Put(Put {
            table_name: table.into(),
            item: i,
            condition_expression: Some("attribute_not_exists(id)".into()),
            return_values_on_condition_check_failure: all_old
                .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            ..Default::default()
        })
    };
    let r = tx(
        &db,
        vec![
            not_exists("Tab", item(&[("id", s("b"))]), true),
            not_exists("Tab", item(&[("id", s("a")), ("v", n(2))]), true),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Uno".into(),
                key: key("c"),
                condition_expression: "attribute_exists(id)".into(),
                return_values_on_condition_check_failure: Some(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ),
                ..Default::default()
            }),
            TransactWriteItem::Delete(Delete {
                table_name: "Tab".into(),
                key: key("d"),
                ..Default::default()
            }),
        ],
    );
    let (message, reasons) = cancellation(r);
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed, None]"
    );
    assert_eq!(
        reasons,
        vec![
            CancellationReason {
                code: Some("None".into()),
                message: None,
                item: None
            },
            CancellationReason {
                code: Some("ConditionalCheckFailed".into()),
                message: Some("The conditional request failed".into()),
                item: Some(item(&[("id", s("a")), ("v", n(1))])),
            },
            CancellationReason {
                code: Some("ConditionalCheckFailed".into()),
                message: Some("The conditional request failed".into()),
                item: None,
            },
            CancellationReason {
                code: Some("None".into()),
                message: None,
                item: None
            },
        ]
    );
    assert_eq!(get_item(&db, "Tab", key("b")), None);
    assert_eq!(
        get_item(&db, "Tab", key("a")),
        Some(item(&[("id", s("a")), ("v", n(1))]))
    );
}

#[test]
fn an_update_that_cannot_apply_cancels_with_a_validation_error() {
    let db = memdb();
    put_item(&db, "Tab", item(&[("id", s("a")), ("v", s("text"))]));
    let r = tx(
        &db,
        vec![
            tput("Tab", item(&[("id", s("new"))])),
            TransactWriteItem::Update(Update {
                table_name: "Tab".into(),
                key: key("big"),
                update_expression: "SET p = :p".into(),
                expression_attribute_values: values(&[(":p", s(&"x".repeat(400 * 1024)))]),
                ..Default::default()
            }),
        ],
    );
    let (message, reasons) = cancellation(r);
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]"
    );
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("Item size to update has exceeded the maximum allowed size")
    );
    assert_eq!(get_item(&db, "Tab", key("new")), None);
}

#[test]
fn a_key_that_does_not_match_the_schema_is_a_reason_not_an_exception() {
    let db = memdb();
    let r = tx(
        &db,
        vec![
            tput("Tab", item(&[("id", s("ok"))])),
            TransactWriteItem::Update(Update {
                table_name: "Tab".into(),
                key: item(&[("id", n(5))]),
                update_expression: "SET a = :v".into(),
                expression_attribute_values: values(&[(":v", s("x"))]),
                ..Default::default()
            }),
        ],
    );
    let (message, reasons) = cancellation(r);
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]"
    );
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("The provided key element does not match the schema")
    );
    assert_eq!(get_item(&db, "Tab", key("ok")), None);

    let (_, reasons) = cancellation(tx(&db, vec![tput("Tab", item(&[("id", n(5))]))]));
    assert_eq!(
        reasons[0].message.as_deref(),
        Some("One or more parameter values were invalid: Type mismatch for key id expected: S actual: N")
    );
    let (_, reasons) = cancellation(db.transact_get_items(TransactGetItemsInput {
        transact_items: vec![tget("Tab", Item::new())],
        ..Default::default()
    }));
    assert_eq!(codes(&reasons), vec!["ValidationError"]);

    // An empty key value is a plain ValidationException.
    assert_eq!(
        validation(tx(
            &db,
            vec![TransactWriteItem::Delete(Delete {
                table_name: "Tab".into(),
                key: key(""),
                ..Default::default()
            })]
        )),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id"
    );
}

// ------------------------------------------------------ limits, messages

#[test]
fn requests_are_validated_as_a_whole_first() {
    let db = memdb();
    assert_eq!(
        validation(tx(&db, vec![])),
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let many: Vec<_> = (0..101)
        .map(|i| tput("Tab", key(&format!("k{i}"))))
        .collect();
    assert_eq!(
        validation(tx(&db, many)),
        "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100"
    );
    let hundred: Vec<_> = (0..100)
        .map(|i| tput("Tab", key(&format!("k{i}"))))
        .collect();
    assert!(tx(&db, hundred).is_ok());
    assert!(get_item(&db, "Tab", key("k99")).is_some());

    let r = tx(
        &db,
        vec![
            tput("Tab", key("dup")),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Tab".into(),
                key: key("dup"),
                condition_expression: "attribute_exists(id)".into(),
                ..Default::default()
            }),
        ],
    );
    assert_eq!(
        validation(r),
        "Transaction request cannot include multiple operations on one item"
    );
    assert_eq!(get_item(&db, "Tab", key("dup")), None);
    // The same key in two tables is two items.
    assert!(tx(&db, vec![tput("Tab", key("x")), tput("Uno", key("x"))]).is_ok());

    let r = tx(&db, vec![tput("Tab", key("y")), tput("Nope", key("y"))]);
    assert!(
        matches!(r, Err(DynamoError::ResourceNotFoundException(_))),
        "{r:?}"
    );
    assert_eq!(get_item(&db, "Tab", key("y")), None);

    // A bad expression on a later action wins over a missing table earlier.
    let r = tx(
        &db,
        vec![
            tput("Nope", key("a")),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Tab".into(),
                key: key("a"),
                condition_expression: "attribute_exists(id)".into(),
                expression_attribute_values: values(&[(":v", s("x"))]),
                ..Default::default()
            }),
        ],
    );
    assert_eq!(
        validation(r),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"
    );

    let r = tx(
        &db,
        vec![TransactWriteItem::Update(Update {
            table_name: "Tab".into(),
            key: key("a"),
            update_expression: "SET id = :v".into(),
            expression_attribute_values: values(&[(":v", s("b"))]),
            ..Default::default()
        })],
    );
    assert_eq!(
        validation(r),
        "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key"
    );

    let big = |i: usize| {
        tput(
            "Tab",
            item(&[
                ("id", s(&format!("big{i}"))),
                ("d", s(&"x".repeat(390_000))),
            ]),
        )
    };
    assert!(tx(&db, (0..10).map(big).collect()).is_ok());
    assert_eq!(
        validation(tx(&db, (0..11).map(big).collect())),
        "Transaction request cannot be larger than 4 MB"
    );
    assert_eq!(
        validation(tx(
            &db,
            vec![tput(
                "Tab",
                item(&[("id", s("huge")), ("d", s(&"x".repeat(400 * 1024)))])
            )]
        )),
        "Item size has exceeded the maximum allowed size"
    );

    let r = db.transact_write_items(TransactWriteItemsInput {
        transact_items: vec![tput("Tab", key("tok"))],
        client_request_token: Some("x".repeat(37)),
        ..Default::default()
    });
    assert_eq!(
        validation(r),
        "1 validation error detected: Value at 'ClientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"
    );
    assert_eq!(get_item(&db, "Tab", key("tok")), None);
}

#[test]
fn transact_get_reads_in_order_with_projection() {
    let db = memdb();
    put_item(
        &db,
        "Tab",
        item(&[("id", s("a")), ("x", n(1)), ("y", n(2))]),
    );
    put_item(&db, "Uno", item(&[("id", s("a")), ("z", n(3))]));
    let out = db
        .transact_get_items(TransactGetItemsInput {
            transact_items: vec![
                tget("Uno", key("a")),
                tget("Tab", key("missing")),
                TransactGetItem {
                    get: Get {
                        table_name: "Tab".into(),
                        key: key("a"),
                        projection_expression: Some("y".into()),
                        ..Default::default()
                    },
                },
            ],
            ..Default::default()
        })
        .expect("get");
    assert_eq!(
        out.responses,
        vec![
            ItemResponse {
                item: Some(item(&[("id", s("a")), ("z", n(3))]))
            },
            ItemResponse { item: None },
            ItemResponse {
                item: Some(item(&[("y", n(2))]))
            },
        ]
    );
}

#[test]
fn transact_get_is_validated_like_transact_write() {
    let db = memdb();
    assert_eq!(
        validation(db.transact_get_items(TransactGetItemsInput::default())),
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let r = db.transact_get_items(TransactGetItemsInput {
        transact_items: vec![tget("Tab", key("a")), tget("Tab", key("a"))],
        ..Default::default()
    });
    assert_eq!(
        validation(r),
        "Transaction request cannot include multiple operations on one item"
    );
    let r = db.transact_get_items(TransactGetItemsInput {
        transact_items: vec![tget("Nope", key("a"))],
        ..Default::default()
    });
    assert!(
        matches!(r, Err(DynamoError::ResourceNotFoundException(_))),
        "{r:?}"
    );
    let r = db.transact_get_items(TransactGetItemsInput {
        transact_items: vec![TransactGetItem {
            get: Get {
                table_name: "Tab".into(),
                key: key("a"),
                projection_expression: Some("!!!".into()),
                ..Default::default()
            },
        }],
        ..Default::default()
    });
    assert!(validation(r).starts_with("Invalid ProjectionExpression: "));
}

#[test]
fn capacity_is_doubled_and_split_per_table() {
    let db = memdb();
    put_item(&db, "Tab", item(&[("id", s("small"))]));
    put_item(&db, "Uno", item(&[("id", s("gone"))]));
    let out = db
        .transact_write_items(TransactWriteItemsInput {
            transact_items: vec![
                tput("Tab", item(&[("id", s("p")), ("d", s(&"x".repeat(1500)))])),
                TransactWriteItem::ConditionCheck(ConditionCheck {
                    table_name: "Tab".into(),
                    key: key("small"),
                    condition_expression: "attribute_exists(id)".into(),
                    ..Default::default()
                }),
                TransactWriteItem::Delete(Delete {
                    table_name: "Uno".into(),
                    key: key("gone"),
                    ..Default::default()
                }),
            ],
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
            ..Default::default()
        })
        .expect("tx");
    let cc = out.consumed_capacity.expect("capacity");
    assert_eq!(cc.len(), 2);
    assert_eq!(cc[0].table_name.as_deref(), Some("Tab"));
    assert_eq!(
        (
            cc[0].capacity_units,
            cc[0].write_capacity_units,
            cc[0].read_capacity_units
        ),
        (Some(6.0), Some(6.0), None)
    );
    assert_eq!(cc[1].table_name.as_deref(), Some("Uno"));
    assert_eq!(cc[1].capacity_units, Some(2.0));
    assert_eq!(get_item(&db, "Uno", key("gone")), None);
    assert!(get_item(&db, "Tab", key("p")).is_some());

    let out = db
        .transact_get_items(TransactGetItemsInput {
            transact_items: vec![
                tget("Tab", key("p")),
                tget("Tab", key("small")),
                tget("Uno", key("none")),
            ],
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
        })
        .expect("get");
    let cc = out.consumed_capacity.expect("capacity");
    assert_eq!(cc.len(), 2);
    assert_eq!(
        (
            cc[0].capacity_units,
            cc[0].read_capacity_units,
            cc[0].write_capacity_units
        ),
        (Some(4.0), Some(4.0), None)
    );
    assert_eq!(
        cc[0].table.as_ref().and_then(|t| t.read_capacity_units),
        Some(4.0)
    );
    assert_eq!(cc[1].capacity_units, Some(2.0));
    assert!(db
        .transact_get_items(TransactGetItemsInput {
            transact_items: vec![tget("Tab", key("p"))],
            ..Default::default()
        })
        .expect("get")
        .consumed_capacity
        .is_none());
}

#[test]
fn describe_table_counts_transaction_writes() {
    let db = memdb();
    let count = |db: &DynamoDb| {
        db.describe_table(DescribeTableInput {
            table_name: "Tab".into(),
        })
        .expect("describe")
        .table
        .item_count
    };
    assert_eq!(count(&db), 0);
    tx(
        &db,
        vec![
            tput("Tab", key("a")),
            tput("Tab", key("b")),
            tput("Uno", key("a")),
        ],
    )
    .expect("tx");
    assert_eq!(count(&db), 2);
}

// ---------------------------------------------------------------- conflict

/// A file system whose next WAL sync, once armed, blocks until released —
/// so a test can hold a transaction inside its commit, locks held.
#[derive(Clone)]
struct GateFs {
    inner: MemFs,
    gate: Arc<Gate>,
}

#[derive(Default)]
struct Gate {
    armed: AtomicBool,
    /// (a sync is blocked, released)
    state: Mutex<(bool, bool)>,
    cv: Condvar,
}

impl Gate {
    fn pass(&self) {
        if !self.armed.swap(false, Ordering::SeqCst) {
            return;
        }
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.0 = true;
        self.cv.notify_all();
        while !st.1 {
            st = self.cv.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn wait_blocked(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while !st.0 {
            st = self.cv.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn release(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
        self.cv.notify_all();
    }
}

struct GateFile {
    inner: Box<dyn WritableFile>,
    gate: Option<Arc<Gate>>,
}

impl WritableFile for GateFile {
    fn append(&mut self, data: &[u8]) -> siltdb::Result<()> {
        self.inner.append(data)
    }
    fn sync(&mut self) -> siltdb::Result<()> {
        if let Some(g) = &self.gate {
            g.pass();
        }
        self.inner.sync()
    }
    fn len(&self) -> u64 {
        self.inner.len()
    }
}

impl Fs for GateFs {
    fn create(&self, path: &Path) -> siltdb::Result<Box<dyn WritableFile>> {
        let wal = path.extension().is_some_and(|e| e == "log");
        Ok(Box::new(GateFile {
            inner: self.inner.create(path)?,
            gate: wal.then(|| Arc::clone(&self.gate)),
        }))
    }
    fn open_random(&self, path: &Path) -> siltdb::Result<Arc<dyn RandomAccessFile>> {
        self.inner.open_random(path)
    }
    fn read_all(&self, path: &Path) -> siltdb::Result<Vec<u8>> {
        self.inner.read_all(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> siltdb::Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, path: &Path) -> siltdb::Result<()> {
        self.inner.remove(path)
    }
    fn list(&self, dir: &Path) -> siltdb::Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn file_size(&self, path: &Path) -> siltdb::Result<u64> {
        self.inner.file_size(path)
    }
    fn create_dir_all(&self, dir: &Path) -> siltdb::Result<()> {
        self.inner.create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> siltdb::Result<()> {
        self.inner.sync_dir(dir)
    }
    fn sync_file(&self, path: &Path) -> siltdb::Result<()> {
        self.inner.sync_file(path)
    }
    fn lock(&self, path: &Path) -> siltdb::Result<Box<dyn FileLock>> {
        self.inner.lock(path)
    }
}

#[test]
fn a_transaction_in_flight_makes_another_one_conflict() {
    let gate = Arc::new(Gate::default());
    let fs = GateFs {
        inner: MemFs::new(),
        gate: Arc::clone(&gate),
    };
    let options = Options {
        fs: Arc::new(fs),
        ..Options::default()
    };
    let db = DynamoDb::with_db(
        Db::open("/gate", options).expect("open"),
        DynamoOptions::default(),
    )
    .expect("dynamo");
    create(&db, "Tab");
    put_item(&db, "Tab", item(&[("id", s("x")), ("v", n(0))]));
    let db = Arc::new(db);

    gate.armed.store(true, Ordering::SeqCst);
    let first = {
        let db = Arc::clone(&db);
        std::thread::spawn(move || tx(&db, vec![tput("Tab", item(&[("id", s("x")), ("v", n(1))]))]))
    };
    gate.wait_blocked();

    // The first transaction holds `x` inside its commit.
    let r = tx(
        &db,
        vec![
            tput("Tab", key("y")),
            tput("Tab", item(&[("id", s("x")), ("v", n(2))])),
        ],
    );
    let (message, reasons) = cancellation(r);
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"
    );
    assert_eq!(codes(&reasons), vec!["None", "TransactionConflict"]);
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("Transaction is ongoing for the item")
    );
    // A read transaction does not wait: it sees the state before the commit.
    let out = db
        .transact_get_items(TransactGetItemsInput {
            transact_items: vec![tget("Tab", key("x"))],
            ..Default::default()
        })
        .expect("get");
    assert_eq!(
        out.responses[0].item,
        Some(item(&[("id", s("x")), ("v", n(0))]))
    );

    gate.release();
    first.join().expect("first").expect("first transaction");
    assert_eq!(get_item(&db, "Tab", key("y")), None);
    assert_eq!(
        get_item(&db, "Tab", key("x")),
        Some(item(&[("id", s("x")), ("v", n(1))]))
    );
    // Once it is done, the second one goes through.
    assert!(tx(
        &db,
        vec![
            tput("Tab", key("y")),
            tput("Tab", item(&[("id", s("x")), ("v", n(2))]))
        ]
    )
    .is_ok());
}

// ------------------------------------------------------------- idempotency

fn clocked() -> (DynamoDb, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let options = Options {
        fs: Arc::new(MemFs::new()),
        ..Options::default()
    };
    let db = DynamoDb::with_db(
        Db::open("/clocked", options).expect("open"),
        DynamoOptions {
            clock: clock.clone(),
            ..Default::default()
        },
    )
    .expect("dynamo");
    create(&db, "Tab");
    (db, clock)
}

fn with_token(actions: Vec<TransactWriteItem>, token: &str) -> TransactWriteItemsInput {
    TransactWriteItemsInput {
        transact_items: actions,
        client_request_token: Some(token.into()),
        ..Default::default()
    }
}

const TEN_MINUTES: i64 = 10 * 60 * 1000;

#[test]
fn a_repeated_token_is_not_applied_again_for_ten_minutes() {
    let (db, clock) = clocked();
    let mut first = with_token(
        vec![tput("Tab", item(&[("id", s("a")), ("v", n(1))]))],
        "token-1",
    );
    first.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
    let out = db.transact_write_items(first.clone()).expect("first");
    let units = |out: TransactWriteItemsOutput| {
        let c = out.consumed_capacity.expect("capacity");
        (c[0].read_capacity_units, c[0].write_capacity_units)
    };
    assert_eq!(units(out), (None, Some(2.0)));
    put_item(&db, "Tab", item(&[("id", s("a")), ("v", n(2))]));

    // A repeat succeeds without writing; it reports reading the item.
    clock.advance_millis(TEN_MINUTES - 1);
    let out = db
        .transact_write_items(first.clone())
        .expect("repeat succeeds");
    assert_eq!(units(out), (Some(2.0), None));
    assert_eq!(
        get_item(&db, "Tab", key("a")),
        Some(item(&[("id", s("a")), ("v", n(2))]))
    );

    // Same token, different request.
    let other = with_token(
        vec![tput("Tab", item(&[("id", s("a")), ("v", n(3))]))],
        "token-1",
    );
    match db.transact_write_items(other.clone()) {
        Err(DynamoError::IdempotentParameterMismatchException(m)) => assert_eq!(
            m,
            "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used."
        ),
        r => panic!("expected IdempotentParameterMismatchException, got {r:?}"),
    }
    assert_eq!(
        get_item(&db, "Tab", key("a")),
        Some(item(&[("id", s("a")), ("v", n(2))]))
    );

    // Ten minutes after it completed, the token is new again.
    clock.advance_millis(1);
    db.transact_write_items(other)
        .expect("token reused after expiry");
    assert_eq!(
        get_item(&db, "Tab", key("a")),
        Some(item(&[("id", s("a")), ("v", n(3))]))
    );
    // Now the token belongs to the other request.
    assert!(matches!(
        db.transact_write_items(first),
        Err(DynamoError::IdempotentParameterMismatchException(_))
    ));
}

#[test]
fn a_token_counter_increments_once_per_window() {
    let (db, clock) = clocked();
    put_item(&db, "Tab", item(&[("id", s("c")), ("n", n(0))]));
    let add = |token: &str| {
        with_token(
            vec![TransactWriteItem::Update(Update {
                table_name: "Tab".into(),
                key: key("c"),
                update_expression: "ADD n :one".into(),
                expression_attribute_values: values(&[(":one", n(1))]),
                ..Default::default()
            })],
            token,
        )
    };
    let value = |db: &DynamoDb| {
        num(get_item(db, "Tab", key("c"))
            .as_ref()
            .and_then(|i| i.get("n")))
    };
    for _ in 0..5 {
        db.transact_write_items(add("tok")).expect("add");
    }
    assert_eq!(value(&db), 1);
    db.transact_write_items(add("other")).expect("add");
    assert_eq!(value(&db), 2);
    clock.advance_millis(TEN_MINUTES);
    db.transact_write_items(add("tok")).expect("add");
    assert_eq!(value(&db), 3);

    // A cancelled transaction does not use up its token.
    let guarded = |token: &str| {
        with_token(
            vec![TransactWriteItem::Update(Update {
                table_name: "Tab".into(),
                key: key("c"),
                update_expression: "ADD n :one".into(),
                condition_expression: Some("attribute_exists(ready)".into()),
                expression_attribute_values: values(&[(":one", n(1))]),
                ..Default::default()
            })],
            token,
        )
    };
    cancellation(db.transact_write_items(guarded("g")));
    assert_eq!(value(&db), 3);
    put_item(
        &db,
        "Tab",
        item(&[("id", s("c")), ("n", n(3)), ("ready", n(1))]),
    );
    db.transact_write_items(guarded("g")).expect("retry runs");
    db.transact_write_items(guarded("g")).expect("repeat");
    assert_eq!(value(&db), 4);
}

#[test]
fn concurrent_repeats_of_one_token_apply_once() {
    let (db, _clock) = clocked();
    put_item(&db, "Tab", item(&[("id", s("c")), ("n", n(0))]));
    let db = Arc::new(db);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                db.transact_write_items(with_token(
                    vec![TransactWriteItem::Update(Update {
                        table_name: "Tab".into(),
                        key: key("c"),
                        update_expression: "ADD n :one".into(),
                        expression_attribute_values: values(&[(":one", n(1))]),
                        ..Default::default()
                    })],
                    "shared",
                ))
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread").expect("every repeat succeeds");
    }
    let got = get_item(&db, "Tab", key("c"));
    assert_eq!(num(got.as_ref().and_then(|i| i.get("n"))), 1);
}
