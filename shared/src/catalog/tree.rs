//! The category tree as the public sees it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::store::categories::Category;

/// One category with its children, by name.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct CategoryNode {
    pub slug: String,
    pub name: String,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// The tree of `categories`: roots first, each level by name (case-insensitively). A category
/// whose parent is missing is shown at the top rather than lost.
pub fn build(categories: &[Category]) -> Vec<CategoryNode> {
    let known = |slug: &str| categories.iter().any(|c| c.slug == slug);
    let children_of = |parent: Option<&str>| -> Vec<&Category> {
        let mut out: Vec<&Category> = categories
            .iter()
            .filter(|c| match (c.parent.as_deref(), parent) {
                (Some(p), Some(wanted)) => p == wanted,
                (Some(p), None) => !known(p),
                (None, None) => true,
                (None, Some(_)) => false,
            })
            .collect();
        out.sort_by_key(|c| (c.name.to_lowercase(), c.slug.clone()));
        out
    };
    fn node<'a>(
        category: &'a Category,
        children_of: &dyn Fn(Option<&str>) -> Vec<&'a Category>,
        depth: usize,
    ) -> CategoryNode {
        CategoryNode {
            slug: category.slug.clone(),
            name: category.name.clone(),
            // The store refuses cycles; the depth bound only keeps a corrupt table harmless.
            children: if depth > crate::store::categories::MAX_DEPTH {
                Vec::new()
            } else {
                children_of(Some(&category.slug))
                    .into_iter()
                    .map(|c| node(c, children_of, depth + 1))
                    .collect()
            },
        }
    }
    children_of(None)
        .into_iter()
        .map(|c| node(c, &children_of, 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(slug: &str, name: &str, parent: Option<&str>) -> Category {
        Category {
            slug: slug.into(),
            name: name.into(),
            parent: parent.map(Into::into),
            created_at: "t".into(),
        }
    }

    #[test]
    fn builds_the_tree_by_name() {
        let tree = build(&[
            cat("mugs", "Mugs", Some("kitchen")),
            cat("kitchen", "Kitchen", None),
            cat("bowls", "bowls", Some("kitchen")),
            cat("garden", "Garden", None),
            cat("lost", "Lost", Some("gone")),
        ]);
        let names: Vec<_> = tree.iter().map(|n| n.slug.as_str()).collect();
        assert_eq!(names, ["garden", "kitchen", "lost"]);
        let kitchen: Vec<_> = tree[1].children.iter().map(|n| n.slug.as_str()).collect();
        assert_eq!(kitchen, ["bowls", "mugs"]);
    }
}
