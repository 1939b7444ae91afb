//! Applying an UpdateExpression to an item.
//!
//! Semantics: Developer Guide, `Expressions.UpdateExpressions`, and where it
//! is silent DynamoDB's own engine as shipped in DynamoDB Local
//! (`ExpressionExecutor.createNewDocumentInternal`, `getUpdateActionResult`,
//! `execAddAction`, `execDeleteAction`; `OperatorExecutor`; read from a
//! decompiled copy), cross-checked against ScyllaDB's Alternator tests
//! (`test/alternator/test_update_expression.py`), which run against the real
//! service:
//!
//! - Every right-hand side of SET reads the item as it was before the update
//!   (`SET x = :v, y = x` fails when `x` did not exist; `REMOVE a SET b = a`
//!   copies the old `a`). All paths address the old item too: list indexes
//!   name the original positions, and several list elements removed at once
//!   are removed against them (`REMOVE a[1] SET a[3] = :v` on
//!   `[2,3,4,5,6,7]` gives `[2,4,:v,6,7]`).
//! - SET on a list index past the end appends; several such elements are
//!   appended in index order. REMOVE of a missing map key or of an index past
//!   the end does nothing. REMOVE of a list element shifts the later ones.
//! - A path whose parent is missing, or is not a map (for a key) or a list
//!   (for an index), fails with [`INVALID_UPDATE_PATH`], for every action.
//!   One exception, seen from DynamoDB in Scylla's
//!   `test_nested_attribute_remove_from_missing_item`: on an item that does
//!   not exist, REMOVE of a nested path is silently ignored.
//! - ADD to a missing attribute stores the value (a number as if added to 0,
//!   a set as the set); ADD to an existing one needs the same type: N adds
//!   exactly ([`Number::checked_add`](crate::dynamo::Number::checked_add)),
//!   sets take the union. DELETE removes set elements; a missing attribute
//!   stays missing, and removing the last element removes the attribute (no
//!   empty set ever results).
//! - Execution errors carry no "Invalid UpdateExpression: " prefix
//!   (DynamoDB Local `ErrorFactory`: `UPDATE_EXPRESSION_TYPE_MISMATCH`,
//!   `ATTRIBUTE_NOT_FOUND_IN_ITEM`, `DOCUMENT_PATH_INVALID_FOR_UPDATE`;
//!   matching the messages users quote from DynamoDB); the checks made
//!   before reading the item ([`check_update_values`]) carry it.

use std::collections::{BTreeMap, BTreeSet};

use super::ast::{Operand, Path, PathElem, UpdateExpr};
use super::error::{ExprError, ExprKind, INVALID_UPDATE_PATH};
use super::eval::{
    check_referenced_values, lookup, operand_values, require_type, resolve_path, size_of, Values,
};
use super::parser::check_paths;
use crate::dynamo::items::validate::validate_value;
use crate::dynamo::items::value::{AttributeValue, Item};

/// SET read a path the item does not have (`ATTRIBUTE_NOT_FOUND_IN_ITEM`).
const NOT_FOUND: &str =
    "The provided expression refers to an attribute that does not exist in the item";
/// An operand of `+`, `-`, `list_append`, ADD or DELETE has the wrong type
/// in the item (`UPDATE_EXPRESSION_TYPE_MISMATCH`).
const BAD_TYPE: &str = "An operand in the update expression has an incorrect data type";
/// The updated item nests too deep (`ITEM_NESTING_LEVELS_LIMIT_EXCEEDED`).
const TOO_DEEP: &str = "Nesting Levels have exceeded supported limits";

fn not_found() -> ExprError {
    ExprError::new(NOT_FOUND)
}

fn bad_type() -> ExprError {
    ExprError::new(BAD_TYPE)
}

fn invalid_path() -> ExprError {
    ExprError::new(INVALID_UPDATE_PATH)
}

