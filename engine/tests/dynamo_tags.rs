//! Tags: TagResource, UntagResource, ListTagsOfResource and CreateTable's
//! `Tags` — round trips, DynamoDB's limits and messages, ARN handling, and
//! tags surviving a reopen.

mod common;

use std::sync::Arc;

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::{Db, Options};

fn arn(table: &str) -> String {
    format!("arn:aws:dynamodb:ddblocal:000000000000:table/{table}")
}

fn tag(k: &str, v: &str) -> Tag {
    Tag {
        key: k.into(),
        value: v.into(),
    }
}

fn tag_res(db: &DynamoDb, table: &str, tags: Vec<Tag>) -> Result<TagResourceOutput, DynamoError> {
    db.tag_resource(TagResourceInput {
        resource_arn: arn(table),
        tags,
    })
}

fn untag(db: &DynamoDb, table: &str, keys: &[&str]) -> Result<UntagResourceOutput, DynamoError> {
    db.untag_resource(UntagResourceInput {
        resource_arn: arn(table),
        tag_keys: keys.iter().map(|k| k.to_string()).collect(),
    })
}

fn list(db: &DynamoDb, table: &str) -> Vec<Tag> {
    let out = db
        .list_tags_of_resource(ListTagsOfResourceInput {
            resource_arn: arn(table),
            next_token: None,
        })
        .expect("list tags");
    assert_eq!(out.next_token, None);
    out.tags
}

fn create_input(name: &str, tags: Option<Vec<Tag>>) -> CreateTableInput {
    CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![AttributeDefinition {
            attribute_name: "pk".into(),
            attribute_type: ScalarAttributeType::S,
        }],
        key_schema: vec![KeySchemaElement {
            attribute_name: "pk".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        tags,
        ..Default::default()
    }
}

fn many(prefix: &str, count: usize) -> Vec<Tag> {
    (0..count)
        .map(|i| tag(&format!("{prefix}{i:02}"), "v"))
        .collect()
}

#[test]
fn tags_round_trip() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "tbl", None);
    assert_eq!(list(&db, "tbl"), vec![]);
    tag_res(
        &db,
        "tbl",
        vec![
            tag("string", "string"),
            tag("string2", "string4"),
            tag("7", " "),
            tag(" ", "9"),
        ],
    )
    .expect("tag");
    assert_eq!(
        list(&db, "tbl"),
        vec![
            tag(" ", "9"),
            tag("7", " "),
            tag("string", "string"),
            tag("string2", "string4")
        ]
    );
    // Overwrite; keys are case-sensitive and not trimmed; empty values kept.
    tag_res(
        &db,
        "tbl",
        vec![
            tag("string", "changed"),
            tag("String", ""),
            tag("string ", "x"),
        ],
    )
    .expect("tag again");
    assert_eq!(
        list(&db, "tbl"),
        vec![
            tag(" ", "9"),
            tag("7", " "),
            tag("String", ""),
            tag("string", "changed"),
            tag("string ", "x"),
            tag("string2", "string4"),
        ]
    );
    // Removing absent keys is fine.
    untag(&db, "tbl", &["string2", "non-existent", "String"]).expect("untag");
    assert_eq!(
        list(&db, "tbl"),
        vec![
            tag(" ", "9"),
            tag("7", " "),
            tag("string", "changed"),
            tag("string ", "x")
        ]
    );
    untag(&db, "tbl", &[" ", "7", "string", "string "]).expect("untag all");
    assert_eq!(list(&db, "tbl"), vec![]);
    // A table is also reachable by ARN in the data plane and tags do not
    // change it.
    put(&db, &arn("tbl"), item(&[("pk", s("a"))]));
    assert!(get(&db, "tbl", item(&[("pk", s("a"))])).is_some());
}

#[test]
fn create_table_takes_tags() {
    let db = DynamoDb::open_in_memory().expect("open");
    db.create_table(create_input(
        "tagged",
        Some(vec![
            tag("str1", "str2"),
            tag("kkk", "vv"),
            tag("keykey", "valvalvalval"),
        ]),
    ))
    .expect("create");
    assert_eq!(
        list(&db, "tagged"),
        vec![
            tag("keykey", "valvalvalval"),
            tag("kkk", "vv"),
            tag("str1", "str2")
        ]
    );
    // An empty list is accepted (TagResource refuses one).
    db.create_table(create_input("empty", Some(vec![])))
        .expect("create with no tags");
    assert_eq!(list(&db, "empty"), vec![]);
    // Bad tags: the table is not created.
    for (tags, message) in [
        (
            many("k", 51),
            "Number of Tags exceed the current limit for the provided ResourceArn".to_string(),
        ),
        (
            vec![tag("aws:x", "y")],
            "Tag Key cannot be prefixed with aws:, Key: aws:x".to_string(),
        ),
        (
            vec![tag("ok", "#!")],
            "The Tag Value provided is invalid, Value: #!".to_string(),
        ),
        (
            vec![tag("d", "1"), tag("d", "2")],
            "Duplicate Tag Keys provided as input: Duplicate Tag Key found d".to_string(),
        ),
    ] {
        assert_eq!(
            validation(db.create_table(create_input("refused", Some(tags)))),
            message
        );
        assert_eq!(
            db.describe_table(DescribeTableInput {
                table_name: "refused".into()
            })
            .map(|_| ())
            .expect_err("not created")
            .name(),
            "ResourceNotFoundException"
        );
    }
    db.create_table(create_input("fifty", Some(many("k", 50))))
        .expect("50 tags");
    assert_eq!(list(&db, "fifty").len(), 50);
}

