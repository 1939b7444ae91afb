//! PartiQL conditions, updates and paths → DynamoDB expression text.
//!
//! This is how PartiQL reaches the one expression engine (`dynamo::expr`)
//! instead of a second one: every name becomes a `#n<i>` placeholder and
//! every value a `:v<i>` placeholder, so no user text is ever spliced into
//! an expression, and the result goes through the same parser, limits,
//! value checks and evaluator as a `ConditionExpression` or
//! `UpdateExpression` of the item API. DynamoDB's PartiQL layer works the
//! same way (DynamoDB Local, `ddb.partiql.shared.parser.ExpressionParser`,
//! `UpdateExpressionParser`): operators map one to one, and
//!
//! - `x IS [NOT] MISSING` → `[NOT] attribute_not_exists(x)`;
//! - `x IS NULL` → `x = NULL`; `x IS STRING|NUMERIC|BLOB|BOOLEAN|STRUCT|TUPLE|LIST`
//!   → `attribute_type(x, 'S'|'N'|'B'|'BOOL'|'M'|'M'|'L')`;
//! - `SET x = set_add(x, <<...>>)` → `ADD x :v`, `set_delete` → `DELETE x :v`;
//! - functions keep their DynamoDB names (case-insensitive in PartiQL).

use std::collections::HashMap;

use super::ast::{Expr, Literal, PathExpr, Step, UpdateAction};
use super::error::{self as msg, PartiqlError};
use super::literal::Binder;
use crate::dynamo::api::{AttributeNames, AttributeValues};
use crate::dynamo::expr::{Comparator, Path, PathElem};
use crate::dynamo::items::value::AttributeValue;

/// Functions DynamoDB expressions know (`Operator.getFunctionOperator`).
const FUNCTIONS: &[&str] = &[
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
    "if_not_exists",
    "list_append",
];

/// The expression-engine path of a PartiQL path: names as given, indexes
/// within `0..=i32::MAX` (DynamoDB's "List index is not within the allowable
/// range"), no empty names.
pub fn expr_path(p: &PathExpr) -> Result<Path, PartiqlError> {
    let name = |n: &str| {
        if n.is_empty() {
            Err(PartiqlError::validation(msg::EMPTY_PATH_COMPONENT))
        } else {
            Ok(PathElem::Name(n.to_string()))
        }
    };
    let mut elems = vec![name(&p.root)?];
    for step in &p.steps {
        elems.push(match step {
            Step::Field(f) => name(f)?,
            Step::Index(text) => match text.parse::<u32>() {
                Ok(i) if i <= i32::MAX as u32 => PathElem::Index(i),
                _ => return Err(msg::list_index_range(text)),
            },
        });
    }
    Ok(Path(elems))
}

/// Builds expression text and its placeholder maps.
pub struct ExprBuilder<'a> {
    binder: Binder<'a>,
    names: AttributeNames,
    placeholders: HashMap<String, String>,
    values: AttributeValues,
}