/// DynamoDB's long type names, used by the ADD and DELETE operand messages
/// (`DocumentNodeType` constant names).
fn long_type_name(v: &AttributeValue) -> &'static str {
    match v {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::Bool(_) => "BOOLEAN",
        AttributeValue::Null => "NULL",
        AttributeValue::M(_) => "MAP",
        AttributeValue::L(_) => "LIST",
        AttributeValue::Ss(_) => "STRING_SET",
        AttributeValue::Ns(_) => "NUMBER_SET",
        AttributeValue::Bs(_) => "BINARY_SET",
    }
}

fn is_set(v: &AttributeValue) -> bool {
    matches!(
        v,
        AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
    )
}

/// The checks DynamoDB makes on an update before reading the item, in this
/// order:
///
/// 1. `list_append` directly inside `list_append` is refused ("The function
///    is not allowed to be used this way in an expression; function:
///    list_append" — Scylla `test_update_expression_function_nesting`, which
///    records DynamoDB refusing it).
/// 2. Every `:value` used (SET right-hand sides, then ADD, then DELETE) is
///    defined and valid.
/// 3. SET right-hand sides, operands before operators: `+`/`-` operands that
///    are values must be N, `list_append` operands must be L ("Invalid
///    UpdateExpression: Incorrect operand type for operator or function;
///    operator or function: +, operand type: S").
/// 4. ADD values must be N or a set, DELETE values a set ("Invalid
///    UpdateExpression: Incorrect operand type for operator or function;
///    operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
///    the wording DynamoDB returns, quoted in several client test suites;
///    DynamoDB Local `ExpressionValidator.validateAddDeleteAction`).
///
/// DynamoDB checks actions in written order; the tree keeps them per clause,
/// so with errors in two clauses the SET one is reported first.
pub fn check_update_values(update: &UpdateExpr, values: &Values) -> Result<(), ExprError> {
    let kind = ExprKind::Update;
    for (_, o) in &update.set {
        check_no_nested_list_append(o, false)?;
    }
    let mut names = Vec::new();
    for (_, o) in &update.set {
        operand_values(o, &mut names);
    }
    names.extend(update.add.iter().map(|(_, v)| v.as_str()));
    names.extend(update.delete.iter().map(|(_, v)| v.as_str()));
    check_referenced_values(&names, values, kind)?;
    for (_, o) in &update.set {
        check_set_operand(o, values)?;
    }
    for (operator, actions, allowed, type_set) in [
        ("ADD", &update.add, true, "ALLOWED_FOR_ADD_OPERAND"),
        (
            "DELETE",
            &update.delete,
            false,
            "ALLOWED_FOR_DELETE_OPERAND",
        ),
    ] {
        for (_, name) in actions {
            let v = lookup(values, name, kind)?;
            let ok = is_set(v) || (allowed && matches!(v, AttributeValue::N(_)));
            if !ok {
                return Err(kind.error(format!(
                    "Incorrect operand type for operator or function; operator: {operator}, operand type: {}, typeSet: {type_set}",
                    long_type_name(v)
                )));
            }
        }
    }
    Ok(())
}

fn check_no_nested_list_append(o: &Operand, in_list_append: bool) -> Result<(), ExprError> {
    match o {
        Operand::ListAppend(a, b) => {
            if in_list_append {
                return Err(ExprKind::Update.error(
                    "The function is not allowed to be used this way in an expression; function: list_append",
                ));
            }
            check_no_nested_list_append(a, true)?;
            check_no_nested_list_append(b, true)
        }
        Operand::IfNotExists(_, a) | Operand::Size(a) => check_no_nested_list_append(a, false),
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            check_no_nested_list_append(a, false)?;
            check_no_nested_list_append(b, false)
        }
        Operand::Path(_) | Operand::Value(_) => Ok(()),
    }
}

fn check_set_operand(o: &Operand, values: &Values) -> Result<(), ExprError> {
    let kind = ExprKind::Update;
    match o {
        Operand::Path(_) | Operand::Value(_) => Ok(()),
        Operand::Size(a) => {
            check_set_operand(a, values)?;
            require_type(
                "size",
                a,
                &["S", "B", "SS", "NS", "BS", "L", "M"],
                values,
                kind,
            )
        }
        Operand::IfNotExists(_, a) => check_set_operand(a, values),
        Operand::ListAppend(a, b) => {
            check_set_operand(a, values)?;
            check_set_operand(b, values)?;
            require_type("list_append", a, &["L"], values, kind)?;
            require_type("list_append", b, &["L"], values, kind)
        }
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let sym = if matches!(o, Operand::Plus(..)) {
                "+"
            } else {
                "-"
            };
            check_set_operand(a, values)?;
            check_set_operand(b, values)?;
            require_type(sym, a, &["N"], values, kind)?;
            require_type(sym, b, &["N"], values, kind)
        }
    }
}

