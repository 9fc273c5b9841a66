//! Who may do what: `customer` < `staff` (catalog) < `admin` (everything).

use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Staff,
    Admin,
}

impl Role {
    /// True when this role may act where `required` is needed.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Role::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Admin.allows(Staff) && Admin.allows(Customer) && Staff.allows(Customer));
        assert!(!Customer.allows(Staff) && !Staff.allows(Admin));
    }
}
