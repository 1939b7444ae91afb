//! The parsed forms of DynamoDB expressions.
//!
//! Paths hold attribute names already resolved through
//! `ExpressionAttributeNames`; `:placeholders` stay as names ([`Operand::Value`])
//! because this module does not know attribute values. Parentheses are not
//! kept: they only group, and the tree shape records the grouping.
//!
//! `Display` prints a form that re-parses to the same tree: every compound
//! sub-condition is parenthesised, and an attribute name that could not be
//! written bare (a reserved word, a keyword, or one with characters outside
//! `[A-Za-z0-9_]`) is printed in double quotes — readable in tests, but such a
//! name needs a `#placeholder` to be re-parsed.

use std::fmt;

use super::lexer::{lex, TokenKind};
use super::reserved::is_reserved;

/// One step of a document path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElem {
    /// A map key (or the top-level attribute name).
    Name(String),
    /// A list index, `[n]`.
    Index(u32),
}

/// A document path such as `a.b[3].c`. Never empty; the first element is a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<PathElem>);

impl Path {
    /// The top-level attribute name.
    pub fn top(&self) -> &str {
        match self.0.first() {
            Some(PathElem::Name(n)) => n,
            _ => "",
        }
    }

    /// DynamoDB's rendering in error messages: `[a, b, [3]]` (dynalite
    /// `pathStr`, confirmed against DynamoDB by ExtendDB
    /// `tests/test_projection_overlapping_paths.py`).
    pub fn to_message_form(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| match e {
                PathElem::Name(n) => n.clone(),
                PathElem::Index(i) => format!("[{i}]"),
            })
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

/// True if `name` can be written bare in an expression and read back as itself.
pub fn is_plain_name(name: &str) -> bool {
    match lex(name).as_slice() {
        [tok] => tok.kind == TokenKind::Word && tok.keyword().is_none() && !is_reserved(name),
        _ => false,
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            match e {
                PathElem::Name(n) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_plain_name(n) {
                        f.write_str(n)?;
                    } else {
                        write!(f, "{n:?}")?;
                    }
                }
                PathElem::Index(ix) => write!(f, "[{ix}]")?,
            }
        }
        Ok(())
    }
}

/// A value-producing term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// The value at a document path.
    Path(Path),
    /// An `ExpressionAttributeValues` placeholder, e.g. `":v"` (with the colon).
    Value(String),
    /// `size(operand)` — conditions only.
    Size(Box<Operand>),
    /// `if_not_exists(path, operand)` — update `SET` only.
    IfNotExists(Path, Box<Operand>),
    /// `list_append(a, b)` — update `SET` only.
    ListAppend(Box<Operand>, Box<Operand>),
    /// `a + b` — update `SET` only.
    Plus(Box<Operand>, Box<Operand>),
    /// `a - b` — update `SET` only.
    Minus(Box<Operand>, Box<Operand>),
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Path(p) => write!(f, "{p}"),
            Operand::Value(v) => f.write_str(v),
            Operand::Size(a) => write!(f, "size({a})"),
            Operand::IfNotExists(p, v) => write!(f, "if_not_exists({p}, {v})"),
            Operand::ListAppend(a, b) => write!(f, "list_append({a}, {b})"),
            Operand::Plus(a, b) => write!(f, "{a} + {}", RightArg(b)),
            Operand::Minus(a, b) => write!(f, "{a} - {}", RightArg(b)),
        }
    }
}

/// `+`/`-` associate to the left, so a `+`/`-` on the right needs parentheses.
struct RightArg<'a>(&'a Operand);

impl fmt::Display for RightArg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Operand::Plus(..) | Operand::Minus(..) => write!(f, "({})", self.0),
            o => write!(f, "{o}"),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    pub fn flipped(self) -> Comparator {
        match self {
            Comparator::Lt => Comparator::Gt,
            Comparator::Le => Comparator::Ge,
            Comparator::Gt => Comparator::Lt,
            Comparator::Ge => Comparator::Le,
            c => c,
        }
    }
}

/// A condition (ConditionExpression / FilterExpression).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `left op right`
    Compare {
        /// Left operand.
        left: Operand,
        /// Operator.
        op: Comparator,
        /// Right operand.
        right: Operand,
    },
    /// `operand BETWEEN low AND high`
    Between {
        /// Tested operand.
        operand: Operand,
        /// Lower bound (inclusive).
        low: Operand,
        /// Upper bound (inclusive).
        high: Operand,
    },
    /// `operand IN (list...)`, 1 to 100 list entries.
    In {
        /// Tested operand.
        operand: Operand,
        /// Candidates.
        list: Vec<Operand>,
    },
    /// `a AND b`
    And(Box<Condition>, Box<Condition>),
    /// `a OR b`
    Or(Box<Condition>, Box<Condition>),
    /// `NOT a`
    Not(Box<Condition>),
    /// `attribute_exists(path)`
    AttributeExists(Path),
    /// `attribute_not_exists(path)`
    AttributeNotExists(Path),
    /// `attribute_type(path, type)`
    AttributeType(Path, Operand),
    /// `begins_with(a, prefix)`
    BeginsWith(Operand, Operand),
    /// `contains(a, b)`
    Contains(Operand, Operand),
}

