//! The demo catalog the local server seeds on first start, so that `make run` shows a real
//! shop at once: a category tree three levels deep, about 240 products (a few drafts, stock
//! levels from plenty to low to none, some pro-tier and featured ones), bundles of every
//! type, and a picture for each product (its category's shape on its adjective's colour). It is
//! generated deterministically (the same catalog every time) and written through the same store
//! functions the staff routes use; the pictures go to the local S3 as uploads would and their
//! display sizes are made by the images worker from the image queue, as after an attach.

use std::collections::BTreeMap;
use std::sync::Arc;

use shop::AppState;
use shop::catalog::image::{ImageJob, ImageType, original_key};
use shop::domain::catalog::{ProductStatus, Tier};
use shop::store::bundles::{self, Bundle, BundleType};
use shop::store::categories::{self, Category};
use shop::store::products::{self, Image, Product, Variant};

/// The categories: (slug, name, parent).
const CATEGORIES: &[(&str, &str, Option<&str>)] = &[
    ("home-living", "Home & Living", None),
    ("kitchen", "Kitchen", Some("home-living")),
    ("mugs", "Mugs", Some("kitchen")),
    ("teapots", "Teapots", Some("kitchen")),
    ("lighting", "Lighting", Some("home-living")),
    ("textiles", "Textiles", Some("home-living")),
    ("outdoors", "Outdoors", None),
    ("garden", "Garden", Some("outdoors")),
    ("camping", "Camping", Some("outdoors")),
    ("stationery", "Stationery", None),
    ("notebooks", "Notebooks", Some("stationery")),
    ("pens", "Pens", Some("stationery")),
];

/// What products each leaf category holds: (category, nouns, base price in pence).
const LEAVES: &[(&str, &[&str], i64)] = &[
    ("mugs", &["Mug", "Cup", "Beaker"], 1200),
    ("teapots", &["Teapot", "Tea Set", "Kettle"], 3400),
    ("lighting", &["Lamp", "Pendant", "Lantern"], 4500),
    ("textiles", &["Throw", "Cushion", "Tea Towel"], 1900),
    ("garden", &["Planter", "Trowel", "Watering Can"], 1600),
    ("camping", &["Mug", "Blanket", "Flask"], 2200),
    ("notebooks", &["Notebook", "Journal", "Sketchbook"], 900),
    ("pens", &["Fountain Pen", "Pencil Set", "Ink"], 1400),
];

const ADJECTIVES: &[&str] = &[
    "Speckled",
    "Classic",
    "Hand-thrown",
    "Midnight",
    "Sage",
    "Oat",
    "Copper",
    "Linen",
    "Walnut",
    "Harbour",
    "Meadow",
    "Slate",
];

/// How many products the demo catalog has.
pub const PRODUCTS: usize = 240;

/// The generated catalog.
pub struct DemoCatalog {
    pub categories: Vec<Category>,
    pub products: Vec<(Product, Vec<Variant>)>,
    pub bundles: Vec<Bundle>,
}

