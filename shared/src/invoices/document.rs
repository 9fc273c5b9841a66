//! What an invoice and a credit note say, as text lines (no I/O): the seller from the
//! settings, the number and date, the buyer and address, every line (quantity, unit price,
//! amount, discount, total), delivery, the order's discounts, the total, and the VAT included
//! in it at the settings' rate: `total × rate / (100 + rate)`, rounded half up to the minor
//! unit.

use super::pdf::{COLUMNS, Line};
use crate::domain::settings::Seller;
use crate::notify::email::money;
use crate::store::orders::Order;

/// The VAT included in `gross` at `rate` percent, rounded half up to the minor unit.
pub fn vat_included(gross: i64, rate: u8) -> i64 {
    let rate = i64::from(rate);
    if rate == 0 {
        return 0;
    }
    let (num, den) = (gross * rate, 100 + rate);
    let sign = num.signum();
    sign * ((num.abs() * 2 + den) / (den * 2))
}

fn text(s: &str) -> Line {
    Line {
        text: s.to_owned(),
        heading: false,
    }
}

fn blank() -> Line {
    text("")
}

/// `label` at the left and `value` at the right edge.
fn row(label: &str, value: &str) -> Line {
    let width = COLUMNS.saturating_sub(value.chars().count() + 1);
    let label: String = label.chars().take(width).collect();
    text(&format!("{label:<width$} {value}"))
}

fn fit(s: &str, n: usize) -> String {
    let cut: String = s.chars().take(n).collect();
    format!("{cut:<n$}")
}

fn header(lines: &mut Vec<Line>, title: &str, number: &str, seller: &Seller) {
    lines.push(Line {
        text: format!("{title} {number}"),
        heading: true,
    });
    lines.push(text(&seller.name));
    for part in seller
        .address
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        lines.push(text(part));
    }
    if !seller.vat_number.is_empty() {
        lines.push(text(&format!("VAT number: {}", seller.vat_number)));
    }
    lines.push(blank());
}

fn buyer(lines: &mut Vec<Line>, order: &Order) {
    let a = &order.shipping_address;
    lines.push(text("Bill to:"));
    lines.push(text(&a.name));
    lines.push(text(&a.line1));
    if let Some(l2) = &a.line2 {
        lines.push(text(l2));
    }
    lines.push(text(&format!("{} {}", a.postcode, a.city)));
    lines.push(text(&a.country));
    lines.push(text(&order.email));
    lines.push(blank());
}

/// The invoice of a paid order.
pub fn invoice(order: &Order, seller: &Seller, number: &str, date: &str) -> Vec<Line> {
    let c = &order.currency;
    let m = |v: i64| money(v, c);
    let mut lines = Vec::new();
    header(&mut lines, "INVOICE", number, seller);
    lines.push(text(&format!("Invoice number: {number}")));
    lines.push(text(&format!("Date: {date}")));
    lines.push(text(&format!("Order: {}", order.number)));
    lines.push(blank());
    buyer(&mut lines, order);
    lines.push(text(&format!(
        "{} {:>4} {:>14} {:>14} {:>14}",
        fit("Item / SKU", 39),
        "Qty",
        "Unit price",
        "Discount",
        "Total"
    )));
    // Each line: its name, then its sku with the figures (a long name never hides a sku).
    for l in &order.lines {
        lines.push(text(&l.name));
        lines.push(text(&format!(
            "  {} {:>4} {:>14} {:>14} {:>14}",
            fit(&l.sku, 37),
            l.quantity,
            m(l.unit_price),
            m(-l.discount),
            m(l.line_total - l.discount)
        )));
    }
    lines.push(blank());
    lines.push(row("Subtotal", &m(order.subtotal)));
    if order.bundle_discount > 0 {
        lines.push(row("Bundle discount", &m(-order.bundle_discount)));
    }
    if order.first_time_discount > 0 {
        lines.push(row("First order discount", &m(-order.first_time_discount)));
    }
    if order.coupon_discount > 0 {
        let code = order.coupon.as_deref().unwrap_or_default();
        lines.push(row(&format!("Coupon {code}"), &m(-order.coupon_discount)));
    }
    lines.push(row("Delivery", &m(order.delivery_fee)));
    lines.push(row("Total", &m(order.total)));
    lines.push(row(
        &format!("VAT included at {}%", seller.vat_rate_percent),
        &m(vat_included(order.total, seller.vat_rate_percent)),
    ));
    lines.push(blank());
    lines.push(text("Paid in full. Thank you for your order."));
    lines
}

/// The credit note for a refund of `amount` of an order invoiced as `invoice_number`.
pub fn credit_note(
    order: &Order,
    seller: &Seller,
    number: &str,
    invoice_number: &str,
    amount: i64,
    date: &str,
) -> Vec<Line> {
    let m = |v: i64| money(v, &order.currency);
    let mut lines = Vec::new();
    header(&mut lines, "CREDIT NOTE", number, seller);
    lines.push(text(&format!("Credit note number: {number}")));
    lines.push(text(&format!("Date: {date}")));
    lines.push(text(&format!("Order: {}", order.number)));
    lines.push(text(&format!("Credits invoice: {invoice_number}")));
    lines.push(blank());
    buyer(&mut lines, order);
    lines.push(row("Refunded", &m(amount)));
    lines.push(row(
        &format!("VAT included at {}%", seller.vat_rate_percent),
        &m(vat_included(amount, seller.vat_rate_percent)),
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_is_the_included_share_rounded_half_up() {
        assert_eq!(vat_included(12000, 20), 2000);
        assert_eq!(vat_included(4050, 20), 675);
        // 1000 × 20 / 120 = 166.67 → 167; 1003 × 20 / 120 = 167.17 → 167.
        assert_eq!(vat_included(1000, 20), 167);
        assert_eq!(vat_included(1003, 20), 167);
        // 50 × 5 / 105 = 2.38 → 2; 21 × 5 / 105 = 1.0 → 1; 63 × 5 / 105 = 3.0.
        assert_eq!(vat_included(50, 5), 2);
        assert_eq!(vat_included(63, 5), 3);
        // Exactly half: 21 × 25 / 125 = 4.2; 10 × 25 / 125 = 2; 5 × 10 / 110 = 0.4545.
        assert_eq!(vat_included(30, 20), 5);
        assert_eq!(vat_included(3, 20), 1, "0.5 rounds up");
        assert_eq!(vat_included(999, 0), 0);
    }

    #[test]
    fn rows_put_the_value_at_the_right_edge() {
        let r = row("Total", "40.50 GBP");
        assert_eq!(r.text.chars().count(), COLUMNS);
        assert!(r.text.ends_with(" 40.50 GBP") && r.text.starts_with("Total "));
    }
}
