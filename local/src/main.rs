//! `shop-local`: runs the whole shop on 127.0.0.1 over the emulators (see README.md).

/// The system allocator, counting (`GET /_local/allocations`): a few atomic additions per
/// allocation, for `make bench-warm`'s allocations per request.
#[global_allocator]
static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

// One thread, as each function has on Lambda (one event at a time per container): no hand-offs
// between worker threads, about a fifth less CPU per request (docs/architecture.md, "The warm
// path"). Password hashing and image resizing run on tokio's blocking threads.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `shop-local openapi` prints the OpenAPI document generated from the code (`make
    // openapi` writes it into shared/openapi.json, which the functions serve).
    if std::env::args().nth(1).as_deref() == Some("openapi") {
        let doc = shop::api::openapi::generate();
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("the document serializes")
        );
        return;
    }
    shop::telemetry::init(shop::config::LogFormat::Pretty);
    let opts = match shop_local::LocalOptions::from_env() {
        Ok(opts) => opts,
        Err(msg) => {
            eprintln!("shop-local: {msg}");
            std::process::exit(2);
        }
    };
    let shop = match shop_local::start(opts.clone()).await {
        Ok(shop) => shop,
        Err(e) => {
            eprintln!("shop-local: {e}\n(are the emulators running? `make stack` starts them)");
            std::process::exit(1);
        }
    };
    println!(
        "Shop API      {}/api/v1   (health: {}/api/v1/health)",
        shop.base_url, shop.base_url
    );
    println!("OpenAPI       {}/api/v1/openapi.json", shop.base_url);
    println!("API explorer  {}/api/v1/docs", shop.base_url);
    if opts
        .admin_dir
        .as_ref()
        .is_some_and(|d| d.join("index.html").is_file())
    {
        println!("Admin console {}/admin/", shop.base_url);
    }
    println!("Sent emails   {}/_local/emails", shop.base_url);
    println!(
        "DynamoDB      {}  table {}",
        opts.dynamodb_endpoint, shop.names.table
    );
    let queues: Vec<&str> = shop.names.queues.values().map(String::as_str).collect();
    println!(
        "SQS/SES/S3    {}  queues {}, bucket {}",
        opts.services_endpoint,
        queues.join(", "),
        shop.names.bucket
    );
    if let Some(seeded) = &shop.seeded {
        match (&seeded.admin_password, seeded.admin_created) {
            (Some(password), _) => println!(
                "Admin         {}  password {password}  (generated; set LOCAL_ADMIN_PASSWORD to choose)",
                seeded.admin_email
            ),
            (None, true) => println!(
                "Admin         {}  (password from LOCAL_ADMIN_PASSWORD)",
                seeded.admin_email
            ),
            (None, false) => println!("Admin         {}  (already existed)", seeded.admin_email),
        }
    }
    if let Some(demo) = &shop.demo {
        println!(
            "Demo catalog  {} categories, {} products, {} bundles  (seeded now; LOCAL_DEMO_CATALOG=0 skips it)",
            demo.categories, demo.products, demo.bundles
        );
    }
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    drop(shop);
}
