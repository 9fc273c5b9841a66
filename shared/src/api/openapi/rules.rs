//! What the routes' own annotations cannot say, added to the generated document in one place:
//! the rules between fields that the code checks (as `oneOf`), links from a created resource
//! to the routes that use it (so a client, or a stateful fuzzer, can follow checkout to its
//! order), and the Stripe webhook's body as the event object it is.

use serde_json::{Value, json};

pub fn apply(doc: &mut Value) {
    field_rules(doc);
    links(doc);
    webhook_event(doc);
    query_parameters(doc);
}

/// The return URLs of a Checkout Session, as this deployment accepts them: under one of
/// `origins`, with no spaces or control characters.
pub fn return_urls(doc: &mut Value, origins: &crate::domain::return_url::ReturnOrigins) {
    let escaped: Vec<String> = origins.origins().iter().map(|o| regex_escape(o)).collect();
    let pattern = format!(
        r"^(?:{})(?:[/?#][^\s\x00-\x1f\x7f-\x9f]*)?$",
        escaped.join("|")
    );
    let properties = &mut doc["components"]["schemas"]["CheckoutRequest"]["properties"];
    for field in ["success_url", "cancel_url"] {
        properties[field]["pattern"] = Value::String(pattern.clone());
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// Query parameters the code reads as absent when they are empty (`?sort=`, as a form sends
/// them): the document says so. Email filters follow the address rules of the bodies.
fn query_parameters(doc: &mut Value) {
    let email = serde_json::to_value(crate::domain::schema::email()).expect("a schema");
    for op in operations(doc) {
        let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            continue;
        };
        for p in parameters {
            // An order token is how a guest is let in: empty is no token (401).
            if p["in"] != "query" || p["name"] == "token" {
                continue;
            }
            if p["schema"]["format"] == "email" {
                p["schema"] = email.clone();
            }
            let schema = p["schema"].take();
            p["schema"] = json!({"anyOf": [schema, {"type": "string", "maxLength": 0}]});
        }
    }
}

/// Exactly one of `a` and `b`: the other absent or `null`.
fn exactly_one(a: &str, b: &str, a_type: &str, b_type: &str) -> Value {
    json!({"oneOf": [
        {"required": [a], "properties": {a: {"type": a_type}, b: {"type": "null"}}},
        {"required": [b], "properties": {b: {"type": b_type}, a: {"type": "null"}}},
    ]})
}

fn field_rules(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let mut rule = |name: &str, rules: Vec<Value>| {
        let schema = &mut schemas[name];
        assert!(schema.is_object(), "the document has a schema {name}");
        schema["allOf"] = Value::Array(rules);
    };
    // `orders::checkout`: an address saved or given, not both; return URLs with and only with
    // a Checkout Session.
    rule(
        "CheckoutRequest",
        vec![
            exactly_one(
                "shipping_address",
                "shipping_address_id",
                "object",
                "string",
            ),
            json!({"oneOf": [
                {"required": ["mode", "success_url", "cancel_url"], "properties": {
                    "mode": {"const": "checkout_session"},
                    "success_url": {"type": "string"}, "cancel_url": {"type": "string"}}},
                {"properties": {
                    "mode": {"enum": ["payment_intent", null]},
                    "success_url": {"type": "null"}, "cancel_url": {"type": "null"}}},
            ]}),
        ],
    );
    // `admin_products_stock`: `set` or `delta`.
    rule(
        "StockRequest",
        vec![exactly_one("set", "delta", "integer", "integer")],
    );
    // `admin_coupons_create`: a percentage or an amount off.
    rule(
        "NewCoupon",
        vec![exactly_one(
            "percent_off",
            "amount_off",
            "integer",
            "integer",
        )],
    );
    // `me_delete`: the password, or (a Google-only account) a Google ID token.
    rule(
        "DeleteAccountRequest",
        vec![json!({"anyOf": [
            {"required": ["password"], "properties": {"password": {"type": "string"}}},
            {"required": ["id_token"], "properties": {"id_token": {"type": "string"}}},
        ]})],
    );
}

/// A link: its name, the operation it leads to, that operation's parameter, and where the
/// value is (an OpenAPI runtime expression).
type Link = (&'static str, &'static str, &'static str, &'static str);

/// Links from a 201 to the operations that take what it made.
const LINKS: &[(&str, &[Link])] = &[
    (
        "checkout",
        &[
            ("GetOrder", "orders_get", "id", "$response.body#/order/id"),
            (
                "GetPayment",
                "orders_payment",
                "id",
                "$response.body#/order/id",
            ),
            (
                "SyncPayment",
                "orders_payment_sync",
                "id",
                "$response.body#/order/id",
            ),
            (
                "GetTracking",
                "orders_tracking",
                "id",
                "$response.body#/order/id",
            ),
            (
                "CancelOrder",
                "orders_cancel",
                "id",
                "$response.body#/order/id",
            ),
            (
                "RefundOrder",
                "admin_orders_refund",
                "id",
                "$response.body#/order/id",
            ),
            (
                "MoveOrder",
                "admin_orders_status",
                "id",
                "$response.body#/order/id",
            ),
        ],
    ),
    (
        "addresses_create",
        &[
            (
                "UpdateAddress",
                "addresses_update",
                "id",
                "$response.body#/id",
            ),
            (
                "DeleteAddress",
                "addresses_delete",
                "id",
                "$response.body#/id",
            ),
        ],
    ),
    (
        "admin_products_create",
        &[
            (
                "GetStaffProduct",
                "admin_products_get",
                "id",
                "$response.body#/id",
            ),
            (
                "UpdateProduct",
                "admin_products_update",
                "id",
                "$response.body#/id",
            ),
            (
                "SetStock",
                "admin_products_stock",
                "id",
                "$response.body#/id",
            ),
            (
                "ArchiveProduct",
                "admin_products_archive",
                "id",
                "$response.body#/id",
            ),
            (
                "UploadImage",
                "admin_product_images_upload",
                "id",
                "$response.body#/id",
            ),
            ("GetProduct", "products_get", "slug", "$response.body#/slug"),
            (
                "ReviewProduct",
                "products_reviews_create",
                "slug",
                "$response.body#/slug",
            ),
            (
                "ListReviews",
                "products_reviews_list",
                "slug",
                "$response.body#/slug",
            ),
            ("Wish", "wishlist_add", "product_id", "$response.body#/id"),
        ],
    ),
    (
        "admin_bundles_create",
        &[
            ("GetBundle", "bundles_get", "slug", "$response.body#/slug"),
            (
                "UpdateBundle",
                "admin_bundles_update",
                "slug",
                "$response.body#/slug",
            ),
        ],
    ),
    (
        "admin_categories_create",
        &[(
            "UpdateCategory",
            "admin_categories_update",
            "slug",
            "$response.body#/slug",
        )],
    ),
    (
        "admin_coupons_create",
        &[(
            "UpdateCoupon",
            "admin_coupons_update",
            "code",
            "$response.body#/code",
        )],
    ),
    (
        "products_reviews_create",
        &[
            ("UpdateReview", "reviews_update", "id", "$response.body#/id"),
            ("DeleteReview", "reviews_delete", "id", "$response.body#/id"),
            ("VoteHelpful", "reviews_helpful", "id", "$response.body#/id"),
        ],
    ),
    (
        "cart_items_add",
        &[
            (
                "SetQuantity",
                "cart_items_update",
                "sku",
                "$request.body#/sku",
            ),
            (
                "RemoveLine",
                "cart_items_delete",
                "sku",
                "$request.body#/sku",
            ),
        ],
    ),
];

fn links(doc: &mut Value) {
    let ids: Vec<String> = operations(doc)
        .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
        .collect();
    for (from, to) in LINKS {
        for (_, target, _, _) in *to {
            assert!(ids.iter().any(|id| id == target), "no operation {target}");
        }
        let op = operations(doc)
            .find(|op| op["operationId"] == *from)
            .unwrap_or_else(|| panic!("no operation {from}"));
        let created = &mut op["responses"]["201"];
        assert!(created.is_object(), "{from} answers 201");
        let mut links = serde_json::Map::new();
        for (name, target, parameter, value) in *to {
            links.insert(
                (*name).to_owned(),
                json!({"operationId": target, "parameters": {*parameter: value}}),
            );
        }
        created["links"] = Value::Object(links);
    }
}

fn operations(doc: &mut Value) -> impl Iterator<Item = &mut Value> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
}

/// The webhook takes a Stripe event (verified as raw bytes, then read leniently: only these
/// members are used, any others are allowed).
fn webhook_event(doc: &mut Value) {
    let op = operations(doc)
        .find(|op| op["operationId"] == "stripe_webhook")
        .expect("the webhook is in the document");
    op["requestBody"]["content"]["application/json"]["schema"] = json!({
        "type": "object",
        "description": "A Stripe event, as Stripe sends it",
        "required": ["id", "type", "data"],
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string"},
            "created": {"type": "integer"},
            "data": {
                "type": "object",
                "required": ["object"],
                "properties": {"object": {"type": "object"}},
            },
        },
    });
}
