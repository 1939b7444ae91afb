//! Recursive-descent parser for DynamoDB's PartiQL subset.
//!
//! Grammar (Developer Guide, `ql-reference.select`, `.insert`, `.update`,
//! `.delete`, `ql-functions`, `ql-operators`):
//!
//! ```text
//! statement := (select | insert | update | delete | EXISTS '(' select ')') [';']
//! select    := SELECT ('*' | path {',' path}) FROM source [WHERE expr]
//!              [ORDER BY expr [ASC|DESC] {',' ...}]
//! insert    := INSERT INTO name VALUE expr
//! update    := UPDATE source {SET path '=' expr {',' ...} | REMOVE path {',' ...}}
//!              [WHERE expr] [returning]
//! delete    := DELETE FROM source [WHERE expr] [returning]
//! returning := RETURNING (ALL|MODIFIED) (OLD|NEW) '*'
//! source    := name ['.' name]
//! ```
//!
//! Expressions use PartiQL's precedence (reference implementation,
//! `OPERATOR_PRECEDENCE`), loosest first: `OR`; `AND`; `NOT`; `=`, `<>`,
//! `!=`, `IS`, `IN`; `<`, `<=`, `>`, `>=`, `BETWEEN`, `LIKE`; `+`, `-`,
//! `||`; `*`, `/`, `%`; unary `-`/`+`. Keywords are case-insensitive;
//! names are case-sensitive, bare or in double quotes.
//!
//! The parser accepts some constructs DynamoDB refuses (GROUP BY, LIMIT,
//! aliases, DISTINCT, ...) just far enough to report DynamoDB's message for
//! them. Nesting is bounded ([`MAX_DEPTH`]) so hostile input cannot
//! overflow the stack.

use super::super::error::{self as msg, PartiqlError};
use super::ast::{
    Delete, Expr, Insert, Literal, OrderBy, PathExpr, Returning, Select, SelectList, Source,
    Statement, Step, Update, UpdateAction,
};
use super::keywords::is_keyword;
use super::lexer::{lex, Token, TokenKind};
use crate::dynamo::expr::Comparator;

/// Deepest nesting of parentheses, lists, tuples and operators accepted.
/// DynamoDB's own limit on item nesting is 32 levels; this bound only keeps
/// recursion finite.
pub const MAX_DEPTH: usize = 256;

/// A parsed statement and how many `?` it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The statement.
    pub statement: Statement,
    /// Number of `?` parameters.
    pub parameters: usize,
}

/// Parses one PartiQL statement.
pub fn parse(src: &str) -> Result<Parsed, PartiqlError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        params: 0,
        depth: 0,
    };
    let statement = p.statement()?;
    p.eat_punct(";");
    if let Some(t) = p.peek() {
        return Err(p.unexpected(t));
    }
    Ok(Parsed {
        statement,
        parameters: p.params,
    })
}