#[test]
fn limits_and_messages() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "tbl", None);
    assert_eq!(
        validation(tag_res(&db, "tbl", vec![])),
        "Atleast one Tag needs to be provided as Input."
    );
    assert_eq!(
        validation(untag(&db, "tbl", &[])),
        "Atleast one Tag Key needs to be provided as Input."
    );
    assert_eq!(
        validation(tag_res(&db, "tbl", vec![tag(&"x".repeat(129), "v")])),
        format!("The Tag Key provided is invalid, Key: {}", "x".repeat(129))
    );
    assert_eq!(
        validation(tag_res(&db, "tbl", vec![tag("k", &"v".repeat(257))])),
        format!(
            "The Tag Value provided is invalid, Value: {}",
            "v".repeat(257)
        )
    );
    assert_eq!(
        validation(tag_res(&db, "tbl", vec![tag("", "dog")])),
        "The Tag Key provided is invalid, Key: "
    );
    assert_eq!(
        validation(untag(&db, "tbl", &[""])),
        "The Tag Key provided is invalid, Key: "
    );
    for x in ["hi!", "d%g", "\"hello\"", "🔑"] {
        assert!(validation(tag_res(&db, "tbl", vec![tag(x, "dog")]))
            .contains("Tag Key provided is invalid"));
        assert!(validation(tag_res(&db, "tbl", vec![tag("dog", x)]))
            .contains("Tag Value provided is invalid"));
    }
    for key in ["aws:foo", "AWS:foo"] {
        let msg = format!("Tag Key cannot be prefixed with aws:, Key: {key}");
        assert_eq!(validation(tag_res(&db, "tbl", vec![tag(key, "x")])), msg);
        assert_eq!(validation(untag(&db, "tbl", &[key])), msg);
    }
    tag_res(&db, "tbl", vec![tag("myaws:foo", "x")]).expect("only the prefix is reserved");
    // A bad tag anywhere refuses the whole request.
    assert!(validation(tag_res(
        &db,
        "tbl",
        vec![tag("good", "1"), tag("aws:zzz", "2")]
    ))
    .starts_with("Tag Key cannot be prefixed"));
    assert_eq!(list(&db, "tbl"), vec![tag("myaws:foo", "x")]);

    // 50 tags per table, counted after the change.
    tag_res(&db, "tbl", many("k", 49)).expect("49 more");
    assert_eq!(list(&db, "tbl").len(), 50);
    let too_many = "Number of Tags exceed the current limit for the provided ResourceArn";
    assert_eq!(
        validation(tag_res(&db, "tbl", vec![tag("k50", "v")])),
        too_many
    );
    assert_eq!(
        validation(tag_res(
            &db,
            "tbl",
            vec![tag("k01", "new"), tag("k50", "v")]
        )),
        too_many
    );
    assert_eq!(validation(tag_res(&db, "tbl", many("n", 51))), too_many);
    tag_res(&db, "tbl", vec![tag("k01", "new")]).expect("upsert at the limit");
    let mut all_new: Vec<Tag> = many("k", 49);
    for t in &mut all_new {
        t.value = "w".into();
    }
    tag_res(&db, "tbl", all_new).expect("overwrite 49 at the limit");
    assert_eq!(list(&db, "tbl").len(), 50);
    assert!(list(&db, "tbl").contains(&tag("k01", "w")));
    let keys: Vec<String> = (0..51).map(|i| format!("z{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(validation(untag(&db, "tbl", &keys)), too_many);

    // The tag set is at most 10240 bytes.
    untag(&db, "tbl", &["myaws:foo"]).expect("untag");
    let big: Vec<Tag> = (0..49)
        .map(|i| tag(&format!("k{i:02}"), &"v".repeat(256)))
        .collect();
    let msg = validation(tag_res(&db, "tbl", big));
    assert!(
        msg.starts_with("Tag set size ")
            && msg.ends_with(" bytes is above max size limit of 10240 bytes"),
        "{msg}"
    );
    assert_eq!(list(&db, "tbl").len(), 49);
}

#[test]
fn resource_arns() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "tbl", None);
    let missing = arn("missing");
    let not_found = Err(DynamoError::ResourceNotFoundException(format!(
        "Requested resource not found: ResourceArn: {missing} not found"
    )));
    assert_eq!(
        db.tag_resource(TagResourceInput {
            resource_arn: missing.clone(),
            tags: vec![tag("a", "b")],
        }),
        not_found.clone().map(|()| TagResourceOutput {})
    );
    assert_eq!(
        db.untag_resource(UntagResourceInput {
            resource_arn: missing.clone(),
            tag_keys: vec!["a".into()],
        }),
        not_found.clone().map(|()| UntagResourceOutput {})
    );
    assert_eq!(
        db.list_tags_of_resource(ListTagsOfResourceInput {
            resource_arn: missing.clone(),
            next_token: None,
        }),
        not_found.map(|()| ListTagsOfResourceOutput::default())
    );
    // Input checks come before the table lookup.
    assert_eq!(
        validation(db.tag_resource(TagResourceInput {
            resource_arn: missing,
            tags: vec![],
        })),
        "Atleast one Tag needs to be provided as Input."
    );
    let list_err = |arn: &str| {
        validation(db.list_tags_of_resource(ListTagsOfResourceInput {
            resource_arn: arn.into(),
            next_token: None,
        }))
    };
    assert_eq!(list_err(""), "Invalid TableArn");
    assert_eq!(
        list_err("tbl"),
        "One or more parameter values were invalid: ARNs must start with 'arn:': tbl"
    );
    let other_region = "arn:aws:dynamodb:us-east-1:000000000000:table/tbl";
    assert_eq!(
        list_err(other_region),
        format!("Invalid TableArn: Invalid ResourceArn provided as input {other_region}")
    );
    let index = format!("{}/index/gsi", arn("tbl"));
    assert!(list_err(&index).contains("only table or stream is accepted"));
    assert!(
        validation(tag_res(&db, "tbl/index/gsi", vec![tag("a", "b")]))
            .contains("only table or stream is accepted")
    );
    // A region/account of another database via DynamoOptions.
    let db2 = DynamoDb::with_db(
        Db::open(
            "/x",
            Options {
                fs: Arc::new(MemFs::new()),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            ..Default::default()
        },
    )
    .expect("dynamo");
    create(&db2, "tbl", None);
    let arn2 = "arn:aws:dynamodb:eu-west-1:123456789012:table/tbl";
    db2.tag_resource(TagResourceInput {
        resource_arn: arn2.into(),
        tags: vec![tag("a", "b")],
    })
    .expect("tag in eu-west-1");
    assert!(validation(db2.tag_resource(TagResourceInput {
        resource_arn: arn("tbl"),
        tags: vec![tag("a", "b")],
    }))
    .starts_with("Invalid TableArn"));
}

