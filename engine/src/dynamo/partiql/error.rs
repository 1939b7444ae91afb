//! PartiQL's `ValidationException` messages, in one place.
//!
//! Sources, cited per message:
//! - "recorded": captured from DynamoDB itself — by the Dynoxide project's
//!   tests against eu-west-2 (`tests/partiql*.rs`, "Captured against real
//!   DynamoDB"), by users' bug reports quoting the service, or by the
//!   dbimp project's recordings of DynamoDB Local 3.2/3.3 (`DYNAMODB.md`).
//! - "table": DynamoDB Local's message table for its PartiQL layer,
//!   `ddb.partiql.shared.exceptions.ValidationExceptionMessages` (read from a
//!   decompiled copy). The package is the layer DynamoDB Local shares with
//!   the service, and every recorded message above appears in it verbatim.
//! - "ours": no DynamoDB wording was found; written in the style of the
//!   recorded ones.
//!
//! A syntax error is wrapped in DynamoDB's envelope "Statement wasn't well
//! formed, can't be processed: `<detail>`" (recorded: aws-sdk-for-javascript-v3
//! issue 98, PyDynamoDB issue 26); every other rejection is the bare message.

use std::fmt;

use crate::dynamo::error::DynamoError;

/// Why a statement was rejected before it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartiqlError {
    /// Not well formed: the detail goes into DynamoDB's envelope.
    Syntax(String),
    /// Well formed, but DynamoDB refuses it: the message as is.
    Validation(String),
}

impl PartiqlError {
    /// A syntax error with `detail`.
    pub fn syntax(detail: impl Into<String>) -> PartiqlError {
        PartiqlError::Syntax(detail.into())
    }

    /// A rejection with `message`.
    pub fn validation(message: impl Into<String>) -> PartiqlError {
        PartiqlError::Validation(message.into())
    }

    /// The message a client sees.
    pub fn message(&self) -> String {
        match self {
            PartiqlError::Syntax(d) => {
                format!("Statement wasn't well formed, can't be processed: {d}")
            }
            PartiqlError::Validation(m) => m.clone(),
        }
    }
}

impl fmt::Display for PartiqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PartiqlError {}

impl From<PartiqlError> for DynamoError {
    fn from(e: PartiqlError) -> DynamoError {
        DynamoError::ValidationException(e.message())
    }
}

/// An error of the item API called for a statement, as PartiQL reports it.
///
/// Expression errors lose their "Invalid ConditionExpression: " (Filter,
/// Update, KeyCondition, Projection) prefix: the statement had no such
/// parameter, and DynamoDB's PartiQL answers with the bare detail (recorded:
/// Dynoxide, eu-west-2, "Incorrect operand type for operator or function;
/// operator or function: <, operand type: BOOL").
pub fn from_item_api(e: DynamoError) -> DynamoError {
    match e {
        DynamoError::ValidationException(m) => {
            for kind in [
                "Condition",
                "Filter",
                "Update",
                "KeyCondition",
                "Projection",
            ] {
                let prefix = format!("Invalid {kind}Expression: ");
                if let Some(rest) = m.strip_prefix(&prefix) {
                    return DynamoError::ValidationException(rest.to_string());
                }
            }
            DynamoError::ValidationException(m)
        }
        other => other,
    }
}

/// Detail of a statement that does not start with SELECT, INSERT, UPDATE,
/// DELETE (or EXISTS). Recorded (aws-sdk-for-javascript-v3 issue 98; Dynoxide
/// PR 149, confirmed against eu-west-2).
pub const EXPECTED_DML: &str = "Expected data manipulation";
/// Detail of a reserved word where a name was expected. Recorded
/// (PyDynamoDB issue 26: `key` as a column name).
pub const UNEXPECTED_KEYWORD: &str = "Unexpected keyword";
/// Detail of any other misplaced token. Ours.
pub const UNEXPECTED_TOKEN: &str = "Unexpected token";
/// Detail of a statement that ends too early. Ours.
pub const UNEXPECTED_END: &str = "Unexpected end of statement";

/// Too few `Parameters` for the `?` in the statement (too many are accepted).
/// Recorded (DynamoDB Local; moto's tests); table.
pub const PARAMETER_COUNT: &str = "Number of parameters in request and statement don't match.";
/// UPDATE/DELETE (and batch or transaction reads) whose WHERE does not pin
/// every key attribute with `=`. Recorded (issue 13; Dynoxide); table.
pub const INCOMPLETE_KEY: &str =
    "Where clause does not contain a mandatory equality on all key attributes";
