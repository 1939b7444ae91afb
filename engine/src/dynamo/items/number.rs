//! DynamoDB's number type: an exact decimal of at most 38 significant digits.
//!
//! Facts this file honours (Developer Guide, `HowItWorks.NamingRulesDataTypes`,
//! "Number"): up to 38 digits of precision; positive range 1E-130 to
//! 9.9999999999999999999999999999999999999E+125, negative range the mirror
//! image, and 0; leading and trailing zeroes are trimmed; numbers travel as
//! strings. So a number is `±coefficient × 10^exponent` with a coefficient
//! below 10^38 — which fits a `u128` — and the exponent of its leading digit
//! (the *adjusted exponent*) between -130 and 125.
//!
//! Error messages are DynamoDB's. Their sources: the validation tests of
//! dynalite (`mhart/dynalite`, written against the real service), which
//! expect, for `N` values, "The parameter cannot be converted to a numeric
//! value: b", "Attempting to store more than 38 significant digits in a
//! Number", "Number overflow. Attempting to store a number with magnitude
//! larger than supported range" and "Number underflow. Attempting to store a
//! number with magnitude smaller than supported range"; the overflow message
//! also appears in the API reference (`UpdateItem`, ValidationException).
//!
//! Text form: DynamoDB returns numbers normalized and in plain notation, never
//! with an exponent — `1e100` comes back as `1` followed by 100 zeros
//! (boto/boto3#2500), and `1.00000000000000007629769841092E+50` as
//! `100000000000000007629769841092000000000000000000000` (boto/boto3#4636).
//! [`Number`]'s `Display` does the same; small magnitudes print as
//! `0.000…1`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Most significant digits a number may have.
pub const MAX_DIGITS: u32 = 38;
/// Largest allowed exponent of the leading digit (`9.99…E+125`).
pub const MAX_ADJUSTED_EXPONENT: i32 = 125;
/// Smallest allowed exponent of the leading digit (`1E-130`).
pub const MIN_ADJUSTED_EXPONENT: i32 = -130;

/// `POW10[i] = 10^i` for `i` in `0..=38`; `10^38 < u128::MAX < 10^39`.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: a bad index fails the build"
)]
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Number of decimal digits of `c` (1 for 0).
fn digit_count(c: u128) -> u32 {
    let mut n = 1;
    while POW10.get(n as usize).is_some_and(|&p| c >= p) {
        n += 1;
    }
    n
}

/// Why a string or a computation is not a DynamoDB number.
///
/// `Display` gives DynamoDB's message for each case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// The text is not a decimal number (empty, `NaN`, `Infinity`, spaces,
    /// hex, ...). Carries the offending text.
    Invalid(String),
    /// More than 38 significant digits were given.
    TooManyDigits,
    /// The magnitude is 1E+126 or more.
    Overflow,
    /// The magnitude is below 1E-130 (and not zero).
    Underflow,
    /// An addition or subtraction whose exact result needs more than 38
    /// significant digits. DynamoDB does not round: it fails the request.
    ///
    /// DynamoDB reports this with its *overflow* message — Scylla's
    /// compatibility test `test_update_expression_plus_imprecise`
    /// (`test/alternator/test_number.py`) records that `1e50 - 1` and
    /// `1e50 + 1` fail with "Number overflow. Attempting to store a number
    /// with magnitude larger than supported range". We keep a separate
    /// variant so callers can tell the cases apart, and print the same
    /// message. Not confirmed for results with small exponents (e.g.
    /// `1 + 1e-130`); we assume the same message.
    Imprecise,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Invalid(s) if s.is_empty() => {
                f.write_str("The parameter cannot be converted to a numeric value")
            }
            NumberError::Invalid(s) => {
                write!(f, "The parameter cannot be converted to a numeric value: {s}")
            }
            NumberError::TooManyDigits => {
                f.write_str("Attempting to store more than 38 significant digits in a Number")
            }
            NumberError::Overflow | NumberError::Imprecise => f.write_str(
                "Number overflow. Attempting to store a number with magnitude larger than supported range",
            ),
            NumberError::Underflow => f.write_str(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range",
            ),
        }
    }
}

impl std::error::Error for NumberError {}

