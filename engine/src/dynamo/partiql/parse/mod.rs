//! From statement text to a syntax tree: tokens and keywords, the lexer,
//! literals, and the parser. Nothing here knows a table or an item.

pub mod ast;
pub mod keywords;
pub mod lexer;
pub(super) mod literal;
pub mod parser;
pub(super) mod token;