/// A batch SELECT without the whole key. Recorded (Dynoxide, eu-west-2).
pub const BATCH_SELECT_KEY: &str =
    "Select statements within BatchExecuteStatement must specify the primary key in the where clause.";
/// A transaction SELECT without the whole key (or with other conditions). Table.
pub const TRANSACTION_SELECT_KEY: &str =
    "Select statements within ExecuteTransaction must specify the primary key in the where clause.";
/// A transaction SELECT on an index. Recorded (Dynoxide, eu-west-2); table.
pub const TRANSACTION_INDEX_READ: &str = "Reads on indices are not supported within transactions.";
/// EXISTS whose SELECT does not name one item. Table.
pub const EXISTS_KEY: &str = "EXISTS() must contain a single item read with additional condition";
/// EXISTS on an index. Table.
pub const EXISTS_ON_INDEX: &str = "Operations on indices are not supported in transactions";
/// EXISTS outside a write transaction. Table.
pub const EXISTS_OUTSIDE_TRANSACTION: &str =
    "EXISTS can only be used in ExecuteTransaction write requests.";
/// Reads and writes in one ExecuteTransaction. Recorded (DynamoDB Local;
/// Dynoxide).
pub const TRANSACTION_MIXED: &str =
    "ExecuteTransaction API does not support both read and write operations in the same request.";
/// Reads and writes in one BatchExecuteStatement. Recorded (Dynoxide,
/// eu-west-2, whose test checks the text without the final period; the
/// period follows its implementation).
pub const BATCH_MIXED: &str =
    "Read and write requests together in the same batch is not supported.";
/// An INSERT of a key that exists (`DuplicateItemException`). Table.
pub const DUPLICATE_ITEM: &str = "Duplicate primary key exists in table";
/// UPDATE or DELETE on `"table"."index"`. Recorded (Dynoxide, eu-west-2); table.
pub const NOT_ON_INDEX: &str = "This operation is not supported on an index";
/// A SELECT on a global index with `ConsistentRead`. Recorded (Dynoxide,
/// eu-west-2: PartiQL's wording differs from Query's); table.
pub const CONSISTENT_READ_ON_GSI: &str =
    "Strongly consistent read is not supported on Global Secondary Indexes";
/// A NextToken that cannot be decoded. Recorded (DynamoDB Local; Dynoxide).
pub const INVALID_NEXT_TOKEN: &str = "Invalid NextToken";
/// A NextToken of another statement or other parameters. Recorded (Dynoxide,
/// eu-west-2); table.
pub const NEXT_TOKEN_MISMATCH: &str = "NextToken does not match request";
/// An empty name in a path or tuple key. Recorded (Dynoxide); table.
pub const EMPTY_PATH_COMPONENT: &str = "Path component cannot be an empty string";
/// `*` beside other projections. Table.
pub const STAR_AND_OTHERS: &str =
    "Other attributes should not be present in the projection when '*' is used.";
/// An alias (`AS`). Table.
pub const ALIAS_UNSUPPORTED: &str = "Aliasing is not supported";
/// Several sources in FROM. Table.
pub const SELECT_MULTIPLE_FROM: &str = "Only select from a single table or index is supported.";
/// ORDER BY without WHERE. Table.
pub const ORDER_BY_WITHOUT_WHERE: &str =
    "Must have WHERE clause in the statement when using ORDER BY clause.";
/// ORDER BY on a read that is not keyed by the partition key. Table.
pub const ORDER_BY_WITHOUT_HASH: &str =
    "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.";
/// ORDER BY without the partition key when WHERE names several partitions. Table.
pub const ORDER_BY_NEEDS_HASH: &str =
    "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.";
/// `MISSING` anywhere but after `IS`. Table.
pub const MISSING_WITHOUT_IS: &str = "MISSING must be compared using IS operator";
/// `IS` in a SET value. Table.
pub const IS_IN_UPDATE: &str = "IS operator is not supported in update expressions";
/// `IS` after something that is not a name, path or literal. Table.
pub const IS_OPERAND: &str =
    "The left hand side argument to IS must be a Variable Reference, Literal, or Path";
/// `IN` without a list on the right. Table.
pub const IN_OPERAND: &str = "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member";
/// `NOT` over a value. Table.
pub const NOT_OPERAND: &str = "The argument to NOT must be a Type or Expression";
/// `AND`/`OR` over a value. Table.
pub const AND_OR_OPERAND: &str = "The arguments to AND/OR must be Expressions";
/// A WHERE that is a value, not a condition. Table.
pub const WHERE_NOT_BOOLEAN: &str =
    "WHERE clause must contain an expression that resolves to a boolean";