/// An exact decimal number within DynamoDB's limits.
///
/// The value is `(-1)^negative × coefficient × 10^exponent`. Always
/// normalized: the coefficient has no trailing zero digit (so one value has
/// one representation) and zero is `{negative: false, coefficient: 0,
/// exponent: 0}`. Hence the derived `Eq`/`Hash` are numeric equality; `Ord`
/// is numeric order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    coefficient: u128,
    exponent: i32,
}

impl Number {
    /// The number 0.
    pub const ZERO: Number = Number {
        negative: false,
        coefficient: 0,
        exponent: 0,
    };

    /// Parses DynamoDB's text form of a number.
    ///
    /// Grammar (what DynamoDB accepts, per Scylla's `test_invalid_numbers`,
    /// which checked `3`, `-7.1234`, `-17e5`, `-17.4E37`, `+3`, `.123`,
    /// `0001.23`, `1e+5`, `0e1000` are accepted and `NaN`, `Infinity`, `dog`,
    /// `" 1"`, `"1 "` rejected):
    ///
    /// ```text
    /// [+-]? ( digits ( "." digits? )? | "." digits ) ( [eE] [+-]? digits )?
    /// ```
    ///
    /// Leading and trailing zeros are not significant. Checks, in dynalite's
    /// order: overflow, underflow, then more than 38 significant digits.
    pub fn parse(s: &str) -> Result<Number, NumberError> {
        let invalid = || NumberError::Invalid(s.to_string());
        let b = s.as_bytes();
        let mut i = 0;
        let negative = match b.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };
        let int_start = i;
        let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        while digit_at(i) {
            i += 1;
        }
        let int_digits = b.get(int_start..i).unwrap_or_default();
        let mut frac_digits: &[u8] = &[];
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while digit_at(i) {
                i += 1;
            }
            frac_digits = b.get(frac_start..i).unwrap_or_default();
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(invalid());
        }
        // The exponent saturates: any |exponent| past this bound is out of
        // range whatever the digits, and saturating keeps the arithmetic
        // below in i64 without overflow.
        const EXP_CAP: i64 = 1 << 40;
        let mut exp: i64 = 0;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exp_negative = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_start = i;
            while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                exp = (exp * 10 + i64::from(d - b'0')).min(EXP_CAP);
                i += 1;
            }
            if i == exp_start {
                return Err(invalid());
            }
            if exp_negative {
                exp = -exp;
            }
        }
        if i != b.len() {
            return Err(invalid());
        }

        // All mantissa digits, integer part then fraction; value =
        // digits × 10^(exp - frac_len).
        let all = || int_digits.iter().chain(frac_digits.iter()).copied();
        let total = int_digits.len() + frac_digits.len();
        let Some(first) = all().position(|d| d != b'0') else {
            return Ok(Number::ZERO);
        };
        let trailing_zeros = all().rev().take_while(|&d| d == b'0').count();
        let last = total - 1 - trailing_zeros;
        let significant = (last - first + 1) as i64;
        // Exponent of the last significant digit.
        let low_exp = exp
            .saturating_sub(frac_digits.len() as i64)
            .saturating_add((total - 1 - last) as i64);
        let adjusted = low_exp.saturating_add(significant - 1);
        if adjusted > i64::from(MAX_ADJUSTED_EXPONENT) {
            return Err(NumberError::Overflow);
        }
        if adjusted < i64::from(MIN_ADJUSTED_EXPONENT) {
            return Err(NumberError::Underflow);
        }
        if significant > i64::from(MAX_DIGITS) {
            return Err(NumberError::TooManyDigits);
        }
        let significant = usize::try_from(significant).map_err(|_| NumberError::TooManyDigits)?;
        let coefficient = all()
            .skip(first)
            .take(significant)
            .fold(0u128, |c, d| c * 10 + u128::from(d - b'0'));
        Ok(Number {
            negative,
            coefficient,
            // In range: -167 <= low_exp <= 125.
            exponent: i32::try_from(low_exp).map_err(|_| NumberError::Overflow)?,
        })
    }

    /// Builds `(-1)^negative × coefficient × 10^exponent`, normalizing it and
    /// checking DynamoDB's limits (range first, then digits).
    pub fn from_parts(
        negative: bool,
        coefficient: u128,
        exponent: i32,
    ) -> Result<Number, NumberError> {
        if coefficient == 0 {
            return Ok(Number::ZERO);
        }
        let mut c = coefficient;
        let mut e = i64::from(exponent);
        while c.is_multiple_of(10) {
            c /= 10;
            e += 1;
        }
        let digits = digit_count(c);
        let adjusted = e + i64::from(digits) - 1;
        if adjusted > i64::from(MAX_ADJUSTED_EXPONENT) {
            return Err(NumberError::Overflow);
        }
        if adjusted < i64::from(MIN_ADJUSTED_EXPONENT) {
            return Err(NumberError::Underflow);
        }
        if digits > MAX_DIGITS {
            return Err(NumberError::TooManyDigits);
        }
        Ok(Number {
            negative,
            coefficient: c,
            exponent: i32::try_from(e).map_err(|_| NumberError::Overflow)?,
        })
    }

    /// True for 0.
    pub fn is_zero(&self) -> bool {
        self.coefficient == 0
    }

    /// True for numbers below 0.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The significant digits as an integer (no trailing zeros; 0 for zero).
    pub fn coefficient(&self) -> u128 {
        self.coefficient
    }

    /// The power of ten of the last significant digit.
    pub fn exponent(&self) -> i32 {
        self.exponent
    }

    /// Number of significant digits (1 for zero).
    pub fn digits(&self) -> u32 {
        digit_count(self.coefficient)
    }

    /// The power of ten of the leading digit: `1.5` → 0, `150` → 2,
    /// `0.015` → -2. Between -130 and 125; 0 for zero.
    pub fn adjusted_exponent(&self) -> i32 {
        if self.is_zero() {
            0
        } else {
            self.exponent + self.digits() as i32 - 1
        }
    }

    /// The number with its sign flipped (0 stays 0).
    pub fn negated(&self) -> Number {
        Number {
            negative: !self.negative && !self.is_zero(),
            ..*self
        }
    }

    /// The absolute value.
    pub fn abs(&self) -> Number {
        Number {
            negative: false,
            ..*self
        }
    }

    /// Exact `self + other`, or DynamoDB's error if the result leaves the
    /// range or needs more than 38 significant digits (never rounded).
    pub fn checked_add(&self, other: &Number) -> Result<Number, NumberError> {
        if self.is_zero() {
            return Ok(*other);
        }
        if other.is_zero() {
            return Ok(*self);
        }
        let (hi, lo) = if self.exponent >= other.exponent {
            (self, other)
        } else {
            (other, self)
        };
        // Result = (hi.c × 10^d ± lo.c) × 10^lo.exponent. lo.c ends in a
        // nonzero digit, so for d >= 1 the sum does too: no trailing zero to
        // drop, and its digit count is what it is. If d > 38, or hi.c × 10^d
        // (or the sum) does not fit u128 (> 3.4e38), the result has at least
        // 39 digits: imprecise.
        let d = usize::try_from(i64::from(hi.exponent) - i64::from(lo.exponent));
        let scaled = d
            .ok()
            .and_then(|d| POW10.get(d))
            .and_then(|p| hi.coefficient.checked_mul(*p))
            .ok_or(NumberError::Imprecise)?;
        let (negative, magnitude) = if hi.negative == lo.negative {
            let sum = scaled
                .checked_add(lo.coefficient)
                .ok_or(NumberError::Imprecise)?;
            (hi.negative, sum)
        } else if scaled >= lo.coefficient {
            (hi.negative, scaled - lo.coefficient)
        } else {
            (lo.negative, lo.coefficient - scaled)
        };
        Number::from_parts(negative, magnitude, lo.exponent).map_err(|e| match e {
            NumberError::TooManyDigits => NumberError::Imprecise,
            e => e,
        })
    }

    /// Exact `self - other`; errors as [`Number::checked_add`].
    pub fn checked_sub(&self, other: &Number) -> Result<Number, NumberError> {
        self.checked_add(&other.negated())
    }

    /// Compares absolute values.
    fn cmp_magnitude(&self, other: &Number) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        self.adjusted_exponent()
            .cmp(&other.adjusted_exponent())
            .then_with(|| {
                // Same leading position: pad the shorter coefficient with
                // zeros to the same digit count (<= 38, fits u128).
                let (da, db) = (self.digits(), other.digits());
                let pad = |c: u128, by: u32| POW10.get(by as usize).map(|p| c * p);
                pad(self.coefficient, db.saturating_sub(da))
                    .cmp(&pad(other.coefficient, da.saturating_sub(db)))
            })
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let class = |n: &Number| match (n.negative, n.is_zero()) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        };
        class(self)
            .cmp(&class(other))
            .then_with(|| match self.negative {
                true => other.cmp_magnitude(self),
                false => self.cmp_magnitude(other),
            })
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    /// Canonical plain notation, as DynamoDB returns numbers: `1.5`, `100`,
    /// `-0.001`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut buf = Digits {
            buf: [0; 39],
            len: 0,
        };
        // Writing a u128 into 39 bytes cannot fail.
        fmt::write(&mut buf, format_args!("{}", self.coefficient))?;
        let digits = buf.as_str();
        if self.negative {
            f.write_str("-")?;
        }
        if self.exponent >= 0 {
            f.write_str(digits)?;
            write_zeros(f, self.exponent.unsigned_abs() as usize)
        } else {
            let frac = self.exponent.unsigned_abs() as usize;
            match digits.len().checked_sub(frac).filter(|&i| i > 0) {
                Some(int_len) => {
                    let (int_part, frac_part) = digits.split_at(int_len);
                    f.write_str(int_part)?;
                    f.write_str(".")?;
                    f.write_str(frac_part)
                }
                None => {
                    f.write_str("0.")?;
                    write_zeros(f, frac - digits.len())?;
                    f.write_str(digits)
                }
            }
        }
    }
}

