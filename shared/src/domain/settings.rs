//! The store's settings: one object, replaced whole by an admin (`PUT /admin/settings`) and
//! read by every function that prices, reserves or counts. [`SettingsInput::validate`] checks
//! every field at once and names each bad one.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::Email;
use super::catalog::MAX_PRICE;
use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    /// Every Nth counted try of luck wins (position % N == 0).
    pub nth_customer: u32,
    /// What a luck coupon takes off, in percent.
    pub coupon_percent: u8,
    /// How long a luck coupon is reserved to its winner.
    pub coupon_reservation_minutes: u32,
    /// Delivery is free from this discounted subtotal (minor units).
    pub free_delivery_threshold: i64,
    pub delivery_fee: i64,
    /// Off a signed-in buyer's first order, in percent (0 turns it off).
    pub first_time_discount_percent: u8,
    /// The discount a new bundle gets when staff give none.
    pub bundle_discount_percent: u8,
    /// How long checkout holds stock for an unpaid order.
    pub stock_reservation_minutes: u32,
    /// At or under this stock a variant is `low_stock`.
    pub low_stock_threshold: i64,
    /// Lowercase ISO 4217 (Stripe's convention).
    pub currency: String,
    /// A guest cart untouched this long is deleted.
    pub guest_cart_days: u32,
    /// A cart untouched this long is abandoned (admin view).
    pub abandoned_cart_minutes: u32,
    pub return_window_days: u32,
    /// Where stock alerts go; none sends none.
    pub staff_email: Option<String>,
    pub seller: Seller,
    /// Per-client limits against abuse; absent in older settings: the defaults.
    #[serde(default)]
    pub limits: Limits,
}

/// Per-client limits against abuse (docs/operations.md, "Limits"). A caller is a signed-in
/// user, or for an anonymous caller the source address API Gateway reports. Past a limit the
/// answer is 429 `too_many_attempts` with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Limits {
    /// New orders one caller may place in an hour.
    pub checkouts_per_hour: u32,
    /// Guest orders placed for one email address within a reservation's time (what one address
    /// can hold pending at once).
    pub guest_orders_per_email: u32,
    /// Guest orders placed from one source address within a reservation's time.
    pub guest_orders_per_address: u32,
    /// Coupon codes one caller may get refused in an hour (wrong, expired, used up...).
    pub coupon_failures_per_hour: u32,
    /// Counted tries of luck from one source address in an hour (an account tries once a day).
    pub luck_tries_per_address_per_hour: u32,
    /// Payment syncs one caller may ask for in an hour.
    pub payment_syncs_per_hour: u32,
    /// Reviews one user may write in an hour.
    pub reviews_per_hour: u32,
    /// Webhook deliveries with a bad signature from one source address in an hour.
    pub bad_webhook_signatures_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            checkouts_per_hour: 30,
            guest_orders_per_email: 5,
            guest_orders_per_address: 20,
            coupon_failures_per_hour: 10,
            luck_tries_per_address_per_hour: 20,
            payment_syncs_per_hour: 120,
            reviews_per_hour: 10,
            bad_webhook_signatures_per_hour: 30,
        }
    }
}

impl Limits {
    /// The limits and their values by name, in the order of the struct.
    fn fields(&mut self) -> [(&'static str, &mut u32); 8] {
        [
            ("checkouts_per_hour", &mut self.checkouts_per_hour),
            ("guest_orders_per_email", &mut self.guest_orders_per_email),
            (
                "guest_orders_per_address",
                &mut self.guest_orders_per_address,
            ),
            (
                "coupon_failures_per_hour",
                &mut self.coupon_failures_per_hour,
            ),
            (
                "luck_tries_per_address_per_hour",
                &mut self.luck_tries_per_address_per_hour,
            ),
            ("payment_syncs_per_hour", &mut self.payment_syncs_per_hour),
            ("reviews_per_hour", &mut self.reviews_per_hour),
            (
                "bad_webhook_signatures_per_hour",
                &mut self.bad_webhook_signatures_per_hour,
            ),
        ]
    }
}

/// The most any limit may be set to.
pub const MAX_LIMIT: i64 = 1_000_000;

/// Who sells, as invoices show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Seller {
    pub name: String,
    pub address: String,
    pub vat_number: String,
    pub vat_rate_percent: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            nth_customer: 5,
            coupon_percent: 10,
            coupon_reservation_minutes: 10,
            free_delivery_threshold: 4000,
            delivery_fee: 499,
            first_time_discount_percent: 10,
            bundle_discount_percent: 10,
            stock_reservation_minutes: 15,
            low_stock_threshold: super::catalog::DEFAULT_LOW_STOCK_THRESHOLD,
            currency: "gbp".to_owned(),
            guest_cart_days: 30,
            abandoned_cart_minutes: 30,
            return_window_days: 30,
            staff_email: None,
            seller: Seller {
                name: "Shop".to_owned(),
                address: String::new(),
                vat_number: String::new(),
                vat_rate_percent: 20,
            },
            limits: Limits::default(),
        }
    }
}

