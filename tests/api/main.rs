//! HTTP integration tests: one test binary, each test with its own local shop (its own table,
//! queues and bucket) on a random port, against the real emulators started by `make test`.

mod helpers;

mod account;
mod account_admin;
mod analytics;
mod auth;
mod budgets;
mod cart;
mod catalog;
mod catalog_images;
mod catalog_listing;
mod checkout_store;
mod console;
mod coupons;
mod created;
mod drift;
mod errors;
mod explorer;
mod faults;
mod google;
mod health;
mod idempotency;
mod invoices;
mod limits;
mod luck;
mod openapi;
mod orders;
mod payment_rules;
mod payments;
mod probe;
mod resources;
mod returns;
mod roles;
mod schedules;
mod settings;
mod shopctl_tool;
mod stripe_client;
mod transact;
mod webhooks;
mod worker;