/// The decimal digits of a coefficient, written on the stack (a `u128` has
/// at most 39).
struct Digits {
    buf: [u8; 39],
    len: usize,
}

impl Digits {
    fn as_str(&self) -> &str {
        // Only ASCII digits are written.
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes `n` zeros.
fn write_zeros(f: &mut fmt::Formatter<'_>, mut n: usize) -> fmt::Result {
    const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    while n > 0 {
        let k = n.min(ZEROS.len());
        f.write_str(&ZEROS[..k])?;
        n -= k;
    }
    Ok(())
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl FromStr for Number {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Number, NumberError> {
        Number::parse(s)
    }
}

impl From<i64> for Number {
    /// Every `i64` has at most 19 digits, so this cannot fail.
    fn from(v: i64) -> Number {
        Number::from_parts(v < 0, u128::from(v.unsigned_abs()), 0).unwrap_or(Number::ZERO)
    }
}

impl From<u64> for Number {
    /// Every `u64` has at most 20 digits, so this cannot fail.
    fn from(v: u64) -> Number {
        Number::from_parts(false, u128::from(v), 0).unwrap_or(Number::ZERO)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dynamo::testutil::number;
    use proptest::prelude::*;

    #[test]
    fn parses_what_dynamodb_accepts() {
        for (input, canonical) in [
            ("3", "3"),
            ("-7.1234", "-7.1234"),
            ("-17e5", "-1700000"),
            ("-17.4E37", "-174000000000000000000000000000000000000"),
            ("+3", "3"),
            (".123", "0.123"),
            ("0001.23", "1.23"),
            ("1e+5", "100000"),
            ("0e1000", "0"),
            ("1.50", "1.5"),
            ("0.0", "0"),
            ("1e2", "100"),
            ("-0", "0"),
            ("-0.000", "0"),
            ("5.", "5"),
            ("100", "100"),
            ("0.00100", "0.001"),
            ("12.34e-1", "1.234"),
            ("1E-130", &format!("0.{}1", "0".repeat(129))),
            ("1e125", &format!("1{}", "0".repeat(125))),
        ] {
            assert_eq!(number(input).to_string(), canonical, "{input}");
        }
        assert_eq!(number("-0"), Number::ZERO);
        assert!(!number("-0").is_negative());
    }

    #[test]
    fn rejects_what_dynamodb_rejects() {
        for bad in [
            "",
            "NaN",
            "Infinity",
            "-Infinity",
            "-NaN",
            "dog",
            "-dog",
            " 1",
            "1 ",
            "0x10",
            ".",
            "e5",
            "1e",
            "1e+",
            "--1",
            "+-1",
            "1.2.3",
            "1,5",
            "١",
        ] {
            assert_eq!(
                Number::parse(bad),
                Err(NumberError::Invalid(bad.to_string())),
                "{bad:?}"
            );
        }
        assert_eq!(
            Number::parse("b").map_err(|e| e.to_string()),
            Err("The parameter cannot be converted to a numeric value: b".to_string())
        );
    }

    #[test]
    fn limits_and_messages() {
        // dynalite's cases.
        let digits39 = "123456789012345678901234567890123456789";
        assert_eq!(Number::parse(digits39), Err(NumberError::TooManyDigits));
        assert_eq!(
            Number::parse("-1.23456789012345678901234567890123456789"),
            Err(NumberError::TooManyDigits)
        );
        assert_eq!(
            NumberError::TooManyDigits.to_string(),
            "Attempting to store more than 38 significant digits in a Number"
        );
        for s in ["1e126", "-1e126", "11e125", "1e999999999999999999999"] {
            assert_eq!(Number::parse(s), Err(NumberError::Overflow), "{s}");
        }
        for s in ["1e-131", "-1e-131", "0.9e-130", "1e-999999999999999999999"] {
            assert_eq!(Number::parse(s), Err(NumberError::Underflow), "{s}");
        }
        assert_eq!(
            NumberError::Overflow.to_string(),
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        );
        assert_eq!(
            NumberError::Underflow.to_string(),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        );
        // Boundaries and Scylla's allowed values.
        for s in [
            "9.9999999999999999999999999999999999999E+125",
            "-9.9999999999999999999999999999999999999E+125",
            "1E-130",
            "-1E-130",
            "9.99999999e125",
            "3.1415926535897932384626433832795028841",
            "314159265358979323846.26433832795028841",
            "31415926535897932384626433832795028841e30",
            "1.000000000000000000000000000000000000000000000000",
            "0.00000000000000000000000000000000000000000000000000000001",
        ] {
            assert!(Number::parse(s).is_ok(), "{s}");
        }
        // 38 digits but the last one below 1E-130 is fine: only the leading
        // digit's exponent is limited.
        assert!(Number::parse("1.2345678901234567890123456789012345678E-130").is_ok());
    }

    #[test]
    fn arithmetic_is_exact_or_fails() {
        assert_eq!(
            number("1").checked_add(&number("10000000000000000000000")),
            Ok(number("10000000000000000000001"))
        );
        assert_eq!(
            number("10000000000000000000000").checked_sub(&number("1")),
            Ok(number("9999999999999999999999"))
        );
        assert_eq!(number("0.1").checked_add(&number("0.2")), Ok(number("0.3")));
        assert_eq!(number("1.5").checked_sub(&number("1.5")), Ok(Number::ZERO));
        assert_eq!(number("15").checked_add(&number("25")), Ok(number("40")));
        // Scylla's test_update_expression_plus_overflow / _imprecise.
        assert_eq!(
            number("9e125").checked_add(&number("9e125")),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            number("9e125").checked_sub(&number("-9e125")),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            number("1e50").checked_sub(&number("1")),
            Err(NumberError::Imprecise)
        );
        assert_eq!(
            number("1e50").checked_add(&number("1")),
            Err(NumberError::Imprecise)
        );
        assert_eq!(
            NumberError::Imprecise.to_string(),
            NumberError::Overflow.to_string()
        );
        assert_eq!(
            number("1.1e-130").checked_sub(&number("1e-130")),
            Err(NumberError::Underflow)
        );
        let max = number("9.9999999999999999999999999999999999999E+125");
        assert_eq!(max.checked_add(&number("1e88")), Err(NumberError::Overflow));
        assert_eq!(
            max.checked_add(&number("1e87")),
            Err(NumberError::Imprecise)
        );
        assert_eq!(max.checked_sub(&max), Ok(Number::ZERO));
        assert_eq!(
            number("99999999999999999999999999999999999999").checked_add(&number("1")),
            Ok(number("1e38"))
        );
    }

    #[test]
    fn order_is_numeric() {
        let sorted = [
            "-1e125", "-100", "-1.5", "-1", "-0.5", "-1e-130", "0", "1e-130", "0.5", "1", "1.05",
            "1.5", "10", "100", "1e125",
        ];
        for w in sorted.windows(2) {
            assert!(number(w[0]) < number(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(number("1.50"), number("1.5"));
        assert_eq!(number("1e2").cmp(&number("100")), Ordering::Equal);
    }

    /// Any valid number, with digit counts spread over 1..=38.
    pub(crate) fn arb_number() -> impl Strategy<Value = Number> {
        (
            any::<bool>(),
            1u32..=38,
            any::<u128>(),
            MIN_ADJUSTED_EXPONENT..=MAX_ADJUSTED_EXPONENT,
            0u8..10,
        )
            .prop_map(|(neg, digits, raw, adjusted, zero_roll)| {
                if zero_roll == 0 {
                    return Number::ZERO;
                }
                let lo = POW10[digits as usize - 1];
                let c = lo + raw % (POW10[digits as usize] - lo);
                Number::from_parts(neg, c, adjusted - digits as i32 + 1)
                    .expect("constructed in range")
            })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(x in arb_number()) {
            let s = x.to_string();
            prop_assert_eq!(Number::parse(&s), Ok(x));
        }

        #[test]
        fn integer_arithmetic_matches_i128(a in -(10i128.pow(30))..10i128.pow(30), b in -(10i128.pow(30))..10i128.pow(30)) {
            let (na, nb) = (number(a.to_string()), number(b.to_string()));
            prop_assert_eq!(na.checked_add(&nb), Ok(number((a + b).to_string())));
            prop_assert_eq!(na.checked_sub(&nb), Ok(number((a - b).to_string())));
            prop_assert_eq!(na.cmp(&nb), a.cmp(&b));
        }

        #[test]
        fn small_scale_decimals_match_scaled_integers(a in -10i64.pow(15)..10i64.pow(15), b in -10i64.pow(15)..10i64.pow(15), sa in 0u32..10, sb in 0u32..10) {
            // a / 10^sa + b / 10^sb computed exactly at scale 10^(sa+sb).
            let to_n = |v: i64, s: u32| Number::from_parts(v < 0, u128::from(v.unsigned_abs()), -(s as i32)).expect("in range");
            let (na, nb) = (to_n(a, sa), to_n(b, sb));
            let scale = sa.max(sb);
            let ia = i128::from(a) * 10i128.pow(scale - sa);
            let ib = i128::from(b) * 10i128.pow(scale - sb);
            let exact = |v: i128| Number::from_parts(v < 0, v.unsigned_abs(), -(scale as i32)).expect("in range");
            prop_assert_eq!(na.checked_add(&nb), Ok(exact(ia + ib)));
            prop_assert_eq!(na.checked_sub(&nb), Ok(exact(ia - ib)));
            prop_assert_eq!(na.cmp(&nb), ia.cmp(&ib));
        }

        #[test]
        fn parse_never_panics_and_is_canonical(
            s in prop_oneof![
                ".{0,20}",
                "[-+]?[0-9]{0,45}(\\.[0-9]{0,45})?([eE][-+]?[0-9]{1,4})?",
            ]
        ) {
            if let Ok(x) = Number::parse(&s) {
                prop_assert_eq!(Number::parse(&x.to_string()), Ok(x));
            }
        }

        #[test]
        fn add_commutes_and_sub_inverts(a in arb_number(), b in arb_number()) {
            prop_assert_eq!(a.checked_add(&b), b.checked_add(&a));
            if let Ok(sum) = a.checked_add(&b) {
                prop_assert_eq!(sum.checked_sub(&b), Ok(a));
            }
            prop_assert_eq!(a.checked_sub(&a), Ok(Number::ZERO));
        }

        #[test]
        fn order_agrees_with_f64(a in arb_number(), b in arb_number()) {
            let fa: f64 = a.to_string().parse().expect("display is f64-parsable");
            let fb: f64 = b.to_string().parse().expect("display is f64-parsable");
            // f64 keeps ~15 digits; only compare where it is decisive.
            if fa != fb && (fa - fb).abs() > (fa.abs().max(fb.abs())) * 1e-12 {
                prop_assert_eq!(a.cmp(&b), fa.partial_cmp(&fb).expect("finite"));
            }
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
        }
    }
}