/// Evaluates a SET right-hand side against the item before the update.
/// `Ok(None)` means the result is missing (a path the item lacks), which SET
/// reports as [`NOT_FOUND`].
///
/// Operands are evaluated first, then checked in order, each for presence
/// and then type (`ExpressionExecutor.executeOperator`): `+`, `-` and
/// `list_append` need both operands present; `if_not_exists(p, v)` needs `v`
/// present even when `p` exists (`OperatorExecutor.ifNotExist`).
pub(crate) fn eval_set_operand(
    o: &Operand,
    item: &Item,
    values: &Values,
) -> Result<Option<AttributeValue>, ExprError> {
    Ok(match o {
        Operand::Path(p) => resolve_path(item, p).cloned(),
        Operand::Value(v) => Some(lookup(values, v, ExprKind::Update)?.clone()),
        Operand::Size(a) => eval_set_operand(a, item, values)?
            .and_then(|v| size_of(&v))
            .map(AttributeValue::N),
        Operand::IfNotExists(p, a) => {
            let fallback = eval_set_operand(a, item, values)?.ok_or_else(not_found)?;
            Some(resolve_path(item, p).cloned().unwrap_or(fallback))
        }
        Operand::ListAppend(a, b) => {
            let x = eval_set_operand(a, item, values)?;
            let y = eval_set_operand(b, item, values)?;
            let list = |v: Option<AttributeValue>| match v {
                None => Err(not_found()),
                Some(AttributeValue::L(l)) => Ok(l),
                Some(_) => Err(bad_type()),
            };
            let mut x = list(x)?;
            x.extend(list(y)?);
            Some(AttributeValue::L(x))
        }
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let x = eval_set_operand(a, item, values)?;
            let y = eval_set_operand(b, item, values)?;
            let number = |v: Option<AttributeValue>| match v {
                None => Err(not_found()),
                Some(AttributeValue::N(n)) => Ok(n),
                Some(_) => Err(bad_type()),
            };
            let (x, y) = (number(x)?, number(y)?);
            let r = if matches!(o, Operand::Plus(..)) {
                x.checked_add(&y)
            } else {
                x.checked_sub(&y)
            };
            Some(AttributeValue::N(
                r.map_err(|e| ExprError::new(e.to_string()))?,
            ))
        }
    })
}

