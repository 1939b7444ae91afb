//! The parsed form of a PartiQL statement.
//!
//! The tree keeps what the statement says, not what DynamoDB does with it:
//! names are as written (already unquoted), literals unconverted, `?`
//! numbered in order of appearance. The planner (`plan`) turns it into DynamoDB
//! operations. Comparisons use the expression engine's [`Comparator`].

use crate::dynamo::expr::Comparator;

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `SELECT ... FROM ...`.
    Select(Select),
    /// `INSERT INTO ... VALUE ...`.
    Insert(Insert),
    /// `UPDATE ... SET/REMOVE ... WHERE ...`.
    Update(Update),
    /// `DELETE FROM ... WHERE ...`.
    Delete(Delete),
    /// `EXISTS(SELECT ...)`: a condition check, in write transactions only.
    Exists(Select),
}

impl Statement {
    /// Whether the statement reads (a SELECT) rather than writes. EXISTS is
    /// a write: it becomes a `ConditionCheck` of a write transaction.
    pub fn is_read(&self) -> bool {
        matches!(self, Statement::Select(_))
    }

    /// The table the statement names.
    pub fn table(&self) -> &str {
        match self {
            Statement::Select(s) | Statement::Exists(s) => &s.from.table,
            Statement::Insert(i) => &i.table,
            Statement::Update(u) => &u.from.table,
            Statement::Delete(d) => &d.from.table,
        }
    }

    /// The `RETURNING` clause, on UPDATE and DELETE.
    pub fn returning(&self) -> Option<Returning> {
        match self {
            Statement::Update(u) => u.returning,
            Statement::Delete(d) => d.returning,
            _ => None,
        }
    }
}

/// `"Table"` or `"Table"."Index"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The table name.
    pub table: String,
    /// The index name, if any.
    pub index: Option<String>,
}

/// A SELECT.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// What to return.
    pub projection: SelectList,
    /// The table or index read.
    pub from: Source,
    /// The WHERE condition.
    pub where_clause: Option<Expr>,
    /// ORDER BY terms, in order.
    pub order_by: Vec<OrderBy>,
}

/// The projection of a SELECT.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectList {
    /// `*`: every attribute.
    Star,
    /// Document paths.
    Paths(Vec<PathExpr>),
}

/// One ORDER BY term.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// What to order by (DynamoDB allows only a key attribute's name).
    pub key: Expr,
    /// `DESC`.
    pub descending: bool,
}

/// An INSERT.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The table.
    pub table: String,
    /// The item (DynamoDB allows only a tuple `{...}`).
    pub value: Expr,
}

/// An UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The table (an index here is refused when planned).
    pub from: Source,
    /// SET and REMOVE actions, in written order.
    pub actions: Vec<UpdateAction>,
    /// The WHERE condition (DynamoDB requires one naming the whole key).
    pub where_clause: Option<Expr>,
    /// `RETURNING ...`.
    pub returning: Option<Returning>,
}

/// One SET or REMOVE.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateAction {
    /// `SET target = value`.
    Set(Expr, Expr),
    /// `REMOVE target`.
    Remove(Expr),
}

/// A DELETE.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The table.
    pub from: Source,
    /// The WHERE condition (DynamoDB requires one naming the whole key).
    pub where_clause: Option<Expr>,
    /// `RETURNING ...`.
    pub returning: Option<Returning>,
}

/// `RETURNING <ALL|MODIFIED> <OLD|NEW> *`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returning {
    /// `ALL OLD *`.
    AllOld,
    /// `MODIFIED OLD *`.
    ModifiedOld,
    /// `ALL NEW *`.
    AllNew,
    /// `MODIFIED NEW *`.
    ModifiedNew,
}

impl Returning {
    /// The words as written, e.g. `"MODIFIED OLD"`.
    pub fn words(self) -> &'static str {
        match self {
            Returning::AllOld => "ALL OLD",
            Returning::ModifiedOld => "MODIFIED OLD",
            Returning::AllNew => "ALL NEW",
            Returning::ModifiedNew => "MODIFIED NEW",
        }
    }
}

