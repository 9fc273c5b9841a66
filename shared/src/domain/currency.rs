//! The store's currency: an ISO 4217 code that Stripe can charge in, lower-case as Stripe
//! writes it, and how many decimals its minor unit has (amounts are always in minor units).

/// Stripe's presentment currencies (its "Supported currencies" page), sorted.
const STRIPE: [&str; 139] = [
    "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt",
    "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb",
    "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg",
    "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf", "krw",
    "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk",
    "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr",
    "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub",
    "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb",
    "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "usd", "uyu", "uzs", "vnd",
    "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
];

/// Currencies whose minor unit is the unit itself (Stripe's zero-decimal currencies).
const ZERO_DECIMAL: [&str; 16] = [
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Currencies with three decimals.
const THREE_DECIMAL: [&str; 5] = ["bhd", "jod", "kwd", "omr", "tnd"];

/// `code` as Stripe writes it (lower-case), if it is a currency Stripe charges in.
pub fn parse(code: &str) -> Option<&'static str> {
    let lower = code.trim().to_ascii_lowercase();
    STRIPE
        .binary_search(&lower.as_str())
        .ok()
        .map(|i| STRIPE[i])
}

/// Every code, lower-case.
pub fn codes() -> &'static [&'static str] {
    &STRIPE
}

/// How many decimals the minor unit of `code` has (2 for most).
pub fn decimals(code: &str) -> u32 {
    let lower = code.to_ascii_lowercase();
    if ZERO_DECIMAL.contains(&lower.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&lower.as_str()) {
        3
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_holds_the_special_ones() {
        assert!(STRIPE.windows(2).all(|w| w[0] < w[1]));
        for c in ZERO_DECIMAL.iter().chain(&THREE_DECIMAL) {
            assert!(parse(c).is_some(), "{c}");
        }
    }

    #[test]
    fn stripe_currencies_pass_in_any_case_made_up_ones_do_not() {
        assert_eq!(parse("gbp"), Some("gbp"));
        assert_eq!(parse("EUR"), Some("eur"));
        assert_eq!(parse("Usd"), Some("usd"));
        for bad in ["xxx", "abc", "zzz", "gb", "gbpp", "", "xau", "eu€"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn minor_units() {
        assert_eq!(decimals("gbp"), 2);
        assert_eq!(decimals("JPY"), 0);
        assert_eq!(decimals("kwd"), 3);
    }
}
