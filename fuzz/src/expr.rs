//! `expr_parser`: DynamoDB expressions (condition, filter, key condition,
//! projection, update) through [`ExprContext`].

use std::collections::HashMap;
use std::fmt::{Debug, Display};

use siltdb::dynamo::expr::{ExprContext, ExprError, MAX_EXPRESSION_BYTES};

/// The `ExpressionAttributeValues` keys every input may use.
pub const VALUE_KEYS: [&str; 3] = [":a", ":b", ":v"];

/// The `ExpressionAttributeNames` every input may use.
pub fn names() -> HashMap<String, String> {
    [("#a", "a"), ("#b", "b.c"), ("#n", "name")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The expression kinds, in the order the first input byte selects them
/// (`byte % 5`).
pub const KINDS: [&str; 5] = [
    "condition",
    "filter",
    "key-condition",
    "projection",
    "update",
];

/// Checks that `tree`'s `Display` form parses back to `tree`.
///
/// Skipped when the form quotes a name (`"b.c"`: such a name needs a
/// `#placeholder`). The printed form may legitimately hit a limit the input
/// did not: it adds spaces and parentheses, so it can pass the 4 KB size
/// limit or the parser's nesting guard (a chain `a AND b AND c` prints as
/// `(a AND b) AND c`).
fn check_reparse<T: PartialEq + Debug + Display>(
    tree: &T,
    parse: impl FnOnce(&mut ExprContext<'_>, &str) -> Result<T, ExprError>,
) {
    let printed = tree.to_string();
    if printed.contains('"') {
        return;
    }
    let no_names = HashMap::new();
    let mut ctx = ExprContext::with_values(&no_names, VALUE_KEYS);
    match parse(&mut ctx, &printed) {
        Ok(again) => assert!(
            again == *tree,
            "{printed:?} re-parses to another tree:\n{tree:?}\n{again:?}"
        ),
        Err(e)
            if printed.len() > MAX_EXPRESSION_BYTES
                || e.message.contains("too many nesting levels") => {}
        Err(e) => panic!("Display form {printed:?} of {tree:?} does not re-parse: {e}"),
    }
}

/// `expr_parser`: the first byte picks the kind ([`KINDS`]), the rest is the
/// expression text (UTF-8, lossily). Parses with [`names`] and
/// [`VALUE_KEYS`], then `finish()`. Condition, filter, projection and update
/// trees must survive `Display` → parse.
pub fn run_expr(data: &[u8]) {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let names = names();
    let mut ctx = ExprContext::with_values(&names, VALUE_KEYS);
    match selector % 5 {
        0 => {
            let r = ctx.condition(&text);
            let _ = ctx.finish();
            if let Ok(c) = r {
                check_reparse(&c, |cx, s| cx.condition(s));
            }
        }
        1 => {
            let r = ctx.filter(&text);
            let _ = ctx.finish();
            if let Ok(c) = r {
                check_reparse(&c, |cx, s| cx.filter(s));
            }
        }
        2 => {
            if let Ok(k) = ctx.key_condition(&text) {
                let _ = k.to_string();
            }
            let _ = ctx.finish();
        }
        3 => {
            let r = ctx.projection(&text);
            let _ = ctx.finish();
            if let Ok(p) = r {
                check_reparse(&p, |cx, s| cx.projection(s));
            }
        }
        _ => {
            let r = ctx.update(&text);
            let _ = ctx.finish();
            if let Ok(u) = r {
                check_reparse(&u, |cx, s| cx.update(s));
            }
        }
    }
}
