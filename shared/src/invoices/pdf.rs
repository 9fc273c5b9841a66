//! Lays text lines out on A4 pages as a PDF (pdf-writer, Courier: one of the 14 fonts every
//! reader has, so nothing is embedded, and fixed-width, so columns line up by counting
//! characters). Text is written in WinAnsiEncoding: Latin-1 characters as they are, anything
//! else as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const SIZE: f32 = 9.0;
const LEADING: f32 = 12.5;
/// Characters that fit across the page at [`SIZE`] (Courier is 0.6 em wide).
pub const COLUMNS: usize = 91;
const LINES_PER_PAGE: usize = 58;

/// One line of the document: its text, and whether it is a heading (larger, bold).
pub struct Line {
    pub text: String,
    pub heading: bool,
}

fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .take(COLUMNS)
        .map(|c| match u32::from(c) {
            0x20..=0x7e | 0xa0..=0xff => c as u8,
            _ => b'?',
        })
        .collect()
}

/// The PDF of `lines`, `LINES_PER_PAGE` a page, with `title` in its metadata.
pub fn render(title: &str, lines: &[Line]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let pages: Vec<&[Line]> = lines.chunks(LINES_PER_PAGE).collect();
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(10 + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.document_info(info).title(TextStr(title));
    for name in [(regular, "Courier"), (bold, "Courier-Bold")] {
        pdf.type1_font(name.0)
            .base_font(Name(name.1.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, chunk) in pages.iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(11 + 2 * i as i32);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        resources.finish();
        page.finish();
        let mut content = Content::new();
        let mut y = HEIGHT - MARGIN;
        for line in *chunk {
            let (font, size) = if line.heading {
                (Name(b"F2"), SIZE + 5.0)
            } else {
                (Name(b"F1"), SIZE)
            };
            content.begin_text();
            content.set_font(font, size);
            content.next_line(MARGIN, y);
            content.show(Str(&encode(&line.text)));
            content.end_text();
            y -= if line.heading { LEADING + 6.0 } else { LEADING };
        }
        // A rule under the page's first line (the document's title on page one).
        content.set_line_width(0.5);
        content.move_to(MARGIN, HEIGHT - MARGIN - 8.0);
        content.line_to(WIDTH - MARGIN, HEIGHT - MARGIN - 8.0);
        content.stroke();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_one_page_per_fifty_eight_lines() {
        let lines: Vec<Line> = (0..70)
            .map(|i| Line {
                text: format!("line {i} é ☃"),
                heading: i == 0,
            })
            .collect();
        let bytes = render("Test", &lines);
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(
            text.matches("/Type /Page").count() - text.matches("/Type /Pages").count(),
            2
        );
        assert_eq!(encode("é☃"), vec![0xe9, b'?']);
    }
}