/// What an update does at the end of one path.
enum Action<'a> {
    Set(&'a Operand),
    Remove,
    Add(&'a str),
    Delete(&'a str),
}

/// The update as a tree over the paths it touches (DynamoDB's
/// `UpdateTreeNode`): each level names map keys or list indexes, each leaf
/// holds one action.
enum Slot<'a> {
    Leaf(Action<'a>),
    Inner(Inner<'a>),
}

#[derive(Default)]
struct Inner<'a> {
    names: BTreeMap<&'a str, Slot<'a>>,
    indexes: BTreeMap<u32, Slot<'a>>,
}

impl<'a> Inner<'a> {
    /// Adds an action; false if its path overlaps one already there.
    fn insert(&mut self, elems: &'a [PathElem], action: Action<'a>) -> bool {
        let Some((first, rest)) = elems.split_first() else {
            return false;
        };
        match first {
            PathElem::Name(n) => Self::insert_in(self.names.entry(n.as_str()), rest, action),
            PathElem::Index(i) => Self::insert_in(self.indexes.entry(*i), rest, action),
        }
    }

    fn insert_in<K: Ord>(
        entry: std::collections::btree_map::Entry<'_, K, Slot<'a>>,
        rest: &'a [PathElem],
        action: Action<'a>,
    ) -> bool {
        use std::collections::btree_map::Entry;
        match (entry, rest.is_empty()) {
            (Entry::Vacant(v), true) => {
                v.insert(Slot::Leaf(action));
                true
            }
            (Entry::Occupied(_), true) => false,
            (entry, false) => match entry.or_insert_with(|| Slot::Inner(Inner::default())) {
                Slot::Inner(inner) => inner.insert(rest, action),
                Slot::Leaf(_) => false,
            },
        }
    }

    fn only_removes(&self) -> bool {
        self.names
            .values()
            .chain(self.indexes.values())
            .all(|s| match s {
                Slot::Leaf(Action::Remove) => true,
                Slot::Leaf(_) => false,
                Slot::Inner(i) => i.only_removes(),
            })
    }
}

/// Applies an UpdateExpression to `item` in place. An empty `item` is an
/// item that does not exist yet (UpdateItem creates it).
///
/// Runs [`check_update_values`] first. On error `item` is left unchanged.
/// Returns the paths of every action (SET, then REMOVE, ADD, DELETE, each in
/// written order): project the old item onto them for `UPDATED_OLD` and the
/// new item for `UPDATED_NEW` with [`project`](super::project::project),
/// which is what DynamoDB does (`getUpdatedOldDocument`,
/// `getUpdatedNewDocument`: the update tree projected onto each item).
///
/// Afterwards the changed attributes are checked for nesting depth
/// ([`validate_value`]; "Nesting Levels have exceeded supported limits");
/// the item's size is the caller's check.
pub fn apply_update(
    update: &UpdateExpr,
    item: &mut Item,
    values: &Values,
) -> Result<Vec<Path>, ExprError> {
    check_update_values(update, values)?;
    let actions: Vec<(&Path, Action<'_>)> = update
        .set
        .iter()
        .map(|(p, o)| (p, Action::Set(o)))
        .chain(update.remove.iter().map(|p| (p, Action::Remove)))
        .chain(update.add.iter().map(|(p, v)| (p, Action::Add(v.as_str()))))
        .chain(
            update
                .delete
                .iter()
                .map(|(p, v)| (p, Action::Delete(v.as_str()))),
        )
        .collect();
    let paths: Vec<Path> = actions.iter().map(|(p, _)| (*p).clone()).collect();
    // The parser already refuses overlapping paths; a tree built by hand
    // gets the same message.
    if let Some(m) = check_paths(&paths) {
        return Err(ExprKind::Update.error(m));
    }
    let mut root = Inner::default();
    for (p, a) in actions {
        if !root.insert(&p.0, a) {
            return Err(invalid_path());
        }
    }
    let apply = Apply {
        old: item,
        values,
        missing_item: item.is_empty(),
    };
    let new = apply.map(&root, item)?;
    for name in root.names.keys() {
        if let Some(v) = new.get(*name) {
            validate_value(v).map_err(|e| {
                if e.message().starts_with("Nesting Levels") {
                    ExprError::new(TOO_DEEP)
                } else {
                    ExprError::new(e.message())
                }
            })?;
        }
    }
    *item = new;
    Ok(paths)
}

/// One application of an update tree to the old item.
struct Apply<'a> {
    /// The item before the update: every SET right-hand side reads it.
    old: &'a Item,
    values: &'a Values,
    /// The item does not exist (see [`apply_update`]).
    missing_item: bool,
}

impl Apply<'_> {
    /// The new contents of a map (`createNewDocumentInternal` on a map).
    fn map(
        &self,
        node: &Inner<'_>,
        old: &BTreeMap<String, AttributeValue>,
    ) -> Result<BTreeMap<String, AttributeValue>, ExprError> {
        if !node.indexes.is_empty() {
            return Err(invalid_path());
        }
        let mut out = old.clone();
        for (name, slot) in &node.names {
            match self.slot(slot, old.get(*name))? {
                Some(v) => {
                    out.insert((*name).to_string(), v);
                }
                None => {
                    out.remove(*name);
                }
            }
        }
        Ok(out)
    }

    /// The new contents of a list: untouched elements keep their original
    /// positions, results land at theirs (past the end too), and the list is
    /// rebuilt in position order, compacted.
    fn list(
        &self,
        node: &Inner<'_>,
        old: &[AttributeValue],
    ) -> Result<Vec<AttributeValue>, ExprError> {
        if !node.names.is_empty() {
            return Err(invalid_path());
        }
        let mut by_position: BTreeMap<u64, AttributeValue> = BTreeMap::new();
        for (i, v) in old.iter().enumerate() {
            let touched = u32::try_from(i).is_ok_and(|i| node.indexes.contains_key(&i));
            if !touched {
                by_position.insert(i as u64, v.clone());
            }
        }
        for (i, slot) in &node.indexes {
            let old_child = usize::try_from(*i).ok().and_then(|i| old.get(i));
            if let Some(v) = self.slot(slot, old_child)? {
                by_position.insert(u64::from(*i), v);
            }
        }
        Ok(by_position.into_values().collect())
    }

    /// The new value at one child (`None`: absent).
    fn slot(
        &self,
        slot: &Slot<'_>,
        old: Option<&AttributeValue>,
    ) -> Result<Option<AttributeValue>, ExprError> {
        match slot {
            Slot::Leaf(action) => self.action(action, old),
            Slot::Inner(inner) => match old {
                Some(AttributeValue::M(m)) => Ok(Some(AttributeValue::M(self.map(inner, m)?))),
                Some(AttributeValue::L(l)) => Ok(Some(AttributeValue::L(self.list(inner, l)?))),
                None if self.missing_item && inner.only_removes() => Ok(None),
                _ => Err(invalid_path()),
            },
        }
    }

    fn action(
        &self,
        action: &Action<'_>,
        old: Option<&AttributeValue>,
    ) -> Result<Option<AttributeValue>, ExprError> {
        match action {
            Action::Set(o) => eval_set_operand(o, self.old, self.values)?
                .ok_or_else(not_found)
                .map(Some),
            Action::Remove => Ok(None),
            Action::Add(name) => {
                let value = lookup(self.values, name, ExprKind::Update)?;
                match old {
                    None => Ok(Some(value.clone())),
                    Some(old) => add(old, value).map(Some),
                }
            }
            Action::Delete(name) => {
                let value = lookup(self.values, name, ExprKind::Update)?;
                match old {
                    None => Ok(None),
                    Some(old) => delete(old, value),
                }
            }
        }
    }
}

fn union<T: Ord + Clone>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> BTreeSet<T> {
    a.union(b).cloned().collect()
}

/// ADD on an existing value: same type required (`validateAddActionDocumentNodeType`).
fn add(old: &AttributeValue, value: &AttributeValue) -> Result<AttributeValue, ExprError> {
    use AttributeValue as V;
    Ok(match (old, value) {
        (V::N(a), V::N(b)) => V::N(
            a.checked_add(b)
                .map_err(|e| ExprError::new(e.to_string()))?,
        ),
        (V::Ss(a), V::Ss(b)) => V::Ss(union(a, b)),
        (V::Ns(a), V::Ns(b)) => V::Ns(union(a, b)),
        (V::Bs(a), V::Bs(b)) => V::Bs(union(a, b)),
        _ => return Err(bad_type()),
    })
}

fn difference<T: Ord + Clone>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Option<BTreeSet<T>> {
    let d: BTreeSet<T> = a.difference(b).cloned().collect();
    (!d.is_empty()).then_some(d)
}

/// DELETE on an existing value: same set type required
/// (`validateDeleteActionDocumentNodeType`); an emptied set is removed
/// (`OperatorExecutor.setDiff` returns null).
fn delete(
    old: &AttributeValue,
    value: &AttributeValue,
) -> Result<Option<AttributeValue>, ExprError> {
    use AttributeValue as V;
    Ok(match (old, value) {
        (V::Ss(a), V::Ss(b)) => difference(a, b).map(V::Ss),
        (V::Ns(a), V::Ns(b)) => difference(a, b).map(V::Ns),
        (V::Bs(a), V::Bs(b)) => difference(a, b).map(V::Bs),
        _ => return Err(bad_type()),
    })
}
