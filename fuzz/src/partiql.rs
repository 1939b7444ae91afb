//! `partiql_parser`: PartiQL statements through the lexer and parser, and
//! the reads among them through the whole of `ExecuteStatement` (planner,
//! translation into expressions, the expression engine, Query and Scan) on
//! a small fixed database.
//!
//! Only reads run: they leave the database as it was, so every input sees
//! the same one. Besides "never panics": a statement that parses also lexes
//! on its own, with exactly as many `?` tokens as the parse counted
//! parameters. A SELECT's NextToken is followed for a few pages.

use std::sync::OnceLock;

use siltdb::dynamo::api::*;
use siltdb::dynamo::partiql::lexer::{lex, TokenKind};
use siltdb::dynamo::partiql::parse;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{AttributeValue, DynamoDb, Item, Number};

/// The parameters every statement is given (more than any seed uses; extra
/// ones are ignored, as DynamoDB ignores them).
pub fn parameters() -> Vec<AttributeValue> {
    vec![
        AttributeValue::S("a".into()),
        AttributeValue::N(Number::from(1i64)),
        AttributeValue::B(vec![0, 1]),
        AttributeValue::L(vec![AttributeValue::Null]),
        AttributeValue::Ss(["x".to_string(), "y".to_string()].into()),
        AttributeValue::Bool(true),
    ]
}

fn database() -> &'static DynamoDb {
    static DB: OnceLock<DynamoDb> = OnceLock::new();
    DB.get_or_init(|| {
        let db = DynamoDb::open_in_memory().expect("in-memory database");
        let def = |name: &str, t| AttributeDefinition {
            attribute_name: name.into(),
            attribute_type: t,
        };
        let key = |name: &str, key_type| KeySchemaElement {
            attribute_name: name.into(),
            key_type,
        };
        db.create_table(CreateTableInput {
            table_name: "Music".into(),
            attribute_definitions: vec![
                def("pk", ScalarAttributeType::S),
                def("sk", ScalarAttributeType::N),
                def("g", ScalarAttributeType::S),
            ],
            key_schema: vec![key("pk", KeyType::Hash), key("sk", KeyType::Range)],
            global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                index_name: "byG".into(),
                key_schema: vec![key("g", KeyType::Hash)],
                projection: Projection {
                    projection_type: Some(ProjectionType::KeysOnly),
                    non_key_attributes: None,
                },
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            }]),
            billing_mode: Some(BillingMode::PayPerRequest),
            ..CreateTableInput::default()
        })
        .expect("create table");
        for (pk, sk) in [("a", 1), ("a", 2), ("b", 1)] {
            let item: Item = [
                ("pk".to_string(), AttributeValue::S(pk.into())),
                (
                    "sk".to_string(),
                    AttributeValue::N(Number::from(i64::from(sk))),
                ),
                ("g".to_string(), AttributeValue::S("x".into())),
                (
                    "m".to_string(),
                    AttributeValue::M(
                        [(
                            "l".to_string(),
                            AttributeValue::L(vec![AttributeValue::Bool(true)]),
                        )]
                        .into(),
                    ),
                ),
            ]
            .into();
            db.put_item(PutItemInput {
                table_name: "Music".into(),
                item,
                ..PutItemInput::default()
            })
            .expect("put");
        }
        db
    })
}

/// `partiql_parser`: the input (UTF-8, lossily) is one statement.
pub fn run_partiql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = parse(&text);
    let tokens = lex(&text);
    match (&parsed, &tokens) {
        (Ok(p), Ok(tokens)) => {
            let marks = tokens.iter().filter(|t| t.kind == TokenKind::Param).count();
            assert_eq!(p.parameters, marks, "parameter count of {text:?}");
        }
        (Ok(_), Err(e)) => panic!("{text:?} parses but does not lex: {e}"),
        _ => {}
    }
    let Ok(p) = parsed else {
        return;
    };
    if !p.statement.is_read() {
        return;
    }
    let db = database();
    let mut input = ExecuteStatementInput {
        statement: text.to_string(),
        parameters: Some(parameters()),
        limit: Some(2),
        ..ExecuteStatementInput::default()
    };
    for _ in 0..8 {
        let Ok(out) = db.execute_statement(input.clone()) else {
            return;
        };
        match out.next_token {
            Some(t) => input.next_token = Some(t),
            None => return,
        }
    }
}
