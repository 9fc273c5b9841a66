//! Display sizes of a product image: a thumbnail for lists and a large size for the product
//! page, made from the uploaded original by the images worker. Pure: bytes in, bytes out.
//!
//! Each size fits inside a square box, keeps the aspect ratio and is never enlarged. Opaque
//! images become JPEG (small), images with transparency PNG (JPEG has no alpha). The camera's
//! EXIF orientation is applied, so a phone photo is shown upright.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::image::ImageType;

/// The box each display size fits in (pixels).
pub const THUMBNAIL_BOX: u32 = 400;
pub const LARGE_BOX: u32 = 1600;

/// The largest original accepted for decoding, in pixels per side: bigger than any camera,
/// small enough that a crafted header cannot make the worker allocate gigabytes.
pub const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 600 * 1024 * 1024;
const JPEG_QUALITY: u8 = 82;

/// One encoded display size.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendition {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// `jpg` or `png`.
    pub extension: &'static str,
    pub content_type: &'static str,
}

/// The thumbnail and the large size of one original.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplaySizes {
    pub thumbnail: Rendition,
    pub large: Rendition,
}

#[derive(Debug, thiserror::Error)]
pub enum ResizeError {
    /// The bytes are not a decodable image of the type (or too large to decode): retrying
    /// will not help.
    #[error("the original cannot be decoded: {0}")]
    Undecodable(String),
    #[error("a display size could not be encoded: {0}")]
    Encode(String),
}

/// Decodes `original` as `kind` and makes both display sizes.
pub fn display_sizes(original: &[u8], kind: ImageType) -> Result<DisplaySizes, ResizeError> {
    let image = decode(original, kind)?;
    Ok(DisplaySizes {
        thumbnail: render(&image, THUMBNAIL_BOX)?,
        large: render(&image, LARGE_BOX)?,
    })
}

fn decode(bytes: &[u8], kind: ImageType) -> Result<DynamicImage, ResizeError> {
    let undecodable = |e: image::ImageError| ResizeError::Undecodable(e.to_string());
    let format = match kind {
        ImageType::Jpeg => ImageFormat::Jpeg,
        ImageType::Png => ImageFormat::Png,
        ImageType::Webp => ImageFormat::WebP,
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let orientation = decoder.orientation().map_err(undecodable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The size of `width`×`height` scaled to fit `bound`×`bound`, never enlarged (at least 1×1).
pub fn fit(width: u32, height: u32, bound: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= bound {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(bound) + u64::from(longest) / 2) / u64::from(longest)) as u32
    };
    (scale(width).max(1), scale(height).max(1))
}

fn render(image: &DynamicImage, bound: u32) -> Result<Rendition, ResizeError> {
    let (width, height) = fit(image.width(), image.height(), bound);
    let sized = if (width, height) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.resize_exact(width, height, FilterType::Triangle)
    };
    let mut bytes = Vec::new();
    let encode = |e: image::ImageError| ResizeError::Encode(e.to_string());
    let (extension, content_type) = if sized.color().has_alpha() {
        sized
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .map_err(encode)?;
        ("png", "image/png")
    } else {
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
            .encode_image(&sized.to_rgb8())
            .map_err(encode)?;
        ("jpg", "image/jpeg")
    };
    Ok(Rendition {
        bytes,
        width,
        height,
        extension,
        content_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    #[test]
    fn fits_inside_the_box_keeping_the_ratio_and_never_enlarging() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 400), (300, 400));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(1600, 1600, 1600), (1600, 1600));
        assert_eq!(fit(12_000, 10, 400), (400, 1), "a sliver keeps a pixel");
    }

    #[test]
    fn an_opaque_png_becomes_two_jpegs_of_the_right_sizes() {
        let original = encoded(
            DynamicImage::ImageRgb8(RgbImage::from_pixel(2000, 1000, Rgb([200, 40, 40]))),
            ImageFormat::Png,
        );
        let sizes = display_sizes(&original, ImageType::Png).unwrap();
        assert_eq!((sizes.thumbnail.width, sizes.thumbnail.height), (400, 200));
        assert_eq!((sizes.large.width, sizes.large.height), (1600, 800));
        for r in [&sizes.thumbnail, &sizes.large] {
            assert_eq!((r.extension, r.content_type), ("jpg", "image/jpeg"));
            assert_eq!(ImageType::sniff(&r.bytes), Some(ImageType::Jpeg));
            let back = image::load_from_memory(&r.bytes).unwrap();
            assert_eq!((back.width(), back.height()), (r.width, r.height));
        }
    }

    #[test]
    fn transparency_is_kept_as_png_and_small_images_are_not_enlarged() {
        let original = encoded(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(300, 500, Rgba([0, 0, 0, 10]))),
            ImageFormat::Png,
        );
        let sizes = display_sizes(&original, ImageType::Png).unwrap();
        assert_eq!((sizes.thumbnail.width, sizes.thumbnail.height), (240, 400));
        assert_eq!((sizes.large.width, sizes.large.height), (300, 500));
        assert_eq!(sizes.large.extension, "png");
        let back = image::load_from_memory(&sizes.large.bytes).unwrap();
        assert!(back.color().has_alpha());
    }

    #[test]
    fn jpeg_and_webp_originals_decode() {
        let jpeg = encoded(
            DynamicImage::ImageRgb8(RgbImage::from_pixel(640, 480, Rgb([1, 2, 3]))),
            ImageFormat::Jpeg,
        );
        assert_eq!(
            display_sizes(&jpeg, ImageType::Jpeg)
                .unwrap()
                .thumbnail
                .width,
            400
        );
        let webp = encoded(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(64, 32, Rgba([9, 9, 9, 255]))),
            ImageFormat::WebP,
        );
        let sizes = display_sizes(&webp, ImageType::Webp).unwrap();
        assert_eq!((sizes.large.width, sizes.large.height), (64, 32));
    }

    #[test]
    fn garbage_a_wrong_type_and_a_giant_header_are_undecodable() {
        let png = encoded(
            DynamicImage::ImageRgb8(RgbImage::new(10, 10)),
            ImageFormat::Png,
        );
        let mut truncated = png.clone();
        truncated.truncate(40);
        for (bytes, kind) in [
            (b"\x89PNG\r\n\x1a\nnot really".to_vec(), ImageType::Png),
            (png.clone(), ImageType::Jpeg),
            (truncated, ImageType::Png),
        ] {
            assert!(matches!(
                display_sizes(&bytes, kind),
                Err(ResizeError::Undecodable(_))
            ));
        }
        // A PNG header claiming 50,000 × 50,000 pixels is refused before any allocation.
        let mut giant = png;
        giant[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        giant[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        assert!(matches!(
            display_sizes(&giant, ImageType::Png),
            Err(ResizeError::Undecodable(_))
        ));
    }
}