/// The demo catalog of `count` products, the same every time.
pub fn generate(count: usize) -> DemoCatalog {
    let created = |minutes_ago: usize| {
        let t = time::macros::datetime!(2026-11-01 09:00 UTC)
            - time::Duration::minutes(minutes_ago as i64);
        shop::accounts::rfc3339(t)
    };
    let categories = CATEGORIES
        .iter()
        .map(|(slug, name, parent)| Category {
            slug: (*slug).to_owned(),
            name: (*name).to_owned(),
            parent: parent.map(str::to_owned),
            created_at: created(100_000),
        })
        .collect();
    let mut products = Vec::with_capacity(count);
    for i in 0..count {
        let (category, nouns, base) = LEAVES[i % LEAVES.len()];
        let noun = nouns[(i / LEAVES.len()) % nouns.len()];
        let adjective = ADJECTIVES[(i * 7) % ADJECTIVES.len()];
        let name = format!("{adjective} {noun} No. {}", i + 1);
        let slug = shop::domain::catalog::Slug::from_name(&name)
            .expect("demo names make slugs")
            .as_str()
            .to_owned();
        // Stock: none for every 10th product, low for the next, plenty otherwise.
        let stock = match i % 10 {
            0 => 0,
            1 => 3,
            _ => 20 + (i % 50) as i64,
        };
        let sizes: &[(&str, i64)] = match i % 3 {
            0 => &[("One size", 0)],
            1 => &[("Small", 0), ("Large", 600)],
            _ => &[("Small", 0), ("Medium", 300), ("Large", 700)],
        };
        let variants: Vec<Variant> = sizes
            .iter()
            .enumerate()
            .map(|(v, (size, extra))| Variant {
                sku: format!("DEMO-{:04}-{}", i + 1, v + 1),
                name: (*size).to_owned(),
                price: base + (i as i64 % 9) * 100 + extra - 1,
                stock,
                attributes: [("size".to_owned(), (*size).to_owned())].into(),
                unique: false,
                stripe_price: None,
            })
            .collect();
        let at = created(i * 37);
        products.push((
            Product {
                id: ulid::Ulid::new().to_string(),
                slug,
                name,
                description: format!(
                    "A {} {} for everyday use, made to last. Part of the demo catalog.",
                    adjective.to_lowercase(),
                    noun.to_lowercase()
                ),
                category: Some(category.to_owned()),
                tags: vec![category.to_owned(), adjective.to_lowercase()],
                featured: i % 11 == 0,
                tier: if i % 7 == 0 {
                    Tier::Pro
                } else {
                    Tier::Standard
                },
                status: if i % 25 == 24 {
                    ProductStatus::Draft
                } else {
                    ProductStatus::Active
                },
                price_from: variants.iter().map(|v| v.price).min().unwrap_or_default(),
                rating_sum: 0,
                rating_count: 0,
                created_at: at.clone(),
                updated_at: at,
                images: Default::default(),
            },
            variants,
        ));
    }
    let bundles = demo_bundles(&products, &created(0));
    DemoCatalog {
        categories,
        products,
        bundles,
    }
}

/// Three bundles of each type, each of three active products in stock (a pro one for pro).
fn demo_bundles(products: &[(Product, Vec<Variant>)], at: &str) -> Vec<Bundle> {
    let on_sale: Vec<&(Product, Vec<Variant>)> = products
        .iter()
        .filter(|(p, v)| p.status == ProductStatus::Active && v[0].stock > 5)
        .collect();
    let pro: Vec<_> = on_sale
        .iter()
        .filter(|(p, _)| p.tier == Tier::Pro)
        .collect();
    let mut out = Vec::new();
    for (t, kind) in [BundleType::Standard, BundleType::Pro, BundleType::Special]
        .into_iter()
        .enumerate()
    {
        for n in 0..3 {
            let start = (t * 3 + n) * 3;
            let mut parts: Vec<&(Product, Vec<Variant>)> =
                on_sale.iter().skip(start + 40).take(3).copied().collect();
            if kind == BundleType::Pro {
                parts[0] = pro[n % pro.len()];
            }
            let name = format!("{} Bundle {}", kind_name(kind), n + 1);
            out.push(Bundle {
                slug: format!("{}-bundle-{}", kind.as_str(), n + 1),
                name,
                description: "Three favourites together, for less.".to_owned(),
                r#type: kind,
                discount_percent: if kind == BundleType::Special { 15 } else { 10 },
                skus: parts.iter().map(|(_, v)| v[0].sku.clone()).collect(),
                product_ids: parts.iter().map(|(p, _)| p.id.clone()).collect(),
                created_at: at.to_owned(),
                updated_at: at.to_owned(),
            });
        }
    }
    out
}

fn kind_name(kind: BundleType) -> &'static str {
    match kind {
        BundleType::Standard => "Starter",
        BundleType::Pro => "Pro",
        BundleType::Special => "Special",
    }
}

/// The side of a demo picture, in pixels.
const PICTURE_SIDE: u32 = 600;

