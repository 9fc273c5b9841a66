//! Emails: what each one says (its template and data) and how it renders to HTML and text.

use std::sync::OnceLock;

use minijinja::{Environment, context};
use serde::{Deserialize, Serialize};

use crate::domain::Email;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EmailMessage {
    pub to: Email,
    #[serde(flatten)]
    pub kind: EmailKind,
}

/// Every email the shop sends, with the data its template needs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum EmailKind {
    VerifyEmail {
        name: Option<String>,
        link: String,
        expires_in_hours: u32,
    },
    PasswordReset {
        link: String,
        expires_in_hours: u32,
    },
    /// The order was paid: the confirmation, with everything that was bought.
    OrderConfirmation {
        order: Box<OrderSummary>,
    },
    /// The order moved on: `shipped`, `delivered`, `cancelled`, `refunded` (or
    /// `partially_refunded`), with what the customer should know about it.
    OrderUpdate {
        status: String,
        order: Box<OrderSummary>,
        note: Option<String>,
        tracking_number: Option<String>,
        carrier: Option<String>,
        /// What was refunded (formatted), for a refund or a cancelled paid order.
        refunded: Option<String>,
    },
    /// The daily note to the shop's staff: every sku at or under the low-stock threshold.
    StockAlert {
        day: String,
        threshold: i64,
        skus: Vec<LowStock>,
    },
    /// To the shop's staff: a payment arrived that was not its order's total in its currency;
    /// the order was not made paid and the payment was refunded in full.
    PaymentRejected {
        order_number: String,
        order_id: String,
        /// What arrived, formatted.
        paid: String,
        /// What the order costs, formatted.
        expected: String,
        intent_id: String,
        refund_id: Option<String>,
    },
    /// A return moved: `requested` (what to send back), `received`, `refunded` (with the
    /// amount) or `rejected` (with the shop's note).
    ReturnUpdate {
        status: String,
        order_number: String,
        lines: Vec<OrderSummaryLine>,
        refunded: Option<String>,
        note: Option<String>,
    },
}

/// One sku of a stock alert.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LowStock {
    pub sku: String,
    pub product: String,
    pub name: String,
    pub stock: i64,
}

/// An order as an email shows it: amounts already formatted (`12.34 GBP`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OrderSummary {
    pub number: String,
    pub lines: Vec<OrderSummaryLine>,
    pub subtotal: String,
    pub discounts: String,
    pub delivery_fee: String,
    pub total: String,
    pub address: Vec<String>,
    pub estimated_delivery_date: String,
    pub notes: Option<String>,
    pub gift_message: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OrderSummaryLine {
    pub name: String,
    pub quantity: u32,
    pub total: String,
}

/// `1234` minor units of `gbp` as `12.34 GBP`.
pub fn money(amount: i64, currency: &str) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let a = amount.unsigned_abs();
    let code = currency.to_uppercase();
    match crate::domain::currency::decimals(currency) {
        0 => format!("{sign}{a} {code}"),
        d => {
            let unit = 10u64.pow(d);
            let width = d as usize;
            format!("{sign}{}.{:0width$} {code}", a / unit, a % unit)
        }
    }
}