impl<'a> ExprBuilder<'a> {
    /// A builder binding `?` through `binder`.
    pub fn new(binder: Binder<'a>) -> ExprBuilder<'a> {
        ExprBuilder {
            binder,
            names: AttributeNames::new(),
            placeholders: HashMap::new(),
            values: AttributeValues::new(),
        }
    }

    /// `ExpressionAttributeNames` and `ExpressionAttributeValues` of
    /// everything built so far (`None` when empty).
    pub fn into_maps(self) -> (Option<AttributeNames>, Option<AttributeValues>) {
        (
            (!self.names.is_empty()).then_some(self.names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }

    /// The placeholder of attribute name `n` (one per distinct name).
    pub fn name(&mut self, n: &str) -> String {
        if let Some(p) = self.placeholders.get(n) {
            return p.clone();
        }
        let p = format!("#n{}", self.placeholders.len());
        self.placeholders.insert(n.to_string(), p.clone());
        self.names.insert(p.clone(), n.to_string());
        p
    }

    /// A new placeholder holding `v`.
    pub fn value(&mut self, v: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), v);
        p
    }

    /// The text of a path.
    pub fn path(&mut self, p: &PathExpr) -> Result<String, PartiqlError> {
        let path = expr_path(p)?;
        Ok(self.expr_path_text(&path))
    }

    /// The text of an expression-engine path.
    pub fn expr_path_text(&mut self, path: &Path) -> String {
        let mut out = String::new();
        for (i, e) in path.0.iter().enumerate() {
            match e {
                PathElem::Name(n) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(&self.name(n));
                }
                PathElem::Index(ix) => {
                    out.push('[');
                    out.push_str(&ix.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// The text of a condition (WHERE, or what EXISTS adds to the key).
    pub fn condition(&mut self, e: &Expr) -> Result<String, PartiqlError> {
        Ok(match e {
            Expr::Compare(op, a, b) => {
                let (a, b) = (self.operand(a)?, self.operand(b)?);
                format!("{a} {} {b}", op.symbol())
            }
            Expr::Between(a, lo, hi) => format!(
                "{} BETWEEN {} AND {}",
                self.operand(a)?,
                self.operand(lo)?,
                self.operand(hi)?
            ),
            Expr::In(a, list) => {
                let Expr::List(items) = list.as_ref() else {
                    return Err(PartiqlError::validation(msg::IN_OPERAND));
                };
                if items.is_empty() {
                    return Err(PartiqlError::validation(msg::IN_OPERAND));
                }
                let a = self.operand(a)?;
                let items = items
                    .iter()
                    .map(|i| self.operand(i))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("{a} IN ({})", items.join(", "))
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                if !a.is_condition() || !b.is_condition() {
                    return Err(PartiqlError::validation(msg::AND_OR_OPERAND));
                }
                let word = if matches!(e, Expr::And(..)) {
                    "AND"
                } else {
                    "OR"
                };
                format!("({}) {word} ({})", self.condition(a)?, self.condition(b)?)
            }
            Expr::Not(a) => {
                if !a.is_condition() {
                    return Err(PartiqlError::validation(msg::NOT_OPERAND));
                }
                format!("NOT ({})", self.condition(a)?)
            }
            Expr::Is(a, ty, negated) => {
                let inner = self.is(a, ty)?;
                if *negated {
                    format!("NOT ({inner})")
                } else {
                    inner
                }
            }
            Expr::Call(name, args) => self.call(name, args, false)?,
            Expr::Unsupported(what) => return Err(msg::unsupported_condition_operator(what)),
            Expr::Binary(op, ..) | Expr::Unary(op, _) => {
                return Err(msg::unsupported_condition_operator(op))
            }
            Expr::Literal(Literal::Missing) => {
                return Err(PartiqlError::validation(msg::MISSING_WITHOUT_IS))
            }
            Expr::Literal(_)
            | Expr::Param(_)
            | Expr::Path(_)
            | Expr::List(_)
            | Expr::Tuple(_)
            | Expr::Bag(_) => return Err(PartiqlError::validation(msg::WHERE_NOT_BOOLEAN)),
        })
    }

    /// `a IS <ty>`.
    fn is(&mut self, a: &Expr, ty: &str) -> Result<String, PartiqlError> {
        if !matches!(a, Expr::Path(_) | Expr::Literal(_)) {
            return Err(PartiqlError::validation(msg::IS_OPERAND));
        }
        let dynamo_type = match ty {
            "MISSING" => {
                let a = self.operand(a)?;
                return Ok(format!("attribute_not_exists({a})"));
            }
            "NULL" => {
                let a = self.operand(a)?;
                let null = self.value(AttributeValue::Null);
                return Ok(format!("{a} = {null}"));
            }
            "STRING" => "S",
            "NUMERIC" => "N",
            "BLOB" => "B",
            "BOOLEAN" => "BOOL",
            "STRUCT" | "TUPLE" => "M",
            "LIST" => "L",
            other => return Err(msg::unsupported_is_type(other)),
        };
        let a = self.operand(a)?;
        let t = self.value(AttributeValue::S(dynamo_type.to_string()));
        Ok(format!("attribute_type({a}, {t})"))
    }

    /// A function call, in a condition (`value = false`) or as a value.
    fn call(&mut self, name: &str, args: &[Expr], value: bool) -> Result<String, PartiqlError> {
        let lower = name.to_ascii_lowercase();
        if !FUNCTIONS.contains(&lower.as_str()) {
            return Err(msg::unrecognized_function(name));
        }
        let args = args
            .iter()
            .map(|a| {
                if value {
                    self.update_operand(a)
                } else {
                    self.operand(a)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("{lower}({})", args.join(", ")))
    }

    /// A value in a condition: a path, a value, or `size(...)`.
    fn operand(&mut self, e: &Expr) -> Result<String, PartiqlError> {
        match e {
            Expr::Literal(Literal::Missing) => {
                Err(PartiqlError::validation(msg::MISSING_WITHOUT_IS))
            }
            Expr::Path(p) => self.path(p),
            Expr::Call(name, args) => self.call(name, args, false),
            Expr::Binary(op, ..) | Expr::Unary(op, _) => {
                Err(msg::unsupported_condition_operator(op))
            }
            Expr::Unsupported(what) => Err(msg::unsupported_condition_operator(what)),
            e if Binder::is_value(e) => {
                let v = self.binder.value(e, "root")?;
                Ok(self.value(v))
            }
            other => Err(msg::unsupported_token(&other.kind_name())),
        }
    }

    /// A value in a SET: a path, a value, `+`/`-`, `list_append`,
    /// `if_not_exists`.
    fn update_operand(&mut self, e: &Expr) -> Result<String, PartiqlError> {
        match e {
            Expr::Literal(Literal::Missing) => {
                Err(PartiqlError::validation(msg::MISSING_WITHOUT_IS))
            }
            Expr::Path(p) => self.path(p),
            Expr::Binary(op @ ("+" | "-"), a, b) => {
                let (a, b) = (self.update_operand(a)?, self.update_operand(b)?);
                Ok(format!("{a} {op} {b}"))
            }
            Expr::Binary(op, ..) | Expr::Unary(op, _) => Err(msg::unsupported_update_operator(op)),
            Expr::Call(name, args) => self.call(name, args, true),
            Expr::Is(..) => Err(PartiqlError::validation(msg::IS_IN_UPDATE)),
            e if Binder::is_value(e) => {
                let v = self.binder.value(e, "root")?;
                Ok(self.value(v))
            }
            other => Err(msg::unsupported_update_operator(&other.kind_name())),
        }
    }

    /// The UpdateExpression of an UPDATE's SET and REMOVE actions.
    pub fn update(&mut self, actions: &[UpdateAction]) -> Result<String, PartiqlError> {
        let (mut set, mut remove, mut add, mut delete) = (vec![], vec![], vec![], vec![]);
        for action in actions {
            match action {
                UpdateAction::Set(target, value) => {
                    let Expr::Path(target) = target else {
                        return Err(msg::unrecognized_assignment_target(&target.kind_name()));
                    };
                    let target_text = self.path(target)?;
                    match set_function(value) {
                        Some((action, args)) => {
                            let v = self.set_function(action, target, args)?;
                            let list = if action == "ADD" {
                                &mut add
                            } else {
                                &mut delete
                            };
                            list.push(format!("{target_text} {v}"));
                        }
                        None => {
                            let v = self.update_operand(value)?;
                            set.push(format!("{target_text} = {v}"));
                        }
                    }
                }
                UpdateAction::Remove(target) => {
                    let Expr::Path(target) = target else {
                        return Err(msg::unrecognized_assignment_target(&target.kind_name()));
                    };
                    remove.push(self.path(target)?);
                }
            }
        }
        let mut clauses = Vec::new();
        for (word, list, sep) in [
            ("SET", set, ", "),
            ("REMOVE", remove, ", "),
            ("ADD", add, ", "),
            ("DELETE", delete, ", "),
        ] {
            if !list.is_empty() {
                clauses.push(format!("{word} {}", list.join(sep)));
            }
        }
        Ok(clauses.join(" "))
    }

    /// The value placeholder of `SET target = set_add(target, <<...>>)`.
    fn set_function(
        &mut self,
        action: &str,
        target: &PathExpr,
        args: &[Expr],
    ) -> Result<String, PartiqlError> {
        let [first, second] = args else {
            return Err(msg::set_function_arity(action));
        };
        let same = match first {
            Expr::Path(p) => expr_path(p)? == expr_path(target)?,
            _ => false,
        };
        if !same {
            return Err(msg::set_function_first(action));
        }
        if !Binder::is_value(second) {
            return Err(msg::set_function_second(action));
        }
        let v = self.binder.value(second, "root")?;
        if !matches!(
            v,
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
        ) {
            return Err(msg::set_function_second(action));
        }
        Ok(self.value(v))
    }
}

/// `set_add(...)` / `set_delete(...)` (any case) → `("ADD"|"DELETE", args)`.
fn set_function(e: &Expr) -> Option<(&'static str, &[Expr])> {
    let Expr::Call(name, args) = e else {
        return None;
    };
    if name.eq_ignore_ascii_case("set_add") {
        Some(("ADD", args))
    } else if name.eq_ignore_ascii_case("set_delete") {
        Some(("DELETE", args))
    } else {
        None
    }
}

/// `a = b` with a key path on one side and a value on the other, as
/// `(name, value expression)` — the shape a key condition has.
pub fn key_equality(e: &Expr) -> Option<(&PathExpr, &Expr)> {
    let Expr::Compare(Comparator::Eq, a, b) = e else {
        return None;
    };
    match (a.as_ref(), b.as_ref()) {
        (Expr::Path(p), v) | (v, Expr::Path(p)) if Binder::is_value(v) => Some((p, v)),
        _ => None,
    }
}