/// INSERT of something that is not a tuple. Table.
pub const INSERT_NOT_STRUCT: &str = "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.";
/// INSERT of a bag of tuples. Table.
pub const INSERT_MULTIPLE: &str = "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead";
/// INSERT ... RETURNING. Table.
pub const RETURNING_IN_INSERT: &str = "RETURNING is not supported in INSERT";
/// An empty bag `<<>>`. Recorded (DynamoDB Local); table.
pub const EMPTY_BAG: &str = "Empty bags are not supported";
/// A bag of anything but numbers or strings (or with a `?`). Recorded
/// (DynamoDB Local); table.
pub const BAG_TYPE: &str =
    "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags";
/// A value twice in a bag. Recorded (DynamoDB Local).
pub const BAG_DUPLICATES: &str = "Input collection contains duplicates";
/// A path starting with `[n]`. Table.
pub const PATH_STARTS_WITH_INDEX: &str = "A path cannot start with a list index";
/// Too many partitions for one SELECT. Table; the limit of 50 partition
/// values is the Developer Guide's (`ql-operators`, IN: "at max 50 hash
/// attribute values").
pub const TOO_MANY_READS: &str = "Too many decomposed read operations for a given query.";

/// `SELECT VALUE` / `SELECT PIVOT`. Table.
pub const SELECT_VALUE_OR_PIVOT: &str = "Select projection doesn't support value or pivot keywords";
/// `FROM a.b.c`. Table.
pub const FROM_PATH_COMPONENTS: &str = "A path may contain at most 2 components in the FROM clause";
/// An UPDATE action other than SET and REMOVE. Table.
pub const ONLY_SET_AND_REMOVE: &str =
    "Only SET and REMOVE are supported in update expressions at this time";
/// `RETURNING ALL OLD` without `*`. Table.
pub const RETURNING_SYNTAX: &str =
    "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause";
/// `RETURNING ALL OLD *, ...`. Table.
pub const RETURNING_MULTIPLE: &str =
    "Invalid syntax with multiple returning elements in RETURNING clause";
/// `a.*`. Table.
pub const UNPIVOT_PATH: &str = "Unpivot path component like a.*.b are not supported";
/// `a[*]`. Table.
pub const WILDCARD_PATH: &str = "Wildcard path component like a[*].b are not supported";
/// A path step that is neither a name nor a number. Table.
pub const UNEXPECTED_PATH_COMPONENT: &str = "Unexpected path component";
/// A table name DynamoDB cannot have. Table.
pub const INVALID_TABLE_NAME: &str = "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.";

/// "Unexpected path component at `<line>:<col>:<len>`": a projection item that
/// is not a path (a function, literal or parameter). Recorded (Dynoxide,
/// eu-west-2: `SELECT COUNT(*)` gives `at 1:8:5`, the position and length
/// of the `COUNT` token).
pub fn unexpected_path_component(line: usize, col: usize, len: usize) -> PartiqlError {
    PartiqlError::validation(format!("Unexpected path component at {line}:{col}:{len}"))
}

/// "Unsupported clause: LIMIT" (also GROUP BY, HAVING). Recorded for LIMIT
/// (DynamoDB Local); table.
pub fn unsupported_clause(clause: &str) -> PartiqlError {
    PartiqlError::validation(format!("Unsupported clause: {clause}"))
}

/// "Unsupported token in expression: DISTINCT". Table.
pub fn unsupported_token(token: &str) -> PartiqlError {
    PartiqlError::validation(format!("Unsupported token in expression: {token}"))
}

/// "Unrecognized function: foo". Table.
pub fn unrecognized_function(name: &str) -> PartiqlError {
    PartiqlError::validation(format!("Unrecognized function: {name}"))
}

/// "Unsupported operator in Condition Expression. Operator: +". Table.
pub fn unsupported_condition_operator(op: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Unsupported operator in Condition Expression. Operator: {op}"
    ))
}

/// "Unsupported operator in Update Expression. Operator: <". Table.
pub fn unsupported_update_operator(op: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Unsupported operator in Update Expression. Operator: {op}"
    ))
}

/// "Unrecognized assignment target: ...". Table.
pub fn unrecognized_assignment_target(what: &str) -> PartiqlError {
    PartiqlError::validation(format!("Unrecognized assignment target: {what}"))
}

