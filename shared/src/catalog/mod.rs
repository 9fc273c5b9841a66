//! The catalog's rules that span several items: what a product sent by staff must be, and how
//! products and categories are shown to staff and to the public.

pub mod product;
pub mod tree;