/// A demo picture as a JPEG: the leaf category's shape (one of eight) in white on a colour
/// chosen by the adjective (one of twelve).
pub fn picture(leaf: usize, adjective: usize) -> Vec<u8> {
    let hue = adjective as f32 / ADJECTIVES.len() as f32;
    let background = hsl_to_rgb(hue, 0.45, 0.62);
    let shade = hsl_to_rgb(hue, 0.45, 0.42);
    let side = PICTURE_SIDE as f32;
    let pixels = image::RgbImage::from_fn(PICTURE_SIDE, PICTURE_SIDE, |x, y| {
        // -1..1 from the centre.
        let (u, v) = (2.0 * x as f32 / side - 1.0, 2.0 * y as f32 / side - 1.0);
        let r = (u * u + v * v).sqrt();
        let inside = match leaf % 8 {
            0 => r < 0.55,
            1 => u.abs() < 0.45 && v.abs() < 0.45,
            2 => u.abs() + v.abs() < 0.6,
            3 => v > -0.5 && v < 0.45 && u.abs() < (v + 0.5) * 0.55,
            4 => (0.35..0.6).contains(&r),
            5 => v.abs() < 0.55 && ((v + 1.0) * 5.0) as i32 % 2 == 0 && u.abs() < 0.6,
            6 => u.abs() < 0.55 && ((u + 1.0) * 5.0) as i32 % 2 == 0 && v.abs() < 0.6,
            _ => (u.abs() < 0.15 && v.abs() < 0.55) || (v.abs() < 0.15 && u.abs() < 0.55),
        };
        // A soft shadow below and right of the shape, then the shape.
        let shadow = {
            let (u, v) = (u - 0.04, v - 0.04);
            (u * u + v * v).sqrt() < 0.7
        };
        match (inside, shadow) {
            (true, _) => image::Rgb([250, 250, 247]),
            (false, true) => image::Rgb(shade),
            _ => image::Rgb(background),
        }
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85)
        .encode_image(&pixels)
        .expect("encoding to memory does not fail");
    bytes
}

fn hsl_to_rgb(h: f32, s: f32, l: f32) -> [u8; 3] {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let h6 = h * 6.0;
    let x = c * (1.0 - (h6 % 2.0 - 1.0).abs());
    let (r, g, b) = match h6 as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r, g, b].map(|v| ((v + m) * 255.0).round() as u8)
}

/// What seeding did, to be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSeeded {
    pub categories: usize,
    pub products: usize,
    pub bundles: usize,
}