impl Condition {
    fn is_compound(&self) -> bool {
        matches!(
            self,
            Condition::And(..) | Condition::Or(..) | Condition::Not(_)
        )
    }
}

struct Grouped<'a>(&'a Condition);

impl fmt::Display for Grouped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_compound() {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Compare { left, op, right } => {
                write!(f, "{left} {} {right}", op.symbol())
            }
            Condition::Between { operand, low, high } => {
                write!(f, "{operand} BETWEEN {low} AND {high}")
            }
            Condition::In { operand, list } => {
                write!(f, "{operand} IN (")?;
                for (i, o) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{o}")?;
                }
                f.write_str(")")
            }
            Condition::And(a, b) => write!(f, "{} AND {}", Grouped(a), Grouped(b)),
            Condition::Or(a, b) => write!(f, "{} OR {}", Grouped(a), Grouped(b)),
            Condition::Not(a) => write!(f, "NOT {}", Grouped(a)),
            Condition::AttributeExists(p) => write!(f, "attribute_exists({p})"),
            Condition::AttributeNotExists(p) => write!(f, "attribute_not_exists({p})"),
            Condition::AttributeType(p, t) => write!(f, "attribute_type({p}, {t})"),
            Condition::BeginsWith(a, b) => write!(f, "begins_with({a}, {b})"),
            Condition::Contains(a, b) => write!(f, "contains({a}, {b})"),
        }
    }
}

/// A parsed UpdateExpression: each clause's actions in written order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateExpr {
    /// `SET path = value`. The value is a path, a `:value`, `if_not_exists`,
    /// `list_append`, or a `+`/`-` of those.
    pub set: Vec<(Path, Operand)>,
    /// `REMOVE path`.
    pub remove: Vec<Path>,
    /// `ADD path :value`.
    pub add: Vec<(Path, String)>,
    /// `DELETE path :value`.
    pub delete: Vec<(Path, String)>,
}

impl fmt::Display for UpdateExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut clauses: Vec<String> = Vec::new();
        if !self.set.is_empty() {
            let acts: Vec<String> = self.set.iter().map(|(p, v)| format!("{p} = {v}")).collect();
            clauses.push(format!("SET {}", acts.join(", ")));
        }
        if !self.remove.is_empty() {
            let acts: Vec<String> = self.remove.iter().map(|p| p.to_string()).collect();
            clauses.push(format!("REMOVE {}", acts.join(", ")));
        }
        for (word, list) in [("ADD", &self.add), ("DELETE", &self.delete)] {
            if !list.is_empty() {
                let acts: Vec<String> = list.iter().map(|(p, v)| format!("{p} {v}")).collect();
                clauses.push(format!("{word} {}", acts.join(", ")));
            }
        }
        f.write_str(&clauses.join(" "))
    }
}

/// A parsed ProjectionExpression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection(pub Vec<Path>);

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The test one key attribute must pass in a KeyConditionExpression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyTest {
    /// `key op :v` (written either way round; normalised to key on the left).
    Compare(Comparator, String),
    /// `key BETWEEN :lo AND :hi`
    Between(String, String),
    /// `begins_with(key, :prefix)`
    BeginsWith(String),
}

/// One key attribute's condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPart {
    /// The (top-level) key attribute name.
    pub attribute: String,
    /// What it must satisfy.
    pub test: KeyTest,
}

/// A parsed KeyConditionExpression: conditions on distinct top-level
/// attributes joined by `AND`. Which one is the partition key (it must use
/// `=`) is checked against the key schema by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCondition(pub Vec<KeyPart>);

impl fmt::Display for KeyCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" AND ")?;
            }
            let attr = Path(vec![PathElem::Name(part.attribute.clone())]);
            match &part.test {
                KeyTest::Compare(op, v) => write!(f, "{attr} {} {v}", op.symbol())?,
                KeyTest::Between(lo, hi) => write!(f, "{attr} BETWEEN {lo} AND {hi}")?,
                KeyTest::BeginsWith(v) => write!(f, "begins_with({attr}, {v})")?,
            }
        }
        Ok(())
    }
}