/// `seller` as `PUT /admin/settings` takes it (the document's schema of what is checked).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct SellerInput {
    #[schema(schema_with = super::schema::text::<200>)]
    name: String,
    #[schema(schema_with = super::schema::optional_text::<500>)]
    address: Option<String>,
    #[schema(schema_with = super::schema::optional_text::<40>)]
    vat_number: Option<String>,
    #[schema(minimum = 0, maximum = 50)]
    vat_rate_percent: u8,
}

/// `limits` as `PUT /admin/settings` takes it: each 1 to 1000000, one left out keeps its
/// default.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct LimitsInput {
    #[schema(minimum = 1, maximum = 1000000)]
    checkouts_per_hour: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    guest_orders_per_email: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    guest_orders_per_address: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    coupon_failures_per_hour: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    luck_tries_per_address_per_hour: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    payment_syncs_per_hour: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    reviews_per_hour: Option<u32>,
    #[schema(minimum = 1, maximum = 1000000)]
    bad_webhook_signatures_per_hour: Option<u32>,
}

/// The body of `PUT /admin/settings` as sent: every field is read leniently so that each bad
/// one is reported, not only the first.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    #[schema(required = true, value_type = u32, minimum = 1, maximum = 1000000)]
    pub nth_customer: Option<Value>,
    #[schema(required = true, value_type = u8, minimum = 1, maximum = 90)]
    pub coupon_percent: Option<Value>,
    #[schema(required = true, value_type = u32, minimum = 1, maximum = 1440)]
    pub coupon_reservation_minutes: Option<Value>,
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100000000)]
    pub free_delivery_threshold: Option<Value>,
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100000000)]
    pub delivery_fee: Option<Value>,
    #[schema(required = true, value_type = u8, minimum = 0, maximum = 90)]
    pub first_time_discount_percent: Option<Value>,
    #[schema(required = true, value_type = u8, minimum = 1, maximum = 90)]
    pub bundle_discount_percent: Option<Value>,
    #[schema(required = true, value_type = u32, minimum = 1, maximum = 1440)]
    pub stock_reservation_minutes: Option<Value>,
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100000)]
    pub low_stock_threshold: Option<Value>,
    /// An ISO 4217 code Stripe charges in, in any letter case (stored lower-case).
    #[schema(required = true, schema_with = super::schema::currency)]
    pub currency: Option<Value>,
    #[schema(required = true, value_type = u32, minimum = 1, maximum = 365)]
    pub guest_cart_days: Option<Value>,
    #[schema(required = true, value_type = u32, minimum = 1, maximum = 43200)]
    pub abandoned_cart_minutes: Option<Value>,
    #[schema(required = true, value_type = u32, minimum = 0, maximum = 365)]
    pub return_window_days: Option<Value>,
    /// An email address; `null` or blank for none.
    #[schema(schema_with = super::schema::email_or_blank)]
    pub staff_email: Option<Value>,
    #[schema(required = true, value_type = SellerInput)]
    pub seller: Option<Value>,
    /// Absent: the defaults; a limit left out keeps its default.
    #[schema(value_type = Option<LimitsInput>)]
    pub limits: Option<Value>,
}

/// Collects field errors while reading.
struct Check(Vec<FieldError>);

impl Check {
    fn int(&mut self, field: &str, v: &Option<Value>, min: i64, max: i64) -> i64 {
        match v {
            None | Some(Value::Null) => self.fail(field, "is required"),
            Some(v) => match v.as_i64() {
                Some(n) if (min..=max).contains(&n) => return n,
                _ => self.fail(
                    field,
                    &format!("must be a whole number from {min} to {max}"),
                ),
            },
        }
        min
    }