/// Seeds the demo catalog unless it is there already (its first category is the marker).
/// `None` when it was there.
pub async fn seed(state: &AppState) -> Result<Option<DemoSeeded>, String> {
    let table = state.table();
    let marker = CATEGORIES[0].0;
    if categories::get(table, marker)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(None);
    }
    let mut catalog = generate(PRODUCTS);
    // One picture per (category, adjective) pair, shared by the products that have both.
    let mut pictures: BTreeMap<(usize, usize), Arc<Vec<u8>>> = BTreeMap::new();
    let blobs = state.blobs();
    let mut uploads = Vec::with_capacity(catalog.products.len());
    for (i, (product, _)) in catalog.products.iter_mut().enumerate() {
        let kind = (i % LEAVES.len(), (i * 7) % ADJECTIVES.len());
        let bytes = pictures
            .entry(kind)
            .or_insert_with(|| Arc::new(picture(kind.0, kind.1)))
            .clone();
        let image_id = ulid::Ulid::new().to_string();
        let key = original_key(&product.id, &image_id, ImageType::Jpeg);
        let image = Image {
            id: image_id.clone(),
            url: blobs.public_url(&key),
            key: key.clone(),
            alt: product.name.clone(),
            content_type: ImageType::Jpeg.content_type().to_owned(),
            created_at: product.created_at.clone(),
            sizes: None,
            position: None,
        };
        product.images.insert(image_id.clone(), image);
        uploads.push((
            ImageJob {
                product_id: product.id.clone(),
                image_id,
                key,
            },
            bytes,
        ));
    }
    for category in &catalog.categories {
        categories::create(table, category)
            .await
            .map_err(|e| format!("category {}: {e}", category.slug))?;
    }
    // Eight products at a time: the emulator takes them in a few seconds. Each picture is
    // uploaded before its product is written, and its sizes asked for after.
    let mut pending = catalog.products.iter().zip(uploads);
    loop {
        let mut batch = tokio::task::JoinSet::new();
        for ((product, variants), (job, bytes)) in pending.by_ref().take(8) {
            let (table, product, variants) = (table.clone(), product.clone(), variants.clone());
            let (blobs, queue) = (blobs.clone(), state.image_queue().clone());
            batch.spawn(async move {
                blobs
                    .put_immutable(&job.key, bytes.to_vec(), ImageType::Jpeg.content_type())
                    .await
                    .map_err(|e| format!("picture of {}: {e}", product.slug))?;
                products::create(&table, &product, &variants)
                    .await
                    .map_err(|e| format!("product {}: {e}", product.slug))?;
                let body = serde_json::to_string(&job).map_err(|e| e.to_string())?;
                queue
                    .send(body)
                    .await
                    .map_err(|e| format!("image job of {}: {e}", product.slug))
            });
        }
        if batch.is_empty() {
            break;
        }
        while let Some(done) = batch.join_next().await {
            done.map_err(|e| e.to_string())??;
        }
    }
    for bundle in &catalog.bundles {
        bundles::create(table, bundle)
            .await
            .map_err(|e| format!("bundle {}: {e}", bundle.slug))?;
    }
    Ok(Some(DemoSeeded {
        categories: catalog.categories.len(),
        products: catalog.products.len(),
        bundles: catalog.bundles.len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_pictures_are_jpegs_that_differ_by_category_and_colour() {
        let a = picture(0, 0);
        assert_eq!(ImageType::sniff(&a), Some(ImageType::Jpeg));
        let decoded = image::load_from_memory(&a).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (PICTURE_SIDE, PICTURE_SIDE)
        );
        assert_ne!(a, picture(1, 0));
        assert_ne!(a, picture(0, 1));
    }

    #[test]
    fn the_demo_catalog_has_what_a_real_shop_shows() {
        let c = generate(PRODUCTS);
        let active = c
            .products
            .iter()
            .filter(|(p, _)| p.status == ProductStatus::Active)
            .count();
        assert!(active >= 200, "{active} active");
        assert!(
            c.products
                .iter()
                .any(|(p, _)| p.status == ProductStatus::Draft)
        );
        let stocks: Vec<i64> = c.products.iter().map(|(_, v)| v[0].stock).collect();
        assert!(stocks.contains(&0) && stocks.contains(&3) && stocks.iter().any(|s| *s > 5));
        assert!(c.products.iter().any(|(p, _)| p.tier == Tier::Pro));
        assert!(c.products.iter().any(|(p, _)| p.featured));
        // Three levels: home-living > kitchen > mugs.
        let parent = |slug: &str| {
            c.categories
                .iter()
                .find(|x| x.slug == slug)
                .and_then(|x| x.parent.clone())
        };
        assert_eq!(parent("mugs").as_deref(), Some("kitchen"));
        assert_eq!(parent("kitchen").as_deref(), Some("home-living"));
        // Unique slugs and skus, bundles of every type following the rules.
        let slugs: std::collections::BTreeSet<_> =
            c.products.iter().map(|(p, _)| &p.slug).collect();
        assert_eq!(slugs.len(), c.products.len());
        for kind in [BundleType::Standard, BundleType::Pro, BundleType::Special] {
            assert_eq!(c.bundles.iter().filter(|b| b.r#type == kind).count(), 3);
        }
        for b in &c.bundles {
            let parts: Vec<_> = b
                .product_ids
                .iter()
                .map(|id| c.products.iter().find(|(p, _)| &p.id == id).unwrap())
                .collect();
            let distinct: std::collections::BTreeSet<_> = b.product_ids.iter().collect();
            assert_eq!(distinct.len(), 3, "{}", b.slug);
            if b.r#type == BundleType::Pro {
                assert!(parts.iter().any(|(p, _)| p.tier == Tier::Pro), "{}", b.slug);
            }
        }
    }
}