/// Keywords that may be called as functions (PartiQL's
/// `FUNCTION_NAME_KEYWORDS`).
const FUNCTION_KEYWORDS: &[&str] = &[
    "exists",
    "count",
    "avg",
    "max",
    "min",
    "sum",
    "substring",
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "upper",
    "lower",
    "size",
    "sexp",
    "list",
    "bag",
];

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    params: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.pos + n)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn at_keyword(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(kw))
    }

    fn at_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        let hit = self.at_keyword(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let hit = self.at_punct(p);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// The syntax error for finding `t` here.
    fn unexpected(&self, t: &Token) -> PartiqlError {
        match &t.kind {
            TokenKind::Word(w) if is_keyword(w) => PartiqlError::syntax(msg::UNEXPECTED_KEYWORD),
            _ => PartiqlError::syntax(msg::UNEXPECTED_TOKEN),
        }
    }

    /// The syntax error for the next token (or the end).
    fn unexpected_here(&self) -> PartiqlError {
        match self.peek() {
            Some(t) => self.unexpected(t),
            None => PartiqlError::syntax(msg::UNEXPECTED_END),
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), PartiqlError> {
        if self.eat_keyword(kw) {
            Ok(())
        } else {
            Err(self.unexpected_here())
        }
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), PartiqlError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.unexpected_here())
        }
    }

    fn enter(&mut self) -> Result<(), PartiqlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(PartiqlError::syntax("Statement is nested too deeply"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ----- statements ---------------------------------------------------

    fn statement(&mut self) -> Result<Statement, PartiqlError> {
        let Some(first) = self.peek() else {
            return Err(PartiqlError::syntax(msg::EXPECTED_DML));
        };
        if first.is_keyword("SELECT") {
            return Ok(Statement::Select(self.select()?));
        }
        if first.is_keyword("INSERT") {
            return Ok(Statement::Insert(self.insert()?));
        }
        if first.is_keyword("UPDATE") {
            return Ok(Statement::Update(self.update()?));
        }
        if first.is_keyword("DELETE") {
            return Ok(Statement::Delete(self.delete()?));
        }
        if first.is_keyword("EXISTS") {
            self.pos += 1;
            self.expect_punct("(")?;
            if !self.at_keyword("SELECT") {
                return Err(self.unexpected_here());
            }
            let select = self.select()?;
            self.expect_punct(")")?;
            return Ok(Statement::Exists(select));
        }
        Err(PartiqlError::syntax(msg::EXPECTED_DML))
    }

    fn select(&mut self) -> Result<Select, PartiqlError> {
        self.expect_keyword("SELECT")?;
        if self.at_keyword("DISTINCT") {
            return Err(msg::unsupported_token("DISTINCT"));
        }
        self.eat_keyword("ALL");
        if self.at_keyword("VALUE") || self.at_keyword("PIVOT") {
            return Err(PartiqlError::validation(msg::SELECT_VALUE_OR_PIVOT));
        }
        let projection = self.select_list()?;
        self.expect_keyword("FROM")?;
        let from = self.source()?;
        if self.at_keyword("AS") || self.peek().is_some_and(is_alias) {
            return Err(PartiqlError::validation(msg::ALIAS_UNSUPPORTED));
        }
        if self.at_punct(",")
            || ["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS"]
                .iter()
                .any(|k| self.at_keyword(k))
        {
            return Err(PartiqlError::validation(msg::SELECT_MULTIPLE_FROM));
        }
        let where_clause = if self.eat_keyword("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        if self.at_keyword("GROUP") {
            return Err(msg::unsupported_clause("GROUP BY"));
        }
        if self.at_keyword("HAVING") {
            return Err(msg::unsupported_clause("HAVING"));
        }
        let mut order_by = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            loop {
                let key = self.expr()?;
                let descending = if self.eat_keyword("DESC") {
                    true
                } else {
                    self.eat_keyword("ASC");
                    false
                };
                order_by.push(OrderBy { key, descending });
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        if self.at_keyword("LIMIT") {
            return Err(msg::unsupported_clause("LIMIT"));
        }
        if self.at_keyword("OFFSET") {
            return Err(msg::unsupported_clause("OFFSET"));
        }
        Ok(Select {
            projection,
            from,
            where_clause,
            order_by,
        })
    }

    fn select_list(&mut self) -> Result<SelectList, PartiqlError> {
        let mut star = false;
        let mut paths = Vec::new();
        loop {
            if self.eat_punct("*") {
                star = true;
            } else {
                let Some(first) = self.peek().cloned() else {
                    return Err(PartiqlError::syntax(msg::UNEXPECTED_END));
                };
                let e = self.expr()?;
                if self.at_keyword("AS") || self.peek().is_some_and(is_alias) {
                    return Err(PartiqlError::validation(msg::ALIAS_UNSUPPORTED));
                }
                match e {
                    Expr::Path(p) => paths.push(p),
                    _ => {
                        return Err(msg::unexpected_path_component(
                            first.line, first.col, first.len,
                        ))
                    }
                }
            }
            if !self.eat_punct(",") {
                break;
            }
        }
        match (star, paths.is_empty()) {
            (true, true) => Ok(SelectList::Star),
            (true, false) => Err(PartiqlError::validation(msg::STAR_AND_OTHERS)),
            (false, _) => Ok(SelectList::Paths(paths)),
        }
    }

    /// A name: bare (not a keyword) or quoted.
    fn name(&mut self) -> Result<String, PartiqlError> {
        match self.next() {
            Some(Token {
                kind: TokenKind::Quoted(q),
                ..
            }) => Ok(q),
            Some(Token {
                kind: TokenKind::Word(w),
                ..
            }) if !is_keyword(&w) => Ok(w),
            Some(t) => Err(self.unexpected(&t)),
            None => Err(PartiqlError::syntax(msg::UNEXPECTED_END)),
        }
    }

    fn source(&mut self) -> Result<Source, PartiqlError> {
        let table = self.name()?;
        let index = if self.eat_punct(".") {
            Some(self.name()?)
        } else {
            None
        };
        if self.at_punct(".") {
            return Err(PartiqlError::validation(msg::FROM_PATH_COMPONENTS));
        }
        Ok(Source { table, index })
    }

    fn insert(&mut self) -> Result<Insert, PartiqlError> {
        self.expect_keyword("INSERT")?;
        self.expect_keyword("INTO")?;
        // The target parses as an expression, as in PartiQL: a call-like
        // `t (a, b)` then fails on its arguments the way DynamoDB does.
        let target = self.unary()?;
        let table = match target {
            Expr::Path(PathExpr { root, steps }) if steps.is_empty() => root,
            _ => return Err(PartiqlError::syntax(msg::UNEXPECTED_TOKEN)),
        };
        if self.at_punct("<<") || self.at_punct("[") || self.at_punct("(") {
            return Err(PartiqlError::validation(msg::INSERT_MULTIPLE));
        }
        self.expect_keyword("VALUE")?;
        let value = self.expr()?;
        if self.at_keyword("RETURNING") {
            return Err(PartiqlError::validation(msg::RETURNING_IN_INSERT));
        }
        Ok(Insert { table, value })
    }

    fn update(&mut self) -> Result<Update, PartiqlError> {
        self.expect_keyword("UPDATE")?;
        let from = self.source()?;
        let mut actions = Vec::new();
        loop {
            if self.eat_keyword("SET") {
                loop {
                    let target = self.additive()?;
                    self.expect_punct("=")?;
                    let value = self.expr()?;
                    actions.push(UpdateAction::Set(target, value));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            } else if self.eat_keyword("REMOVE") {
                loop {
                    actions.push(UpdateAction::Remove(self.additive()?));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            } else if ["INSERT", "DELETE", "UPSERT", "REPLACE"]
                .iter()
                .any(|k| self.at_keyword(k))
            {
                return Err(PartiqlError::validation(msg::ONLY_SET_AND_REMOVE));
            } else {
                break;
            }
        }
        if actions.is_empty() {
            return Err(self.unexpected_here());
        }
        let where_clause = if self.eat_keyword("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Update {
            from,
            actions,
            where_clause,
            returning,
        })
    }

    fn delete(&mut self) -> Result<Delete, PartiqlError> {
        self.expect_keyword("DELETE")?;
        self.expect_keyword("FROM")?;
        let from = self.source()?;
        let where_clause = if self.eat_keyword("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Delete {
            from,
            where_clause,
            returning,
        })
    }

    fn returning(&mut self) -> Result<Option<Returning>, PartiqlError> {
        if !self.eat_keyword("RETURNING") {
            return Ok(None);
        }
        let all = if self.eat_keyword("ALL") {
            true
        } else if self.eat_keyword("MODIFIED") {
            false
        } else {
            return Err(self.unexpected_here());
        };
        let old = if self.eat_keyword("OLD") {
            true
        } else if self.eat_keyword("NEW") {
            false
        } else {
            return Err(self.unexpected_here());
        };
        if !self.eat_punct("*") {
            return Err(PartiqlError::validation(msg::RETURNING_SYNTAX));
        }
        if self.at_punct(",") {
            return Err(PartiqlError::validation(msg::RETURNING_MULTIPLE));
        }
        Ok(Some(match (all, old) {
            (true, true) => Returning::AllOld,
            (false, true) => Returning::ModifiedOld,
            (true, false) => Returning::AllNew,
            (false, false) => Returning::ModifiedNew,
        }))
    }

    // ----- expressions --------------------------------------------------

    fn expr(&mut self) -> Result<Expr, PartiqlError> {
        self.enter()?;
        let r = self.or();
        self.leave();
        r
    }

    fn or(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.and()?;
        while self.eat_keyword("OR") {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.not()?;
        while self.eat_keyword("AND") {
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, PartiqlError> {
        if self.eat_keyword("NOT") {
            self.enter()?;
            let inner = self.not();
            self.leave();
            return Ok(Expr::Not(Box::new(inner?)));
        }
        self.equity()
    }

    fn equity(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.comparison()?;
        loop {
            let op = if self.eat_punct("=") {
                Some(Comparator::Eq)
            } else if self.eat_punct("<>") || self.eat_punct("!=") {
                Some(Comparator::Ne)
            } else {
                None
            };
            if let Some(op) = op {
                let right = self.comparison()?;
                left = Expr::Compare(op, Box::new(left), Box::new(right));
                continue;
            }
            if self.eat_keyword("IS") {
                let negated = self.eat_keyword("NOT");
                let ty = self.type_name()?;
                left = Expr::Is(Box::new(left), ty, negated);
                continue;
            }
            let negated =
                self.at_keyword("NOT") && self.peek_at(1).is_some_and(|t| t.is_keyword("IN"));
            if negated || self.at_keyword("IN") {
                self.pos += if negated { 2 } else { 1 };
                let right = self.comparison()?;
                let e = Expr::In(Box::new(left), Box::new(right));
                left = if negated { Expr::Not(Box::new(e)) } else { e };
                continue;
            }
            return Ok(left);
        }
    }

    /// The type after `IS [NOT]`, upper case; PartiQL's two-word types and
    /// aliases folded to the names DynamoDB reports.
    fn type_name(&mut self) -> Result<String, PartiqlError> {
        let Some(t) = self.next() else {
            return Err(PartiqlError::syntax(msg::UNEXPECTED_END));
        };
        let TokenKind::Word(w) = &t.kind else {
            return Err(self.unexpected(&t));
        };
        let upper = w.to_ascii_uppercase();
        Ok(match upper.as_str() {
            "BOOL" => "BOOLEAN".to_string(),
            "INT" => "INTEGER".to_string(),
            "DEC" => "DECIMAL".to_string(),
            "CHAR" => "CHARACTER".to_string(),
            "DOUBLE" if self.eat_keyword("PRECISION") => "DOUBLE_PRECISION".to_string(),
            "CHARACTER" if self.eat_keyword("VARYING") => "CHARACTER_VARYING".to_string(),
            "VARCHAR" => "CHARACTER_VARYING".to_string(),
            _ => upper,
        })
    }

    fn comparison(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.additive()?;
        loop {
            let op = if self.eat_punct("<") {
                Some(Comparator::Lt)
            } else if self.eat_punct("<=") {
                Some(Comparator::Le)
            } else if self.eat_punct(">") {
                Some(Comparator::Gt)
            } else if self.eat_punct(">=") {
                Some(Comparator::Ge)
            } else {
                None
            };
            if let Some(op) = op {
                let right = self.additive()?;
                left = Expr::Compare(op, Box::new(left), Box::new(right));
                continue;
            }
            let next_is = |p: &Parser, kw: &str| p.peek_at(1).is_some_and(|t| t.is_keyword(kw));
            let negated =
                self.at_keyword("NOT") && (next_is(self, "BETWEEN") || next_is(self, "LIKE"));
            if negated {
                self.pos += 1;
            }
            if self.eat_keyword("BETWEEN") {
                let low = self.additive()?;
                self.expect_keyword("AND")?;
                let high = self.additive()?;
                let e = Expr::Between(Box::new(left), Box::new(low), Box::new(high));
                left = if negated { Expr::Not(Box::new(e)) } else { e };
                continue;
            }
            if self.eat_keyword("LIKE") {
                // Parsed so DynamoDB's refusal can name it.
                self.additive()?;
                if self.eat_keyword("ESCAPE") {
                    self.additive()?;
                }
                left = Expr::Unsupported("like".to_string());
                continue;
            }
            return Ok(left);
        }
    }

    fn additive(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = ["+", "-", "||"].into_iter().find(|p| self.at_punct(p));
            let Some(op) = op else {
                return Ok(left);
            };
            self.pos += 1;
            let right = self.multiplicative()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.unary()?;
        loop {
            let op = ["*", "/", "%"].into_iter().find(|p| self.at_punct(p));
            let Some(op) = op else {
                return Ok(left);
            };
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, PartiqlError> {
        for op in ["-", "+"] {
            if self.at_punct(op) {
                self.pos += 1;
                if let Some(Token {
                    kind: TokenKind::Number(n),
                    ..
                }) = self.peek().cloned()
                {
                    self.pos += 1;
                    let text = if op == "-" { format!("-{n}") } else { n };
                    return self.postfix(Expr::Literal(Literal::Number(text)));
                }
                self.enter()?;
                let inner = self.unary();
                self.leave();
                return Ok(Expr::Unary(op, Box::new(inner?)));
            }
        }
        let e = self.primary()?;
        self.postfix(e)
    }

    /// Path steps after a primary: `.name`, `['name']`, `[n]`.
    fn postfix(&mut self, mut e: Expr) -> Result<Expr, PartiqlError> {
        loop {
            if self.at_punct(".") {
                self.pos += 1;
                if self.at_punct("*") {
                    return Err(PartiqlError::validation(msg::UNPIVOT_PATH));
                }
                let field = self.name()?;
                e = self.step(e, Step::Field(field))?;
            } else if self.at_punct("[") {
                self.pos += 1;
                let step = match self.next() {
                    Some(Token {
                        kind: TokenKind::Number(n),
                        ..
                    }) => Step::Index(n),
                    Some(t) if t.is_punct("-") => match self.next() {
                        Some(Token {
                            kind: TokenKind::Number(n),
                            ..
                        }) => return Err(msg::list_index_range(&format!("-{n}"))),
                        _ => return Err(PartiqlError::validation(msg::UNEXPECTED_PATH_COMPONENT)),
                    },
                    Some(Token {
                        kind: TokenKind::Str(s),
                        ..
                    }) => Step::Field(s),
                    Some(t) if t.is_punct("*") => {
                        return Err(PartiqlError::validation(msg::WILDCARD_PATH))
                    }
                    Some(_) => {
                        return Err(PartiqlError::validation(msg::UNEXPECTED_PATH_COMPONENT))
                    }
                    None => return Err(PartiqlError::syntax(msg::UNEXPECTED_END)),
                };
                self.expect_punct("]")?;
                e = self.step(e, step)?;
            } else {
                return Ok(e);
            }
        }
    }

    /// Adds a step to a path, or refuses one after anything else.
    fn step(&self, e: Expr, step: Step) -> Result<Expr, PartiqlError> {
        match e {
            Expr::Path(mut p) => {
                p.steps.push(step);
                Ok(Expr::Path(p))
            }
            Expr::List(_) => Err(PartiqlError::validation(msg::PATH_STARTS_WITH_INDEX)),
            _ => Err(PartiqlError::validation(msg::UNEXPECTED_PATH_COMPONENT)),
        }
    }

    fn primary(&mut self) -> Result<Expr, PartiqlError> {
        let Some(t) = self.next() else {
            return Err(PartiqlError::syntax(msg::UNEXPECTED_END));
        };
        match t.kind {
            TokenKind::Str(s) => Ok(Expr::Literal(Literal::String(s))),
            TokenKind::Number(n) => Ok(Expr::Literal(Literal::Number(n))),
            TokenKind::Param => {
                let n = self.params;
                self.params += 1;
                Ok(Expr::Param(n))
            }
            TokenKind::Quoted(q) => Ok(Expr::Path(PathExpr {
                root: q,
                steps: Vec::new(),
            })),
            TokenKind::Word(w) => {
                let lower = w.to_ascii_lowercase();
                match lower.as_str() {
                    "true" => return Ok(Expr::Literal(Literal::Bool(true))),
                    "false" => return Ok(Expr::Literal(Literal::Bool(false))),
                    "null" => return Ok(Expr::Literal(Literal::Null)),
                    "missing" => return Ok(Expr::Literal(Literal::Missing)),
                    _ => {}
                }
                if self.at_punct("(")
                    && (!is_keyword(&w) || FUNCTION_KEYWORDS.contains(&lower.as_str()))
                {
                    self.pos += 1;
                    return self.call(w);
                }
                if is_keyword(&w) {
                    if lower == "select" {
                        return Err(msg::unsupported_token("SELECT"));
                    }
                    return Err(PartiqlError::syntax(msg::UNEXPECTED_KEYWORD));
                }
                Ok(Expr::Path(PathExpr {
                    root: w,
                    steps: Vec::new(),
                }))
            }
            TokenKind::Punct("(") => {
                self.enter()?;
                let r = self.parenthesized();
                self.leave();
                r
            }
            TokenKind::Punct("[") => {
                self.enter()?;
                let r = self.sequence("]").map(Expr::List);
                self.leave();
                r
            }
            TokenKind::Punct("<<") => {
                self.enter()?;
                let r = self.sequence(">>").map(Expr::Bag);
                self.leave();
                r
            }
            TokenKind::Punct("{") => {
                self.enter()?;
                let r = self.tuple();
                self.leave();
                r
            }
            _ => Err(self.unexpected(&t)),
        }
    }

    /// After `(`: a parenthesized expression, or `(a, b)` (a list, as in
    /// `IN (1, 2)`).
    fn parenthesized(&mut self) -> Result<Expr, PartiqlError> {
        if self.at_keyword("SELECT") {
            return Err(msg::unsupported_token("SELECT"));
        }
        let first = self.expr()?;
        if self.eat_punct(")") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_punct(",") {
            items.push(self.expr()?);
        }
        self.expect_punct(")")?;
        Ok(Expr::List(items))
    }

    /// Comma-separated expressions up to `close` (already past the opener).
    fn sequence(&mut self, close: &str) -> Result<Vec<Expr>, PartiqlError> {
        let mut items = Vec::new();
        if self.eat_punct(close) {
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            if self.eat_punct(close) {
                return Ok(items);
            }
            self.expect_punct(",")?;
        }
    }

    fn tuple(&mut self) -> Result<Expr, PartiqlError> {
        let mut pairs = Vec::new();
        if self.eat_punct("}") {
            return Ok(Expr::Tuple(pairs));
        }
        loop {
            let key = self.expr()?;
            self.expect_punct(":")?;
            let value = self.expr()?;
            pairs.push((key, value));
            if self.eat_punct("}") {
                return Ok(Expr::Tuple(pairs));
            }
            self.expect_punct(",")?;
        }
    }

    /// After `name(`: the arguments. `*` is accepted as an argument only so
    /// `COUNT(*)` gets DynamoDB's refusal rather than a syntax error.
    fn call(&mut self, name: String) -> Result<Expr, PartiqlError> {
        self.enter()?;
        let mut args = Vec::new();
        let r = (|| {
            if self.eat_punct(")") {
                return Ok(());
            }
            loop {
                if self.eat_punct("*") {
                    args.push(Expr::Unsupported("*".to_string()));
                } else {
                    args.push(self.expr()?);
                }
                if self.eat_punct(")") {
                    return Ok(());
                }
                self.expect_punct(",")?;
            }
        })();
        self.leave();
        r?;
        Ok(Expr::Call(name, args))
    }
}

/// Whether `t` would be an alias written without `AS` (`FROM t x`, `SELECT
/// a b`): a bare non-keyword name or a quoted name right after the source or
/// projection item.
fn is_alias(t: &Token) -> bool {
    match &t.kind {
        TokenKind::Quoted(_) => true,
        TokenKind::Word(w) => !is_keyword(w),
        _ => false,
    }
}