/// A document path: a name, then `.name`, `['name']` or `[n]` steps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathExpr {
    /// The top-level attribute name.
    pub root: String,
    /// The steps after it.
    pub steps: Vec<Step>,
}

/// One step of a [`PathExpr`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A map key.
    Field(String),
    /// A list index (kept as written, to report out-of-range values).
    Index(String),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// `'text'`.
    String(String),
    /// A number, as written (with a leading `-` when negated).
    Number(String),
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// `NULL`.
    Null,
    /// `MISSING`.
    Missing,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Literal(Literal),
    /// The `n`th `?` (0-based).
    Param(usize),
    /// A document path.
    Path(PathExpr),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{'k': v, ...}`: keys as written (DynamoDB requires string literals).
    Tuple(Vec<(Expr, Expr)>),
    /// `<<a, b>>`: a set.
    Bag(Vec<Expr>),
    /// `a op b`.
    Compare(Comparator, Box<Expr>, Box<Expr>),
    /// Another binary operator (`+`, `-`, `*`, `/`, `%`, `||`), by symbol.
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// Unary minus or plus over something that is not a number literal.
    Unary(&'static str, Box<Expr>),
    /// `a AND b`.
    And(Box<Expr>, Box<Expr>),
    /// `a OR b`.
    Or(Box<Expr>, Box<Expr>),
    /// `NOT a`.
    Not(Box<Expr>),
    /// `a [NOT] BETWEEN low AND high` (NOT is wrapped around it as [`Expr::Not`]).
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a IN right`; the right side is usually [`Expr::List`].
    In(Box<Expr>, Box<Expr>),
    /// `a IS [NOT] <type>`: the type name upper case (`MISSING`, `NULL`,
    /// `STRING`, ...), and whether NOT was written.
    Is(Box<Expr>, String, bool),
    /// `name(args)`: the name as written.
    Call(String, Vec<Expr>),
    /// `LIKE` and other constructs DynamoDB does not support, by name.
    Unsupported(String),
}

impl Expr {
    /// Whether the expression yields a truth value (a comparison, a
    /// connective, IS, IN, BETWEEN or a function call) rather than a value.
    pub fn is_condition(&self) -> bool {
        matches!(
            self,
            Expr::Compare(..)
                | Expr::And(..)
                | Expr::Or(..)
                | Expr::Not(_)
                | Expr::Between(..)
                | Expr::In(..)
                | Expr::Is(..)
                | Expr::Call(..)
                | Expr::Unsupported(_)
        )
    }

    /// How DynamoDB names the kind of node in messages about it
    /// (`ExprNodeTranslators.extractExprIdentifierAsString` and the node
    /// class names of DynamoDB Local's PartiQL layer).
    pub fn kind_name(&self) -> String {
        match self {
            Expr::Literal(Literal::String(_)) => "STRING".into(),
            Expr::Literal(Literal::Number(n)) if n.contains(['.']) => "DECIMAL".into(),
            Expr::Literal(Literal::Number(n)) if n.contains(['e', 'E']) => "FLOAT".into(),
            Expr::Literal(Literal::Number(_)) => "INT".into(),
            Expr::Literal(Literal::Bool(_)) => "BOOL".into(),
            Expr::Literal(Literal::Null) => "NULL".into(),
            Expr::Literal(Literal::Missing) => "MISSING".into(),
            Expr::Param(_) => "PARAMETER".into(),
            Expr::Path(p) if p.steps.is_empty() => "VariableReference".into(),
            Expr::Path(_) => "Path".into(),
            Expr::List(_) => "LIST".into(),
            Expr::Tuple(_) => "STRUCT".into(),
            Expr::Bag(_) => "BAG".into(),
            Expr::Compare(op, ..) => op.symbol().into(),
            Expr::Binary(op, ..) | Expr::Unary(op, _) => (*op).into(),
            Expr::And(..) => "and".into(),
            Expr::Or(..) => "or".into(),
            Expr::Not(_) => "not".into(),
            Expr::Between(..) => "between".into(),
            Expr::In(..) => "in".into(),
            Expr::Is(..) => "is".into(),
            Expr::Call(name, _) => name.clone(),
            Expr::Unsupported(what) => what.clone(),
        }
    }
}
