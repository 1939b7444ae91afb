//! The proleptic Gregorian calendar in UTC, written once for every date the
//! database prints or parses (stream labels, Java-style dates in Streams
//! messages, the server's SigV4 timestamps): Howard Hinnant's
//! `days_from_civil` and `civil_from_days`.

/// Days since 1970-01-01 of the date `y`-`m`-`d` (month 1–12, day 1–31;
/// out-of-range fields roll over arithmetically, they are not checked).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month 1–12, day 1–31) `days` days after 1970-01-01.
/// Inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Calendar fields of `millis` since the epoch (UTC): year, month, day,
/// hour, minute, second, millisecond.
pub(crate) fn civil(millis: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let (y, m, d) = civil_from_days(millis.div_euclid(86_400_000));
    let in_day = millis.rem_euclid(86_400_000);
    let secs = in_day / 1000;
    // Month, day and the time fields are small and non-negative.
    let small = |v: i64| u32::try_from(v).unwrap_or(0);
    (
        y,
        small(m),
        small(d),
        small(secs / 3600),
        small(secs / 60 % 60),
        small(secs % 60),
        small(in_day % 1000),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil(1_700_000_000_123), (2023, 11, 14, 22, 13, 20, 123));
        assert_eq!(civil(-1), (1969, 12, 31, 23, 59, 59, 999));
    }

    #[test]
    fn days_round_trip_across_four_centuries() {
        for days in (-200_000..200_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
