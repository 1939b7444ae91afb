//! Splits a PartiQL statement into tokens.
//!
//! DynamoDB's PartiQL lexer (Developer Guide, `ql-reference.data-types`, and
//! what DynamoDB Local 3.x accepts, recorded by the dbimp project's
//! `DYNAMODB.md`): strings in single quotes with `''` for a quote inside;
//! identifiers bare (letters, digits, `_`, `$`, not starting with a digit)
//! or in double quotes with `""` for a quote inside; numbers `1`, `1.5`,
//! `1e0`; `?` parameters; `<<` and `>>` around bags (sets); comments `--` to
//! the end of the line and `/* ... */`; keywords in any case.
//!
//! Every token keeps its 1-based line and column: DynamoDB reports some
//! rejections with a position (`Unexpected path component at 1:8:5`).

use super::super::error::PartiqlError;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare identifier or keyword, as written.
    Word(String),
    /// A double-quoted identifier, unescaped.
    Quoted(String),
    /// A single-quoted string literal, unescaped.
    Str(String),
    /// A number literal, as written.
    Number(String),
    /// `?`.
    Param,
    /// An operator or punctuation mark: `( ) [ ] { } , . : ; * = <> != < <=
    /// > >= + - / % || << >>`.
    Punct(&'static str),
}

/// One token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub kind: TokenKind,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// Length in characters, as written.
    pub len: usize,
}

impl Token {
    /// Whether this is the keyword `kw` (given in upper case).
    pub fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    /// Whether this is the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(&self.kind, TokenKind::Punct(q) if *q == p)
    }
}

/// Punctuation, longest first so `<=` wins over `<`.
const PUNCT: &[&str] = &[
    "<<", ">>", "<>", "!=", "<=", ">=", "||", "(", ")", "[", "]", "{", "}", ",", ".", ":", ";",
    "*", "=", "<", ">", "+", "-", "/", "%",
];

/// Tokenizes `src`.
///
/// Errors (DynamoDB's detail wording was not recorded for these; they are
/// written in the style of its recorded ones): an unterminated string or
/// quoted identifier, an unterminated comment, a character no token starts
/// with.
pub fn lex(src: &str) -> Result<Vec<Token>, PartiqlError> {
    let chars: Vec<char> = src.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let (mut line, mut col) = (1usize, 1usize);
    // Advances over `n` characters, tracking the position.
    let advance = |i: &mut usize, line: &mut usize, col: &mut usize, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *col = 1;
            } else {
                *col += 1;
            }
            *i += 1;
        }
    };
    while let Some(&c) = chars.get(i) {
        let (start_line, start_col, start) = (line, col, i);
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut col, 1);
            continue;
        }
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                advance(&mut i, &mut line, &mut col, 1);
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            advance(&mut i, &mut line, &mut col, 2);
            loop {
                match chars.get(i) {
                    None => return Err(PartiqlError::syntax("Unterminated comment")),
                    Some('*') if chars.get(i + 1) == Some(&'/') => {
                        advance(&mut i, &mut line, &mut col, 2);
                        break;
                    }
                    Some(_) => advance(&mut i, &mut line, &mut col, 1),
                }
            }
            continue;
        }
        let kind = if c == '\'' || c == '"' {
            advance(&mut i, &mut line, &mut col, 1);
            let mut text = String::new();
            loop {
                match chars.get(i) {
                    None if c == '\'' => {
                        return Err(PartiqlError::syntax("Unterminated string literal"))
                    }
                    None => return Err(PartiqlError::syntax("Unterminated quoted identifier")),
                    Some(&q) if q == c => {
                        if chars.get(i + 1) == Some(&c) {
                            text.push(c);
                            advance(&mut i, &mut line, &mut col, 2);
                        } else {
                            advance(&mut i, &mut line, &mut col, 1);
                            break;
                        }
                    }
                    Some(&other) => {
                        text.push(other);
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                }
            }
            if c == '\'' {
                TokenKind::Str(text)
            } else {
                TokenKind::Quoted(text)
            }
        } else if c.is_ascii_digit() {
            let mut text = String::new();
            while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                text.push(d);
                advance(&mut i, &mut line, &mut col, 1);
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                text.push('.');
                advance(&mut i, &mut line, &mut col, 1);
                while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                    text.push(d);
                    advance(&mut i, &mut line, &mut col, 1);
                }
            }
            if matches!(chars.get(i), Some('e' | 'E')) {
                let sign = matches!(chars.get(i + 1), Some('+' | '-'));
                let digit_at = if sign { i + 2 } else { i + 1 };
                if chars.get(digit_at).is_some_and(char::is_ascii_digit) {
                    let n = digit_at - i;
                    text.extend(chars.iter().skip(i).take(n));
                    advance(&mut i, &mut line, &mut col, n);
                    while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                        text.push(d);
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                }
            }
            TokenKind::Number(text)
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let mut text = String::new();
            while let Some(&d) = chars
                .get(i)
                .filter(|d| d.is_alphanumeric() || **d == '_' || **d == '$')
            {
                text.push(d);
                advance(&mut i, &mut line, &mut col, 1);
            }
            TokenKind::Word(text)
        } else if c == '?' {
            advance(&mut i, &mut line, &mut col, 1);
            TokenKind::Param
        } else if let Some(p) = PUNCT.iter().find(|p| {
            p.chars()
                .enumerate()
                .all(|(k, pc)| chars.get(i + k) == Some(&pc))
        }) {
            advance(&mut i, &mut line, &mut col, p.chars().count());
            TokenKind::Punct(p)
        } else {
            return Err(PartiqlError::syntax(format!(
                "Unexpected character '{c}' at {start_line}:{start_col}"
            )));
        };
        tokens.push(Token {
            kind,
            line: start_line,
            col: start_col,
            len: i - start,
        });
    }
    Ok(tokens)
}