/// "Unsupported data type for IS operator: ...". Table.
pub fn unsupported_is_type(ty: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Unsupported data type for IS operator: {ty}. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
    ))
}

/// "SET_ADD must have exactly two arguments". Table.
pub fn set_function_arity(action: &str) -> PartiqlError {
    PartiqlError::validation(format!("SET_{action} must have exactly two arguments"))
}

/// "The first argument to SET_ADD must equal the assignment value". Table.
pub fn set_function_first(action: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "The first argument to SET_{action} must equal the assignment value"
    ))
}

/// "The second argument to SET_ADD must be a value with type SET". Table.
pub fn set_function_second(action: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "The second argument to SET_{action} must be a value with type SET"
    ))
}

/// "Duplicate identifiers in select clause: z". Recorded (DynamoDB Local).
pub fn duplicate_select_name(name: &str) -> PartiqlError {
    PartiqlError::validation(format!("Duplicate identifiers in select clause: {name}"))
}

/// "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD *
/// is allowed in DELETE statements." Recorded (Dynoxide); table.
pub fn delete_returning(variant: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Invalid returning clause: RETURNING {variant} *. Only RETURNING ALL OLD * is allowed in DELETE statements."
    ))
}

/// "Multiple conditions on same key pk. Only single item Update/Insert/Delete
/// are supported". Table.
pub fn multiple_key_conditions(key: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Multiple conditions on same key {key}. Only single item Update/Insert/Delete are supported"
    ))
}

/// "Key attributes must be scalars; list random access '[]' and map lookup
/// '.' are not allowed: Key pk". Table.
pub fn nested_key_path(key: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key {key}"
    ))
}

/// "Key attribute should be present in the item: Key pk" (INSERT). Table.
pub fn key_absent(key: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Key attribute should be present in the item: Key {key}"
    ))
}

/// "Key attribute's data type should match its data type in table's schema:
/// Key pk". Recorded (DynamoDB Local: a parameter of the wrong type for the
/// key); table.
pub fn key_type_mismatch(key: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Key attribute's data type should match its data type in table's schema: Key {key}"
    ))
}

/// "Variable reference x in ORDER BY clause must be part of the primary key". Table.
pub fn order_by_not_key(name: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Variable reference {name} in ORDER BY clause must be part of the primary key"
    ))
}

/// "Argument to ORDER BY must be of type VariableReference. Type: Path". Table.
pub fn order_by_not_name(kind: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Argument to ORDER BY must be of type VariableReference. Type: {kind}"
    ))
}

/// "Key value must be of type S, N, or B. Key name: pk, Key type: BOOL". Table
/// (the type is shown as DynamoDB's type descriptor: ours).
pub fn key_value_type(key: &str, ty: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Key value must be of type S, N, or B. Key name: {key}, Key type: {ty}"
    ))
}

/// "Tuple keys must be of type String. Actual type: INT under root". Table.
pub fn tuple_key_type(ty: &str, under: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Tuple keys must be of type String. Actual type: {ty} under {under}"
    ))
}

/// "Duplicate keys in tuple. Key: a under root". Table.
pub fn duplicate_tuple_key(key: &str, under: &str) -> PartiqlError {
    PartiqlError::validation(format!("Duplicate keys in tuple. Key: {key} under {under}"))
}

/// "Unsupported data type: VariableReference under key root.a". Table.
pub fn unsupported_data_type(ty: &str, under: &str) -> PartiqlError {
    PartiqlError::validation(format!("Unsupported data type: {ty} under key {under}"))
}

/// "Negative zero decimal is not supported under key root.a". Table.
pub fn negative_zero(under: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Negative zero decimal is not supported under key {under}"
    ))
}

/// "List index is not within the allowable range; index: [-1]". Table.
pub fn list_index_range(index: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "List index is not within the allowable range; index: [{index}]"
    ))
}

/// "Validation failed in `TransactStatements[0]`: `<message>`": a statement of
/// an ExecuteTransaction rejected before anything ran. Recorded (Dynoxide,
/// eu-west-2, for RETURNING and index reads).
pub fn in_transaction_statement(index: usize, message: &str) -> PartiqlError {
    PartiqlError::validation(format!(
        "Validation failed in TransactStatements[{index}]: {message}"
    ))
}

/// "RETURNING clause is not supported in ExecuteTransaction." Recorded
/// (Dynoxide, eu-west-2), inside [`in_transaction_statement`].
pub const RETURNING_IN_TRANSACTION: &str =
    "RETURNING clause is not supported in ExecuteTransaction.";