impl EmailKind {
    fn template(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "verify_email",
            Self::PasswordReset { .. } => "password_reset",
            Self::OrderConfirmation { .. } => "order_confirmation",
            Self::OrderUpdate { .. } => "order_update",
            Self::StockAlert { .. } => "stock_alert",
            Self::PaymentRejected { .. } => "payment_rejected",
            Self::ReturnUpdate { .. } => "return_update",
        }
    }

    fn subject(&self, shop_name: &str) -> String {
        match self {
            Self::VerifyEmail { .. } => format!("Confirm your email address for {shop_name}"),
            Self::PasswordReset { .. } => format!("Reset your {shop_name} password"),
            Self::OrderConfirmation { order } => {
                format!("{shop_name}: order {} confirmed", order.number)
            }
            Self::OrderUpdate { status, order, .. } => {
                let what = match status.as_str() {
                    "shipped" => "is on its way",
                    "delivered" => "was delivered",
                    "cancelled" => "was cancelled",
                    "refunded" => "was refunded",
                    "partially_refunded" => "was partly refunded",
                    _ => "was updated",
                };
                format!("{shop_name}: order {} {what}", order.number)
            }
            Self::StockAlert { day, skus, .. } => {
                format!("{shop_name}: {} skus low on stock ({day})", skus.len())
            }
            Self::PaymentRejected { order_number, .. } => {
                format!("{shop_name}: a payment for order {order_number} was refused and refunded")
            }
            Self::ReturnUpdate {
                status,
                order_number,
                ..
            } => {
                let what = match status.as_str() {
                    "requested" => "we have your return request",
                    "received" => "we received your return",
                    "refunded" => "your return was refunded",
                    _ => "your return was not accepted",
                };
                format!("{shop_name}: order {order_number}, {what}")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// The templates, compiled into the binary and parsed once per container.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // `.html` templates are auto-escaped by name; `.txt` ones are not.
        let sources: [(&str, &str); 15] = [
            (
                "layout.html",
                include_str!("../../templates/email/layout.html"),
            ),
            (
                "verify_email.html",
                include_str!("../../templates/email/verify_email.html"),
            ),
            (
                "verify_email.txt",
                include_str!("../../templates/email/verify_email.txt"),
            ),
            (
                "password_reset.html",
                include_str!("../../templates/email/password_reset.html"),
            ),
            (
                "password_reset.txt",
                include_str!("../../templates/email/password_reset.txt"),
            ),
            (
                "order_confirmation.html",
                include_str!("../../templates/email/order_confirmation.html"),
            ),
            (
                "order_confirmation.txt",
                include_str!("../../templates/email/order_confirmation.txt"),
            ),
            (
                "order_update.html",
                include_str!("../../templates/email/order_update.html"),
            ),
            (
                "order_update.txt",
                include_str!("../../templates/email/order_update.txt"),
            ),
            (
                "stock_alert.html",
                include_str!("../../templates/email/stock_alert.html"),
            ),
            (
                "stock_alert.txt",
                include_str!("../../templates/email/stock_alert.txt"),
            ),
            (
                "payment_rejected.html",
                include_str!("../../templates/email/payment_rejected.html"),
            ),
            (
                "payment_rejected.txt",
                include_str!("../../templates/email/payment_rejected.txt"),
            ),
            (
                "return_update.html",
                include_str!("../../templates/email/return_update.html"),
            ),
            (
                "return_update.txt",
                include_str!("../../templates/email/return_update.txt"),
            ),
        ];
        for (name, source) in sources {
            env.add_template(name, source)
                .expect("email templates parse");
        }
        env
    })
}

impl EmailKind {
    pub fn render(&self, shop_name: &str) -> Result<RenderedEmail, minijinja::Error> {
        let subject = self.subject(shop_name);
        let ctx = context! { shop_name, subject, ..minijinja::Value::from_serialize(self) };
        let env = templates();
        let name = self.template();
        Ok(RenderedEmail {
            html: env.get_template(&format!("{name}.html"))?.render(&ctx)?,
            text: env.get_template(&format!("{name}.txt"))?.render(&ctx)?,
            subject,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_email_carries_its_link_in_both_parts() {
        let kind = EmailKind::VerifyEmail {
            name: Some("Ada".into()),
            link: "http://127.0.0.1:3000/verify?token=abc".into(),
            expires_in_hours: 24,
        };
        let email = kind.render("Test Shop").unwrap();
        assert_eq!(email.subject, "Confirm your email address for Test Shop");
        assert!(
            email
                .text
                .contains("http://127.0.0.1:3000/verify?token=abc")
        );
        assert!(email.text.contains("Hello Ada,"));
        assert!(
            email
                .html
                .contains("href=\"http://127.0.0.1:3000/verify?token=abc\"")
        );
        assert!(email.html.contains("24 hours"));
    }

    #[test]
    fn html_escapes_what_users_typed_and_text_keeps_it() {
        let kind = EmailKind::VerifyEmail {
            name: Some("<script>x</script>".into()),
            link: "http://x/".into(),
            expires_in_hours: 1,
        };
        let email = kind.render("Shop").unwrap();
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;"));
        assert!(email.text.contains("<script>x</script>"));
    }

    #[test]
    fn money_is_written_in_the_currencys_own_minor_unit() {
        assert_eq!(money(1234, "gbp"), "12.34 GBP");
        assert_eq!(money(-5, "eur"), "-0.05 EUR");
        assert_eq!(money(1234, "jpy"), "1234 JPY");
        assert_eq!(money(1234, "kwd"), "1.234 KWD");
    }

    #[test]
    fn every_template_renders() {
        let reset = EmailKind::PasswordReset {
            link: "http://x/r".into(),
            expires_in_hours: 1,
        };
        let email = reset.render("Shop").unwrap();
        assert!(email.text.contains("http://x/r") && email.html.contains("http://x/r"));
        let rejected = EmailKind::PaymentRejected {
            order_number: "HX-7K2M9Q".into(),
            order_id: "01ORDER".into(),
            paid: money(1, "gbp"),
            expected: money(7200, "gbp"),
            intent_id: "pi_1".into(),
            refund_id: Some("re_1".into()),
        };
        let email = rejected.render("Shop").unwrap();
        for part in [&email.text, &email.html] {
            assert!(
                part.contains("0.01 GBP") && part.contains("72.00 GBP"),
                "{part}"
            );
            assert!(part.contains("pi_1") && part.contains("re_1"), "{part}");
        }
        assert!(email.subject.contains("HX-7K2M9Q"));
    }
}
