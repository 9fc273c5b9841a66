//! Every HTTP route of the shop, one module per route, each listed once in [`ROUTES`].
//!
//! A route's handler lives here and only here. Its Lambda binary (`functions/src/bin/<name>.rs`)
//! serves it alone; the local server mounts all of them; the OpenAPI document is generated from
//! the same routers. A test keeps [`ROUTES`], the binaries and template.yaml in step.

/// `|| router`: the axum router of one `#[utoipa::path]` handler, at the path and methods its
/// attribute gives, without its OpenAPI description. A function serves this (`Route::serve`):
/// `utoipa_axum::routes!` also builds the operation and every schema it names, which cost
/// each function about 100 KB of code and init time for a document it never serves.
macro_rules! serve {
    ($handler:ident) => {
        || {
            utoipa_axum::paste! {
                use utoipa::Path as _;
                use utoipa_axum::PathItemExt as _;
                let methods = [<__path_ $handler>]::methods();
                let router = methods.iter().fold(axum::routing::MethodRouter::new(), |r, m| {
                    r.on(m.to_method_filter(), $handler)
                });
                axum::Router::new().route(&[<__path_ $handler>]::path(), router)
            }
        }
    };
}

pub mod addresses_create;
pub mod addresses_delete;
pub mod addresses_list;
pub mod addresses_update;
pub mod admin_analytics_products;
pub mod admin_analytics_sales;
pub mod admin_bundles_create;
pub mod admin_bundles_update;
pub mod admin_carts_abandoned;
pub mod admin_categories_create;
pub mod admin_categories_update;
pub mod admin_coupons_create;
pub mod admin_coupons_list;
pub mod admin_coupons_update;
pub mod admin_orders_get;
pub mod admin_orders_list;
pub mod admin_orders_refund;
pub mod admin_orders_status;
pub mod admin_product_images_attach;
pub mod admin_product_images_delete;
pub mod admin_product_images_order;
pub mod admin_product_images_upload;
pub mod admin_products_archive;
pub mod admin_products_create;
pub mod admin_products_get;
pub mod admin_products_list;
pub mod admin_products_stock;
pub mod admin_products_update;
pub mod admin_returns_list;
pub mod admin_returns_receive;
pub mod admin_returns_reject;
pub mod admin_settings_get;
pub mod admin_settings_update;
pub mod admin_users_list;
pub mod admin_users_role_update;
pub mod admin_webhooks_create;
pub mod admin_webhooks_delete;
pub mod admin_webhooks_deliveries;
pub mod admin_webhooks_list;
pub mod auth_login;
pub mod auth_logout;
pub mod auth_oauth_google;
pub mod auth_password_reset;
pub mod auth_password_reset_confirm;
pub mod auth_register;
pub mod auth_token_refresh;
pub mod auth_verify_email;
pub mod auth_verify_email_resend;
pub mod bundles_get;
pub mod bundles_list;
pub mod cart_clear;
pub mod cart_coupon_apply;
pub mod cart_coupon_remove;
pub mod cart_get;
pub mod cart_items_add;
pub mod cart_items_delete;
pub mod cart_items_update;
pub mod cart_merge;
pub mod categories_list;
pub mod checkout;
pub mod coupons_try_luck;
pub mod docs;
pub mod docs_assets;
pub mod health;
pub mod me_delete;
pub mod me_get;
pub mod me_update;
pub mod notifications_list;
pub mod openapi;
pub mod orders_cancel;
pub mod orders_get;
pub mod orders_invoice;
pub mod orders_list;
pub mod orders_payment;
pub mod orders_payment_sync;
pub mod orders_returns_create;
pub mod orders_returns_list;
pub mod orders_tracking;
pub mod products_get;
pub mod products_list;
pub mod products_reviews_create;
pub mod products_reviews_list;
pub mod reviews_delete;
pub mod reviews_helpful;
pub mod reviews_update;
pub mod stripe_webhook;
pub mod wishlist_add;
pub mod wishlist_check;
pub mod wishlist_list;
pub mod wishlist_remove;

use axum::http::Method;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::HttpMethod;
use utoipa_axum::router::OpenApiRouter;

use crate::state::{AppState, Need};

/// Base path of every API route.
pub const BASE: &str = "/api/v1";

/// One route: the unit that becomes one Lambda function.
pub struct Route {
    /// The handler's, binary's and function's name (`health` → `HealthFunction`).
    pub name: &'static str,
    /// What the handler may use (`Need`): template.yaml grants exactly the matching policies and
    /// variables, and the handler's state holds nothing else.
    pub needs: &'static [Need],
    /// The route's router, whose OpenAPI paths say its method and path (the local server,
    /// the OpenAPI document).
    pub router: fn() -> OpenApiRouter<AppState>,
    /// The same handler at the same path and methods, without the OpenAPI description: what
    /// the route's function serves (`serve!`).
    pub serve: Serve,
}

/// A route's handler at its path and methods, with nothing of its OpenAPI description.
pub type Serve = fn() -> axum::Router<AppState>;

impl Route {
    /// The (method, path) pairs this route serves, read from its OpenAPI description.
    pub fn endpoints(&self) -> Vec<(Method, String)> {
        let (_, api) = (self.router)().split_for_parts();
        endpoints_of(&api)
    }

    /// The function's logical id in template.yaml (`cart_add_item` → `CartAddItemFunction`).
    pub fn function_id(&self) -> String {
        let mut id: String = self
            .name
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        id.push_str("Function");
        id
    }
}

