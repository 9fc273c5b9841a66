//! Product images: a presigned upload to the local S3 bound to its type and size, attaching
//! with the checks (exists, type, signature bytes, size), public URLs the local S3 serves, and
//! detaching; the images worker making the display sizes from the local queue, and what it
//! does with an original it cannot decode or an image detached meanwhile.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shop::catalog::image::{ImageJob, parse_original_key, sized_key};
use shop::images_worker::{self, Done};

use crate::catalog::{create_product, product, send, staff};
use crate::helpers::{TestApp, assert_problem};

/// A 1×1 PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

pub(crate) async fn slot(
    app: &TestApp,
    staff: &str,
    id: &str,
    content_type: &str,
    size: usize,
) -> Value {
    let response = send(
        app,
        Method::POST,
        &format!("/api/v1/admin/products/{id}/images/uploads"),
        staff,
        &json!({"content_type": content_type, "size": size}),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

pub(crate) async fn upload(app: &TestApp, slot: &Value, content_type: &str, body: Vec<u8>) {
    let put = app
        .http
        .put(slot["upload_url"].as_str().unwrap())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
}

/// A 900×600 photo-like JPEG (a gradient, so it compresses like one).
fn photo() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 3) as u8, ((x + y) / 6) as u8])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    bytes
}

/// The product's public view once its first image has display sizes (the images worker runs
/// on the local server's queue poller).
async fn with_sizes(app: &TestApp, slug: &str) -> Value {
    for _ in 0..100 {
        let public: Value = app
            .get(&format!("/api/v1/products/{slug}"))
            .await
            .json()
            .await
            .unwrap();
        if !public["images"][0]["sizes"].is_null() {
            return public;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no display sizes after 10 s");
}

async fn attach(app: &TestApp, staff: &str, id: &str, key: &str) -> reqwest::Response {
    send(
        app,
        Method::POST,
        &format!("/api/v1/admin/products/{id}/images"),
        staff,
        &json!({"key": key, "alt": "The mug from the front"}),
    )
    .await
}

#[tokio::test]
async fn an_uploaded_image_is_attached_shown_served_and_detached() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let created = create_product(&app, &staff, &product("Photo Mug", &[("PH-1", 900, 3)])).await;
    let id = created["id"].as_str().unwrap();
    let slug = created["slug"].as_str().unwrap();

    let slot = slot(&app, &staff, id, "image/png", PNG.len()).await;
    let url = slot["upload_url"].as_str().unwrap();
    let signed = url.split("X-Amz-SignedHeaders=").nth(1).unwrap();
    assert!(
        signed.starts_with("content-length%3Bcontent-type%3Bhost"),
        "type and size are signed: {signed}"
    );
    assert!(url.starts_with("http://127.0.0.1:"), "the local S3");
    upload(&app, &slot, "image/png", PNG.to_vec()).await;
    let key = slot["key"].as_str().unwrap();
    let attached = attach(&app, &staff, id, key).await;
    assert_eq!(attached.status(), 201);
    let staff_view: Value = attached.json().await.unwrap();
    assert_eq!(staff_view["images"][0]["key"], key);

    let public: Value = app
        .get(&format!("/api/v1/products/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    let image = &public["images"][0];
    assert_eq!(image["alt"], "The mug from the front");
    assert!(image.get("key").is_none());
    let served = app
        .http
        .get(image["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200, "the local S3 serves it to a browser");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

    let image_id = image["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/products/{id}/images/{image_id}");
    let gone = send(&app, Method::DELETE, &path, &staff, &json!({})).await;
    assert_eq!(gone.status(), 204);
    let public: Value = app
        .get(&format!("/api/v1/products/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["images"], json!([]));
    let served = app
        .http
        .get(image["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 404, "its object is deleted");
    let again = send(&app, Method::DELETE, &path, &staff, &json!({})).await;
    assert_problem(again, 404, "not_found").await;
}

#[tokio::test]
async fn the_images_worker_makes_a_thumbnail_and_a_large_size() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let created = create_product(&app, &staff, &product("Photo Jug", &[("PJ-1", 900, 3)])).await;
    let id = created["id"].as_str().unwrap();
    let slug = created["slug"].as_str().unwrap();
    let original = photo();
    let slot = slot(&app, &staff, id, "image/jpeg", original.len()).await;
    upload(&app, &slot, "image/jpeg", original).await;
    let attached = attach(&app, &staff, id, slot["key"].as_str().unwrap()).await;
    assert_eq!(attached.status(), 201);

    let public = with_sizes(&app, slug).await;
    let sizes = &public["images"][0]["sizes"];
    // The thumbnail fits 400×400; the large size is not enlarged past the original.
    for (name, width, height) in [("thumbnail", 400, 267), ("large", 900, 600)] {
        let size = &sizes[name];
        assert_eq!(
            (size["width"].as_u64(), size["height"].as_u64()),
            (Some(width), Some(height)),
            "{name}"
        );
        assert!(size.get("key").is_none(), "keys stay staff-only");
        let served = app
            .http
            .get(size["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{name} is served by the local S3");
        assert_eq!(served.headers()["content-type"], "image/jpeg");
        let bytes = served.bytes().await.unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (width as u32, height as u32)
        );
    }
    // The listing shows the thumbnail (once its index has caught up, within 5 s).
    let mut listed = Value::Null;
    for _ in 0..50 {
        listed = app
            .get("/api/v1/products?q=photo+jug")
            .await
            .json()
            .await
            .unwrap();
        if listed["items"][0]["image"] == sizes["thumbnail"]["url"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed["items"][0]["image"], sizes["thumbnail"]["url"]);

    // Detaching deletes the sizes with the original.
    let image_id = public["images"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/products/{id}/images/{image_id}");
    let gone = send(&app, Method::DELETE, &path, &staff, &json!({})).await;
    assert_eq!(gone.status(), 204);
    for name in ["thumbnail", "large"] {
        let served = app
            .http
            .get(sizes[name]["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 404, "{name} is deleted");
    }
}

#[tokio::test]
async fn the_images_worker_drops_what_cannot_succeed_and_cleans_up_after_a_detach() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let created = create_product(&app, &staff, &product("Odd Pot", &[("OP-1", 900, 3)])).await;
    let id = created["id"].as_str().unwrap();
    let state = app.shop.state.only(images_worker::NEEDS);
    let blobs = state.blobs();

    // PNG signature bytes (so the attach accepts it) and nothing decodable after them.
    let mut broken = b"\x89PNG\r\n\x1a\n".to_vec();
    broken.extend_from_slice(&[7; 200]);
    let slot = slot(&app, &staff, id, "image/png", broken.len()).await;
    upload(&app, &slot, "image/png", broken).await;
    let job_for = |key: &str| {
        let (image_id, _) = parse_original_key(key, id).unwrap();
        let job = ImageJob {
            product_id: id.to_owned(),
            image_id,
            key: key.to_owned(),
        };
        let body = serde_json::to_string(&job).unwrap();
        (job, body)
    };
    let (_, body) = job_for(slot["key"].as_str().unwrap());
    assert!(matches!(
        images_worker::process(&state, &body).await.unwrap(),
        Done::Dropped(_)
    ));

    // A job for an image that is not (or no longer) attached: its sizes are made, the record
    // is refused, and the sizes are deleted again.
    let original = photo();
    let slot = uploaded(&app, &staff, id, original).await;
    let key = slot["key"].as_str().unwrap();
    let (job, body) = job_for(key);
    assert_eq!(
        images_worker::process(&state, &body).await.unwrap(),
        Done::Gone
    );
    let thumbnail = sized_key(id, &job.image_id, "thumbnail", "jpg");
    assert_eq!(
        blobs.head(&thumbnail).await.unwrap(),
        None,
        "the sizes were removed again"
    );

    // A job naming another image's original, or not JSON at all, is dropped at once.
    let foreign = ImageJob {
        image_id: ulid::Ulid::new().to_string(),
        ..job.clone()
    };
    for body in [
        serde_json::to_string(&foreign).unwrap(),
        "{not json".to_owned(),
    ] {
        assert!(matches!(
            images_worker::process(&state, &body).await.unwrap(),
            Done::Dropped(_)
        ));
    }
    // An original that is gone: nothing to do.
    blobs.delete(key).await.unwrap();
    assert_eq!(
        images_worker::process(&state, &serde_json::to_string(&job).unwrap())
            .await
            .unwrap(),
        Done::Gone
    );
}

#[tokio::test]
async fn staff_put_the_images_in_order_and_only_every_one_of_them_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let created = create_product(&app, &staff, &product("Ordered Mug", &[("OM-1", 900, 3)])).await;
    let id = created["id"].as_str().unwrap();
    let slug = created["slug"].as_str().unwrap();
    let mut attached = Vec::new();
    for _ in 0..3 {
        attached = ids(&attached_png(&app, &staff, id).await["images"]);
    }
    assert_eq!(attached.len(), 3);
    let path = format!("/api/v1/admin/products/{id}/images/order");
    let wanted = vec![
        attached[2].clone(),
        attached[0].clone(),
        attached[1].clone(),
    ];

    let r = send(&app, Method::PUT, &path, &staff, &json!({"ids": wanted})).await;
    assert_eq!(r.status(), 200);
    let staff_view: Value = r.json().await.unwrap();
    assert_eq!(ids(&staff_view["images"]), wanted);
    let public: Value = app
        .get(&format!("/api/v1/products/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ids(&public["images"]),
        wanted,
        "the storefront shows that order"
    );

    // A new image goes after the ordered ones.
    let now = ids(&attached_png(&app, &staff, id).await["images"]);
    assert_eq!(now[..3], wanted[..]);

    // Not every image, one twice, one of nowhere: refused, the order kept.
    for bad in [
        json!({"ids": wanted}),
        json!({"ids": [&now[0], &now[0], &now[1], &now[2]]}),
        json!({"ids": [&now[0], &now[1], &now[2], "01ARZ3NDEKTSV4RRFFQ69G5FAV"]}),
    ] {
        let r = send(&app, Method::PUT, &path, &staff, &bad).await;
        let problem = assert_problem(r, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "ids");
    }
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/admin/products/01ARZ3NDEKTSV4RRFFQ69G5FAV/images/order",
        &staff,
        &json!({"ids": []}),
    )
    .await;
    assert_problem(r, 404, "not_found").await;
    let customer = app.register(&crate::helpers::unique_email()).await;
    let r = send(
        &app,
        Method::PUT,
        &path,
        &customer.access,
        &json!({"ids": now}),
    )
    .await;
    assert_problem(r, 403, "forbidden").await;
}

/// Uploads and attaches a PNG to product `id`: the product as staff then see it.
async fn attached_png(app: &TestApp, staff: &str, id: &str) -> Value {
    let slot = slot(app, staff, id, "image/png", PNG.len()).await;
    upload(app, &slot, "image/png", PNG.to_vec()).await;
    let attached = attach(app, staff, id, slot["key"].as_str().unwrap()).await;
    assert_eq!(attached.status(), 201);
    attached.json().await.unwrap()
}

fn ids(images: &Value) -> Vec<String> {
    images
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// An upload slot for `bytes` (a JPEG), uploaded but not attached.
async fn uploaded(app: &TestApp, staff: &str, id: &str, bytes: Vec<u8>) -> Value {
    let slot = slot(app, staff, id, "image/jpeg", bytes.len()).await;
    upload(app, &slot, "image/jpeg", bytes).await;
    slot
}

#[tokio::test]
async fn wrong_types_sizes_and_keys_are_refused() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let created = create_product(&app, &staff, &product("Refused", &[("RF-1", 900, 3)])).await;
    let id = created["id"].as_str().unwrap();
    let other = create_product(&app, &staff, &product("Other", &[("OT-1", 900, 3)])).await;
    let other_id = other["id"].as_str().unwrap();
    let uploads = format!("/api/v1/admin/products/{id}/images/uploads");

    for (body, field) in [
        (
            json!({"content_type": "image/gif", "size": 100}),
            "content_type",
        ),
        (
            json!({"content_type": "image/svg+xml", "size": 100}),
            "content_type",
        ),
        (
            json!({"content_type": "image/png", "size": 10 * 1024 * 1024 + 1}),
            "size",
        ),
        (json!({"content_type": "image/png", "size": 0}), "size"),
        (json!({"content_type": "image/png", "size": -5}), "size"),
    ] {
        let response = send(&app, Method::POST, &uploads, &staff, &body).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let response = send(
        &app,
        Method::POST,
        &uploads,
        &staff,
        &json!({"content_type": "image/png", "size": "big"}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let response = send(
        &app,
        Method::POST,
        "/api/v1/admin/products/01ARZ3NDEKTSV4RRFFQ69G5FAV/images/uploads",
        &staff,
        &json!({"content_type": "image/png", "size": 10}),
    )
    .await;
    assert_problem(response, 404, "not_found").await;

    // Uploaded with another content type than asked (a real S3 refuses the signature; the
    // emulator takes it, and attaching refuses it).
    let s = slot(&app, &staff, id, "image/png", PNG.len()).await;
    upload(&app, &s, "image/jpeg", PNG.to_vec()).await;
    let response = attach(&app, &staff, id, s["key"].as_str().unwrap()).await;
    assert_problem(response, 422, "validation_failed").await;
    // Not an image of its type.
    let s = slot(&app, &staff, id, "image/png", 20).await;
    upload(&app, &s, "image/png", b"<svg>not a png</svg>".to_vec()).await;
    let response = attach(&app, &staff, id, s["key"].as_str().unwrap()).await;
    assert_problem(response, 422, "validation_failed").await;
    // Over 10 MB.
    let s = slot(&app, &staff, id, "image/png", 10 * 1024 * 1024).await;
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    upload(&app, &s, "image/png", big).await;
    let response = attach(&app, &staff, id, s["key"].as_str().unwrap()).await;
    assert_problem(response, 422, "validation_failed").await;
    // Nothing uploaded; another product's upload; not a key at all.
    let s = slot(&app, &staff, id, "image/png", PNG.len()).await;
    let response = attach(&app, &staff, id, s["key"].as_str().unwrap()).await;
    assert_problem(response, 422, "validation_failed").await;
    let theirs = slot(&app, &staff, other_id, "image/png", PNG.len()).await;
    upload(&app, &theirs, "image/png", PNG.to_vec()).await;
    let response = attach(&app, &staff, id, theirs["key"].as_str().unwrap()).await;
    assert_problem(response, 422, "validation_failed").await;
    let response = attach(&app, &staff, id, &"x".repeat(10_000)).await;
    assert_problem(response, 422, "validation_failed").await;

    let view: Value = app
        .authed(Method::GET, &format!("/api/v1/admin/products/{id}"), &staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["images"], json!([]), "nothing refused was attached");

    // A customer may not upload.
    let customer = app.register(&crate::helpers::unique_email()).await;
    let response = send(
        &app,
        Method::POST,
        &uploads,
        &customer.access,
        &json!({"content_type": "image/png", "size": 10}),
    )
    .await;
    assert_problem(response, 403, "forbidden").await;
}
