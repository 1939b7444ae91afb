//! Tokens of the DynamoDB expression language.
//!
//! The lexer never fails: a character that starts no token becomes a one-character
//! [`TokenKind::Invalid`] token, so the parser reports it as DynamoDB does
//! (`Syntax error; token: "!", near: "a !b"`). Whitespace is space, tab, CR and
//! LF (dynalite's grammar, `db/conditionParser.pegjs`); anything else is invalid.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: `[A-Za-z_][A-Za-z0-9_]*`. Attribute names, function names
    /// and keywords (see [`Token::keyword`]).
    Word,
    /// An expression attribute name placeholder, `#` followed by `[A-Za-z0-9_]+`.
    Name,
    /// An expression attribute value placeholder, `:` followed by `[A-Za-z0-9_]+`.
    Value,
    /// A run of decimal digits (only valid as a list index, `a[3]`).
    Number,
    /// `.`
    Dot,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
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
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// Any other single character, including a lone `#` or `:`.
    Invalid,
}

/// Reserved grammar words, matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT`
    Not,
    /// `BETWEEN`
    Between,
    /// `IN`
    In,
    /// `SET` (update clause)
    Set,
    /// `REMOVE` (update clause)
    Remove,
    /// `ADD` (update clause)
    Add,
    /// `DELETE` (update clause)
    Delete,
}

/// One token with its byte span in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What the token is.
    pub kind: TokenKind,
    /// The token's text, a slice of the source.
    pub text: &'a str,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

impl Token<'_> {
    /// The keyword this word spells, ignoring case; `None` for anything else.
    pub fn keyword(&self) -> Option<Keyword> {
        if self.kind != TokenKind::Word {
            return None;
        }
        const WORDS: [(&str, Keyword); 9] = [
            ("AND", Keyword::And),
            ("OR", Keyword::Or),
            ("NOT", Keyword::Not),
            ("BETWEEN", Keyword::Between),
            ("IN", Keyword::In),
            ("SET", Keyword::Set),
            ("REMOVE", Keyword::Remove),
            ("ADD", Keyword::Add),
            ("DELETE", Keyword::Delete),
        ];
        WORDS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(self.text))
            .map(|&(_, k)| k)
    }
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Splits `src` into tokens, skipping whitespace.
pub fn lex(src: &str) -> Vec<Token<'_>> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
            continue;
        }
        let start = i;
        let run = |from: usize, pred: fn(u8) -> bool| {
            let mut j = from;
            while bytes.get(j).is_some_and(|&b| pred(b)) {
                j += 1;
            }
            j
        };
        let (kind, end) = match b {
            b'#' | b':' => {
                let j = run(i + 1, is_word_part);
                match (j > i + 1, b) {
                    (true, b'#') => (TokenKind::Name, j),
                    (true, _) => (TokenKind::Value, j),
                    (false, _) => (TokenKind::Invalid, i + 1),
                }
            }
            _ if is_word_start(b) => (TokenKind::Word, run(i, is_word_part)),
            _ if b.is_ascii_digit() => (TokenKind::Number, run(i, |c| c.is_ascii_digit())),
            b'.' => (TokenKind::Dot, i + 1),
            b'[' => (TokenKind::LBracket, i + 1),
            b']' => (TokenKind::RBracket, i + 1),
            b'(' => (TokenKind::LParen, i + 1),
            b')' => (TokenKind::RParen, i + 1),
            b',' => (TokenKind::Comma, i + 1),
            b'=' => (TokenKind::Eq, i + 1),
            b'+' => (TokenKind::Plus, i + 1),
            b'-' => (TokenKind::Minus, i + 1),
            b'<' => match bytes.get(i + 1) {
                Some(b'>') => (TokenKind::Ne, i + 2),
                Some(b'=') => (TokenKind::Le, i + 2),
                _ => (TokenKind::Lt, i + 1),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Ge, i + 2),
                _ => (TokenKind::Gt, i + 1),
            },
            _ => {
                // One whole UTF-8 character.
                let len = src[i..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Invalid, i + len)
            }
        };
        out.push(Token {
            kind,
            text: &src[start..end],
            start,
            end,
        });
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn lexes_every_token_kind() {
        use TokenKind::*;
        assert_eq!(
            kinds("a.b[3] #n :v <> <= >= < > = + - ( ) , ! # :"),
            vec![
                (Word, "a"),
                (Dot, "."),
                (Word, "b"),
                (LBracket, "["),
                (Number, "3"),
                (RBracket, "]"),
                (Name, "#n"),
                (Value, ":v"),
                (Ne, "<>"),
                (Le, "<="),
                (Ge, ">="),
                (Lt, "<"),
                (Gt, ">"),
                (Eq, "="),
                (Plus, "+"),
                (Minus, "-"),
                (LParen, "("),
                (RParen, ")"),
                (Comma, ","),
                (Invalid, "!"),
                (Invalid, "#"),
                (Invalid, ":"),
            ]
        );
    }

    #[test]
    fn keywords_ignore_case() {
        let toks = lex("and Or NOT between iN set Remove add DELETE android");
        let kws: Vec<_> = toks.iter().map(Token::keyword).collect();
        assert_eq!(kws[0], Some(Keyword::And));
        assert_eq!(kws[1], Some(Keyword::Or));
        assert_eq!(kws[4], Some(Keyword::In));
        assert_eq!(kws[8], Some(Keyword::Delete));
        assert_eq!(kws[9], None);
    }

    #[test]
    fn non_ascii_is_one_invalid_token() {
        assert_eq!(kinds("é"), vec![(TokenKind::Invalid, "é")]);
    }
}