#[test]
fn tags_survive_reopen_and_die_with_the_table() {
    let fs = Arc::new(MemFs::new());
    let open = || {
        DynamoDb::with_db(
            Db::open(
                "/tags",
                Options {
                    fs: fs.clone(),
                    ..Options::default()
                },
            )
            .expect("open"),
            DynamoOptions::default(),
        )
        .expect("dynamo")
    };
    {
        let db = open();
        db.create_table(create_input("tbl", Some(vec![tag("env", "prod")])))
            .expect("create");
        tag_res(&db, "tbl", vec![tag("team", ""), tag("ключ", "café")]).expect("tag");
        untag(&db, "tbl", &["env"]).expect("untag");
        db.close().expect("close");
    }
    let db = open();
    assert_eq!(list(&db, "tbl"), vec![tag("team", ""), tag("ключ", "café")]);
    // UpdateTable keeps them.
    db.update_table(UpdateTableInput {
        table_name: "tbl".into(),
        deletion_protection_enabled: Some(false),
        ..Default::default()
    })
    .expect("update table");
    assert_eq!(list(&db, "tbl").len(), 2);
    db.delete_table(DeleteTableInput {
        table_name: "tbl".into(),
    })
    .expect("delete");
    assert_eq!(
        db.list_tags_of_resource(ListTagsOfResourceInput {
            resource_arn: arn("tbl"),
            next_token: None,
        })
        .map(|_| ())
        .expect_err("gone")
        .name(),
        "ResourceNotFoundException"
    );
    create(&db, "tbl", None);
    assert_eq!(list(&db, "tbl"), vec![]);
}
