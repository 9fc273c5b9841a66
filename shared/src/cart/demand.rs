//! What a cart draws on stock, summed per sku over every line: a bundle and one of its own
//! products, or two bundles sharing a product, draw on the same stock (the oversell of
//! Medusa #16502 came from checking each line against the unreduced stock). Pure.

use std::collections::BTreeMap;

/// Units of each sku the lines need: `lines` are (the skus one unit of the line takes, the
/// line's quantity).
pub fn demand<'a>(lines: impl IntoIterator<Item = (&'a [String], u32)>) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for (skus, quantity) in lines {
        for sku in skus {
            *out.entry(sku.clone()).or_default() += i64::from(quantity);
        }
    }
    out
}

/// The skus among `of` whose demand exceeds their stock (a sku with no known stock has none),
/// with the stock there is.
pub fn short(
    demand: &BTreeMap<String, i64>,
    stock: &BTreeMap<String, i64>,
    of: &[String],
) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = of
        .iter()
        .filter_map(|sku| {
            let need = demand.get(sku).copied().unwrap_or(0);
            let have = stock.get(sku).copied().unwrap_or(0).max(0);
            (need > have).then(|| (sku.clone(), have))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The most units of a line (taking `skus` per unit) that fit beside the rest of the cart's
/// demand (`others`), capped at `max`.
pub fn most_that_fit(
    skus: &[String],
    others: &BTreeMap<String, i64>,
    stock: &BTreeMap<String, i64>,
    max: u32,
) -> u32 {
    let mut per_sku: BTreeMap<&str, i64> = BTreeMap::new();
    for sku in skus {
        *per_sku.entry(sku).or_default() += 1;
    }
    per_sku
        .iter()
        .map(|(sku, per_unit)| {
            let free =
                stock.get(*sku).copied().unwrap_or(0) - others.get(*sku).copied().unwrap_or(0);
            (free.max(0) / per_unit).min(i64::from(max)) as u32
        })
        .min()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skus(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn a_bundle_and_its_own_product_draw_on_one_stock() {
        let bundle = skus(&["A", "B", "C"]);
        let single = skus(&["A"]);
        let d = demand([(bundle.as_slice(), 2), (single.as_slice(), 3)]);
        assert_eq!(d["A"], 5);
        assert_eq!(d["B"], 2);
        let stock: BTreeMap<String, i64> =
            [("A".into(), 4), ("B".into(), 9), ("C".into(), 2)].into();
        assert_eq!(short(&d, &stock, &bundle), vec![("A".to_owned(), 4)]);
        assert_eq!(short(&d, &stock, &skus(&["B"])), vec![]);
        assert_eq!(
            short(&d, &stock, &skus(&["Z"])),
            vec![],
            "no demand, nothing short"
        );
    }

    #[test]
    fn the_most_that_fits_beside_the_rest() {
        let stock: BTreeMap<String, i64> = [("A".into(), 10), ("B".into(), 3)].into();
        let others: BTreeMap<String, i64> = [("A".into(), 4)].into();
        assert_eq!(most_that_fit(&skus(&["A", "B"]), &others, &stock, 99), 3);
        assert_eq!(most_that_fit(&skus(&["A"]), &others, &stock, 99), 6);
        assert_eq!(most_that_fit(&skus(&["A"]), &others, &stock, 2), 2);
        assert_eq!(most_that_fit(&skus(&["Z"]), &others, &stock, 99), 0);
        let over: BTreeMap<String, i64> = [("A".into(), 12)].into();
        assert_eq!(most_that_fit(&skus(&["A"]), &over, &stock, 99), 0);
    }
}