/// Every route, in API.md's order.
pub const ROUTES: &[Route] = &[
    health::ROUTE,
    openapi::ROUTE,
    auth_register::ROUTE,
    auth_login::ROUTE,
    auth_token_refresh::ROUTE,
    auth_logout::ROUTE,
    auth_verify_email::ROUTE,
    auth_verify_email_resend::ROUTE,
    auth_password_reset::ROUTE,
    auth_password_reset_confirm::ROUTE,
    auth_oauth_google::ROUTE,
    me_get::ROUTE,
    me_update::ROUTE,
    me_delete::ROUTE,
    addresses_list::ROUTE,
    addresses_create::ROUTE,
    addresses_update::ROUTE,
    addresses_delete::ROUTE,
    notifications_list::ROUTE,
    categories_list::ROUTE,
    products_get::ROUTE,
    products_list::ROUTE,
    products_reviews_list::ROUTE,
    products_reviews_create::ROUTE,
    reviews_update::ROUTE,
    reviews_delete::ROUTE,
    reviews_helpful::ROUTE,
    bundles_list::ROUTE,
    bundles_get::ROUTE,
    wishlist_list::ROUTE,
    wishlist_add::ROUTE,
    wishlist_remove::ROUTE,
    wishlist_check::ROUTE,
    admin_products_create::ROUTE,
    admin_products_get::ROUTE,
    admin_product_images_upload::ROUTE,
    admin_product_images_attach::ROUTE,
    admin_product_images_delete::ROUTE,
    admin_product_images_order::ROUTE,
    admin_products_list::ROUTE,
    admin_products_update::ROUTE,
    admin_products_archive::ROUTE,
    admin_products_stock::ROUTE,
    admin_bundles_create::ROUTE,
    admin_carts_abandoned::ROUTE,
    admin_bundles_update::ROUTE,
    admin_categories_create::ROUTE,
    admin_categories_update::ROUTE,
    admin_users_list::ROUTE,
    admin_users_role_update::ROUTE,
    admin_settings_get::ROUTE,
    admin_settings_update::ROUTE,
    cart_get::ROUTE,
    cart_items_add::ROUTE,
    cart_items_update::ROUTE,
    cart_items_delete::ROUTE,
    cart_clear::ROUTE,
    cart_merge::ROUTE,
    admin_coupons_list::ROUTE,
    admin_coupons_create::ROUTE,
    admin_coupons_update::ROUTE,
    cart_coupon_apply::ROUTE,
    cart_coupon_remove::ROUTE,
    coupons_try_luck::ROUTE,
    checkout::ROUTE,
    orders_list::ROUTE,
    orders_get::ROUTE,
    orders_cancel::ROUTE,
    orders_tracking::ROUTE,
    orders_payment::ROUTE,
    orders_payment_sync::ROUTE,
    stripe_webhook::ROUTE,
    admin_orders_get::ROUTE,
    admin_orders_list::ROUTE,
    admin_orders_status::ROUTE,
    admin_orders_refund::ROUTE,
    docs::ROUTE,
    docs_assets::ROUTE,
    orders_returns_create::ROUTE,
    orders_returns_list::ROUTE,
    admin_returns_list::ROUTE,
    admin_returns_receive::ROUTE,
    admin_returns_reject::ROUTE,
    admin_webhooks_list::ROUTE,
    admin_webhooks_create::ROUTE,
    admin_webhooks_delete::ROUTE,
    admin_webhooks_deliveries::ROUTE,
    admin_analytics_sales::ROUTE,
    admin_analytics_products::ROUTE,
    orders_invoice::ROUTE,
];

/// Looks a route up by its name.
pub fn route(name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.name == name)
}

/// Every route in one router, each with only what its needs allow (as its Lambda function
/// would have): what the local server serves.
pub fn serve_all(state: &AppState) -> axum::Router {
    ROUTES.iter().fold(axum::Router::new(), |acc, r| {
        let (router, _) = (r.router)().split_for_parts();
        acc.merge(router.with_state(state.only(r.needs)))
    })
}

/// All routes in one router, with the OpenAPI document that describes them.
pub fn all() -> OpenApiRouter<AppState> {
    ROUTES.iter().fold(
        OpenApiRouter::with_openapi(openapi::base_document()),
        |acc, r| acc.merge((r.router)()),
    )
}

/// The (method, path) pairs an OpenAPI document describes.
pub fn endpoints_of(api: &OpenApi) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, item) in &api.paths.paths {
        let ops = [
            (HttpMethod::Get, &item.get),
            (HttpMethod::Post, &item.post),
            (HttpMethod::Put, &item.put),
            (HttpMethod::Patch, &item.patch),
            (HttpMethod::Delete, &item.delete),
        ];
        for (method, op) in ops {
            if op.is_some() {
                let method = match method {
                    HttpMethod::Get => Method::GET,
                    HttpMethod::Post => Method::POST,
                    HttpMethod::Put => Method::PUT,
                    HttpMethod::Patch => Method::PATCH,
                    _ => Method::DELETE,
                };
                out.push((method, path.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_ids_are_pascal_case() {
        let r = Route {
            name: "cart_add_item",
            needs: &[],
            router: OpenApiRouter::new,
            serve: axum::Router::new,
        };
        assert_eq!(r.function_id(), "CartAddItemFunction");
    }

    #[test]
    fn every_route_has_exactly_one_endpoint_under_the_base_path() {
        for r in ROUTES {
            let endpoints = r.endpoints();
            assert_eq!(endpoints.len(), 1, "{} serves {endpoints:?}", r.name);
            assert!(
                endpoints[0].1.starts_with(BASE),
                "{}: {:?}",
                r.name,
                endpoints[0]
            );
        }
    }

    #[test]
    fn route_names_are_unique() {
        let mut names: Vec<_> = ROUTES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ROUTES.len());
    }
}
