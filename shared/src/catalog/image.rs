//! Product images: which uploads are accepted (JPEG, PNG or WebP, at most 10 MB), where they
//! live in the bucket, and how an object's first bytes prove what it is.
//!
//! Keys: `images/<product id>/<image id>/original.<ext>` for the upload, and the display sizes
//! beside it. The `images/` prefix is the public one; the key names its product, so an upload
//! made for one product cannot be attached to another.

use serde::{Deserialize, Serialize};

/// The largest upload.
pub const MAX_IMAGE_BYTES: i64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
}

impl ImageType {
    pub fn from_content_type(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" => Some(Self::Jpeg),
            "image/png" => Some(Self::Png),
            "image/webp" => Some(Self::Webp),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    fn from_extension(ext: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp]
            .into_iter()
            .find(|t| t.extension() == ext)
    }

    /// What an object's first bytes (at least 12) say it is.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// Where an image's original goes.
pub fn original_key(product_id: &str, image_id: &str, kind: ImageType) -> String {
    format!(
        "images/{product_id}/{image_id}/original.{}",
        kind.extension()
    )
}

/// Where a display size (`thumbnail` or `large`) of an image goes.
pub fn sized_key(product_id: &str, image_id: &str, size: &str, extension: &str) -> String {
    format!("images/{product_id}/{image_id}/{size}.{extension}")
}

/// The message the attach route puts on the image queue: make this image's display sizes.
/// Everything the images worker needs travels in it, so it reads no product first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageJob {
    pub product_id: String,
    pub image_id: String,
    /// The original's key.
    pub key: String,
}

impl ImageJob {
    /// The original's type, when the job names an original of its own product and image.
    pub fn original_type(&self) -> Option<ImageType> {
        parse_original_key(&self.key, &self.product_id)
            .filter(|(image_id, _)| *image_id == self.image_id)
            .map(|(_, kind)| kind)
    }
}

/// The image id and type of an original's key, when it is one of `product_id`'s.
pub fn parse_original_key(key: &str, product_id: &str) -> Option<(String, ImageType)> {
    let rest = key.strip_prefix("images/")?.strip_prefix(product_id)?;
    let rest = rest.strip_prefix('/')?;
    let (image_id, file) = rest.split_once('/')?;
    let kind = ImageType::from_extension(file.strip_prefix("original.")?)?;
    (ulid::Ulid::from_string(image_id).is_ok()).then(|| (image_id.to_owned(), kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_only_for_their_product() {
        let id = ulid::Ulid::new().to_string();
        let key = original_key("P1", &id, ImageType::Png);
        assert_eq!(
            parse_original_key(&key, "P1"),
            Some((id.clone(), ImageType::Png))
        );
        assert_eq!(parse_original_key(&key, "P2"), None);
        assert_eq!(parse_original_key(&key, "P"), None, "a prefix of the id");
        assert_eq!(
            parse_original_key(&format!("images/P1/{id}/original.gif"), "P1"),
            None
        );
        assert_eq!(parse_original_key("images/P1/../original.png", "P1"), None);
    }

    #[test]
    fn a_job_is_trusted_only_for_an_original_of_its_own_image() {
        let id = ulid::Ulid::new().to_string();
        let job = ImageJob {
            product_id: "P1".into(),
            image_id: id.clone(),
            key: original_key("P1", &id, ImageType::Webp),
        };
        assert_eq!(job.original_type(), Some(ImageType::Webp));
        let other = ImageJob {
            image_id: ulid::Ulid::new().to_string(),
            ..job.clone()
        };
        assert_eq!(other.original_type(), None);
        assert_eq!(
            sized_key("P1", &id, "thumbnail", "jpg"),
            format!("images/P1/{id}/thumbnail.jpg")
        );
    }

    #[test]
    fn first_bytes_tell_the_type() {
        assert_eq!(
            ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(
            ImageType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\0"),
            Some(ImageType::Png)
        );
        assert_eq!(
            ImageType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageType::Webp)
        );
        assert_eq!(ImageType::sniff(b"GIF89a......"), None);
        assert_eq!(ImageType::sniff(b"<svg xmlns="), None);
        assert_eq!(
            ImageType::from_content_type("IMAGE/PNG"),
            Some(ImageType::Png)
        );
        assert_eq!(ImageType::from_content_type("image/gif"), None);
    }
}