    fn text(&mut self, field: &str, v: Option<&Value>, max: usize, required: bool) -> String {
        match v {
            None | Some(Value::Null) if !required => String::new(),
            Some(Value::String(s)) if s.trim().is_empty() && !required => String::new(),
            Some(Value::String(s)) => match super::text::clean(s, max) {
                Ok(clean) if required && clean.is_empty() => {
                    self.fail(field, "must not be empty");
                    String::new()
                }
                Ok(clean) => clean,
                Err(why) => {
                    self.fail(field, &why);
                    String::new()
                }
            },
            _ => {
                self.fail(field, &format!("must be text of at most {max} characters"));
                String::new()
            }
        }
    }

    fn fail(&mut self, field: &str, message: &str) {
        self.0.push(FieldError::new(field, message));
    }
}

impl SettingsInput {
    /// The settings, or a field error for every bad or missing value.
    pub fn validate(&self) -> Result<Settings, Vec<FieldError>> {
        let mut c = Check(Vec::new());
        let percent = |c: &mut Check, f, v, min| c.int(f, v, min, 90) as u8;
        let settings = Settings {
            nth_customer: c.int("nth_customer", &self.nth_customer, 1, 1_000_000) as u32,
            coupon_percent: percent(&mut c, "coupon_percent", &self.coupon_percent, 1),
            coupon_reservation_minutes: c.int(
                "coupon_reservation_minutes",
                &self.coupon_reservation_minutes,
                1,
                1440,
            ) as u32,
            free_delivery_threshold: c.int(
                "free_delivery_threshold",
                &self.free_delivery_threshold,
                0,
                MAX_PRICE,
            ),
            delivery_fee: c.int("delivery_fee", &self.delivery_fee, 0, MAX_PRICE),
            first_time_discount_percent: percent(
                &mut c,
                "first_time_discount_percent",
                &self.first_time_discount_percent,
                0,
            ),
            bundle_discount_percent: percent(
                &mut c,
                "bundle_discount_percent",
                &self.bundle_discount_percent,
                1,
            ),
            stock_reservation_minutes: c.int(
                "stock_reservation_minutes",
                &self.stock_reservation_minutes,
                1,
                1440,
            ) as u32,
            low_stock_threshold: c.int(
                "low_stock_threshold",
                &self.low_stock_threshold,
                0,
                100_000,
            ),
            currency: match &self.currency {
                Some(Value::String(s)) if super::currency::parse(s).is_some() => {
                    super::currency::parse(s).unwrap_or_default().to_owned()
                }
                _ => {
                    c.fail(
                        "currency",
                        "must be an ISO 4217 code Stripe charges in, like gbp",
                    );
                    String::new()
                }
            },
            guest_cart_days: c.int("guest_cart_days", &self.guest_cart_days, 1, 365) as u32,
            abandoned_cart_minutes: c.int(
                "abandoned_cart_minutes",
                &self.abandoned_cart_minutes,
                1,
                43_200,
            ) as u32,
            return_window_days: c.int("return_window_days", &self.return_window_days, 0, 365)
                as u32,
            staff_email: match &self.staff_email {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => match Email::parse(s) {
                    Ok(email) => Some(email.as_str().to_owned()),
                    Err(_) => {
                        c.fail("staff_email", "is not an email address");
                        None
                    }
                },
                Some(_) => {
                    c.fail("staff_email", "must be an email address or null");
                    None
                }
            },
            seller: match &self.seller {
                Some(Value::Object(m)) => {
                    let known = ["name", "address", "vat_number", "vat_rate_percent"];
                    for key in m.keys().filter(|k| !known.contains(&k.as_str())) {
                        c.fail(&format!("seller.{key}"), "is not a seller field");
                    }
                    Seller {
                        name: c.text("seller.name", m.get("name"), 200, true),
                        address: c.text("seller.address", m.get("address"), 500, false),
                        vat_number: c.text("seller.vat_number", m.get("vat_number"), 40, false),
                        vat_rate_percent: c.int(
                            "seller.vat_rate_percent",
                            &m.get("vat_rate_percent").cloned(),
                            0,
                            50,
                        ) as u8,
                    }
                }
                _ => {
                    c.fail(
                        "seller",
                        "must be an object {name, address, vat_number, vat_rate_percent}",
                    );
                    Seller::default()
                }
            },
            limits: limits(&mut c, self.limits.as_ref()),
        };
        if c.0.is_empty() {
            Ok(settings)
        } else {
            Err(c.0)
        }
    }
}

