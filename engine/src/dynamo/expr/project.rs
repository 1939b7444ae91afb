//! ProjectionExpression semantics: keep only the listed document paths.
//!
//! Developer Guide, `Expressions.ProjectionExpressions`: a projection names
//! top-level attributes or nested elements by document path; attributes that
//! are not there are simply not returned. The exact shape of the result is
//! DynamoDB's `ExpressionExecutor.project` (DynamoDB Local, decompiled): the
//! paths form a tree; walking it over the item keeps a map key or list
//! element when the path reaches it, drops a map or list left with nothing
//! (so `a.b` on `{a: {c: 1}}` returns no `a` at all, not `a: {}`), and
//! rebuilds a projected list from the kept elements in index order, compacted
//! (`l[3], l[1]` on a five-element list gives `[l[1], l[3]]`). A path that
//! meets a scalar, a key into a list or an index into a map reaches nothing.
//! The same walk projects the old and new item onto an update's paths for
//! `UPDATED_OLD` / `UPDATED_NEW` (`getUpdatedOldDocument`,
//! `getUpdatedNewDocument`).

use std::collections::BTreeMap;

use super::ast::{Path, PathElem};
use crate::dynamo::items::value::{AttributeValue, Item};

/// One level of the projection tree. A child of `None` means the path ends
/// there: the whole value is kept.
#[derive(Default)]
struct Node<'a> {
    names: BTreeMap<&'a str, Option<Node<'a>>>,
    indexes: BTreeMap<u32, Option<Node<'a>>>,
}

impl<'a> Node<'a> {
    /// Adds a path. Overlapping paths (rejected by the parser) merge
    /// harmlessly: a shorter path keeps the whole value.
    fn insert(&mut self, elems: &'a [PathElem]) {
        let Some((first, rest)) = elems.split_first() else {
            return;
        };
        let slot = match first {
            PathElem::Name(n) => self
                .names
                .entry(n.as_str())
                .or_insert_with(|| Some(Node::default())),
            PathElem::Index(i) => self
                .indexes
                .entry(*i)
                .or_insert_with(|| Some(Node::default())),
        };
        if rest.is_empty() {
            *slot = None;
        } else if let Some(child) = slot {
            child.insert(rest);
        }
    }

    fn project_map(
        &self,
        map: &BTreeMap<String, AttributeValue>,
    ) -> BTreeMap<String, AttributeValue> {
        let mut out = BTreeMap::new();
        for (name, child) in &self.names {
            if let Some((key, value)) = map.get_key_value(*name) {
                if let Some(v) = project_child(child.as_ref(), value) {
                    out.insert(key.clone(), v);
                }
            }
        }
        out
    }

    fn project_value(&self, value: &AttributeValue) -> Option<AttributeValue> {
        match value {
            AttributeValue::M(m) => {
                let out = self.project_map(m);
                (!out.is_empty()).then_some(AttributeValue::M(out))
            }
            AttributeValue::L(l) => {
                let out: Vec<AttributeValue> = self
                    .indexes
                    .iter()
                    .filter_map(|(i, child)| {
                        let v = l.get(usize::try_from(*i).ok()?)?;
                        project_child(child.as_ref(), v)
                    })
                    .collect();
                (!out.is_empty()).then_some(AttributeValue::L(out))
            }
            _ => None,
        }
    }
}

fn project_child(child: Option<&Node<'_>>, value: &AttributeValue) -> Option<AttributeValue> {
    match child {
        None => Some(value.clone()),
        Some(node) => node.project_value(value),
    }
}

/// Keeps only the listed paths of `item`: nested map keys and list elements
/// (projected list elements keep their relative order, compacted); paths
/// that reach nothing are skipped. An empty result means nothing matched.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut root = Node::default();
    for p in paths {
        root.insert(&p.0);
    }
    root.project_map(item)
}
