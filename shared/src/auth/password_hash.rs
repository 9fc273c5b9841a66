//! Argon2id password hashing (parameters in docs/architecture.md).
//!
//! Logging in with an unknown email verifies against a fixed dummy hash, so it costs the same
//! time as a wrong password for a real account: no enumeration by timing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::Password;

/// OWASP's first recommended Argon2id setting: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of a password.
pub fn hash(password: &Password) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random source works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    argon2()
        .hash_password(password.expose().as_bytes(), &salt)
        .expect("hashing with valid parameters succeeds")
        .to_string()
}

/// True when `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The password behind [`DUMMY_PHC`] (what its test checks); it matters to no account, since
/// nobody logs in to an account that does not exist.
#[cfg(test)]
const DUMMY_PASSWORD: &str = "dummy-password-never-matches";
/// A hash of [`DUMMY_PASSWORD`] with our parameters, made once and kept here: hashing it on the
/// first unknown-email login would cost a cold function one more Argon2 run (about 40 ms).
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$+IvVhosxW2k68WDEiFfR3A$ir7SBSkWuEiAV82DJtkyGsalvzImy70U419GQ8dlZdk";

/// Spends the time of one verification, for an account that does not exist.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, DUMMY_PHC);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_their_parameters() {
        let pw = Password::parse("correct horse battery").unwrap();
        let phc = hash(&pw);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse battery!", &phc));
        assert!(!verify("anything", "not a hash"));
        assert_ne!(phc, hash(&pw), "salted");
    }

    #[test]
    fn the_dummy_hash_is_a_real_hash_with_our_parameters() {
        let pw = Password::parse(DUMMY_PASSWORD).unwrap();
        let ours = hash(&pw);
        let params = |phc: &str| phc.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(
            params(DUMMY_PHC),
            params(&ours),
            "same algorithm, version and cost"
        );
        assert!(
            verify(DUMMY_PASSWORD, DUMMY_PHC),
            "so it costs a full verification"
        );
        assert!(!verify("dummy-password-never-matche", DUMMY_PHC));
    }
}