/// The limits as sent: each a whole number from 1 to [`MAX_LIMIT`]; one left out keeps its
/// default.
fn limits(c: &mut Check, v: Option<&Value>) -> Limits {
    let mut limits = Limits::default();
    let m = match v {
        None | Some(Value::Null) => return limits,
        Some(Value::Object(m)) => m,
        Some(_) => {
            c.fail("limits", "must be an object of limits");
            return limits;
        }
    };
    let mut fields = limits.fields();
    for key in m.keys() {
        if !fields.iter().any(|(name, _)| name == key) {
            c.fail(&format!("limits.{key}"), "is not a limit");
        }
    }
    for (name, value) in fields.iter_mut() {
        if let Some(given) = m.get(*name).filter(|v| !v.is_null()) {
            let field = format!("limits.{name}");
            **value = c.int(&field, &Some(given.clone()), 1, MAX_LIMIT) as u32;
        }
    }
    limits
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_keep_their_defaults_unless_given_and_refuse_nonsense() {
        let mut v = serde_json::to_value(Settings::default()).unwrap();
        v.as_object_mut().unwrap().remove("limits");
        assert_eq!(
            input(v.clone()).validate().unwrap().limits,
            Limits::default()
        );
        v["limits"] = json!({"checkouts_per_hour": 3});
        let s = input(v.clone()).validate().unwrap();
        assert_eq!(s.limits.checkouts_per_hour, 3);
        assert_eq!(
            s.limits.reviews_per_hour,
            Limits::default().reviews_per_hour
        );
        v["limits"] = json!({"checkouts_per_hour": 0, "nope": 1, "reviews_per_hour": "x"});
        let errors = input(v).validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "limits.nope",
                "limits.checkouts_per_hour",
                "limits.reviews_per_hour"
            ]
        );
        // Settings stored before limits existed read with the defaults.
        let mut old = serde_json::to_value(Settings::default()).unwrap();
        old.as_object_mut().unwrap().remove("limits");
        let read: Settings = serde_json::from_value(old).unwrap();
        assert_eq!(read.limits, Limits::default());
    }

    fn input(v: Value) -> SettingsInput {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_defaults_round_trip_through_the_input() {
        let defaults = Settings::default();
        let back = input(serde_json::to_value(&defaults).unwrap())
            .validate()
            .unwrap();
        assert_eq!(back, defaults);
    }

    #[test]
    fn every_bad_value_is_named_at_once() {
        let mut v = serde_json::to_value(Settings::default()).unwrap();
        v["nth_customer"] = json!(0);
        v["coupon_percent"] = json!("ten");
        v["delivery_fee"] = json!(-1);
        v["currency"] = json!("pounds");
        v["staff_email"] = json!("nobody");
        v["seller"]["vat_rate_percent"] = json!(99);
        v["seller"]["extra"] = json!(1);
        v.as_object_mut().unwrap().remove("guest_cart_days");
        let errors = input(v).validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "nth_customer",
            "coupon_percent",
            "delivery_fee",
            "currency",
            "staff_email",
            "seller.vat_rate_percent",
            "seller.extra",
            "guest_cart_days",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert_eq!(fields.len(), 8, "{fields:?}");
    }

    #[test]
    fn currency_is_lowercased_and_an_empty_staff_email_is_none() {
        let mut v = serde_json::to_value(Settings::default()).unwrap();
        v["currency"] = json!("EUR");
        v["staff_email"] = json!("");
        let s = input(v).validate().unwrap();
        assert_eq!((s.currency.as_str(), s.staff_email), ("eur", None));
        for made_up in ["xxx", "abc", "qqq"] {
            let mut v = serde_json::to_value(Settings::default()).unwrap();
            v["currency"] = json!(made_up);
            let errors = input(v).validate().unwrap_err();
            assert_eq!(errors[0].field, "currency", "{made_up}");
        }
    }
}
