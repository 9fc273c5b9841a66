//! What a function may use, declared once per route ([`crate::api::Route::needs`]): the AWS
//! clients it builds (each one IAM policy in template.yaml) and the settings it is given (each
//! a few environment variables). Everything else follows from this list: the policies and
//! variables in template.yaml (checked by tests/api/drift.rs), the configuration a function
//! reads at cold start, and the state its handler sees.

/// What a function may use: each AWS client maps to one IAM policy in template.yaml, and each
/// need maps to the environment variables the function is given (nothing else is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// Reads the table only (DynamoDBReadPolicy): the handler gets a `TableReader`.
    TableRead,
    /// Reads and writes the table (DynamoDBCrudPolicy).
    TableWrite,
    /// Sends to the work queue (SQSSendMessagePolicy).
    Queue,
    /// Sends to the image queue, drained by the images worker (SQSSendMessagePolicy on it).
    ImageQueue,
    /// Sends to the work queue's dead-letter queue (SQSSendMessagePolicy on it): the worker
    /// puts a message it cannot read there at once, instead of retrying it five times.
    DeadLetters,
    /// Sends email (SESCrudPolicy scoped to the sender), signed with the shop's name.
    Mailer,
    /// Presigns or writes objects in the bucket (S3CrudPolicy).
    Blobs,
    /// Issues or checks access tokens and signs list cursors (the JWT signing keys).
    AccessTokens,
    /// Writes links to the storefront into messages (the public base URL).
    Links,
    /// Checks Google ID tokens (the OAuth client id).
    Google,
    /// Calls Stripe (the secret key; the API base, which only tests change).
    Stripe,
    /// Verifies Stripe's webhook signatures (the endpoint's signing secret).
    StripeWebhook,
}

impl Need {
    /// Every need: what the local server, which serves every route, has.
    pub const ALL: &'static [Need] = &[
        Need::TableRead,
        Need::TableWrite,
        Need::Queue,
        Need::ImageQueue,
        Need::DeadLetters,
        Need::Mailer,
        Need::Blobs,
        Need::AccessTokens,
        Need::Links,
        Need::Google,
        Need::Stripe,
        Need::StripeWebhook,
    ];

    /// The SAM policy template this need grants, if it is an AWS client.
    pub fn policy(self) -> Option<&'static str> {
        match self {
            Need::TableRead => Some("DynamoDBReadPolicy"),
            Need::TableWrite => Some("DynamoDBCrudPolicy"),
            Need::Queue | Need::ImageQueue | Need::DeadLetters => Some("SQSSendMessagePolicy"),
            Need::Mailer => Some("SESCrudPolicy"),
            Need::Blobs => Some("S3CrudPolicy"),
            Need::AccessTokens
            | Need::Links
            | Need::Google
            | Need::Stripe
            | Need::StripeWebhook => None,
        }
    }

    /// The environment variables template.yaml sets for a function with this need (besides
    /// the Globals every function has). Optional tuning variables with defaults are not listed.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Need::TableRead | Need::TableWrite => &["TABLE_NAME"],
            Need::Queue => &["QUEUE_URL"],
            Need::ImageQueue => &["IMAGE_QUEUE_URL"],
            Need::DeadLetters => &["DEAD_LETTER_QUEUE_URL"],
            Need::Mailer => &["EMAIL_FROM", "SHOP_NAME"],
            Need::Blobs => &["BUCKET_NAME"],
            Need::AccessTokens => &["JWT_SIGNING_KEYS"],
            Need::Links => &["PUBLIC_BASE_URL", "ALLOWED_RETURN_ORIGINS"],
            Need::Google => &["GOOGLE_CLIENT_ID"],
            Need::Stripe => &["STRIPE_SECRET_KEY"],
            Need::StripeWebhook => &["STRIPE_WEBHOOK_SECRET"],
        }
    }
}

/// The variables every function gets from template.yaml's Globals. `SSL_CERT_FILE` names
/// provided.al2023's one bundle of root certificates, so a function that makes its first TLS
/// connection reads that file and no directory of them (rustls-native-certs reads only what
/// the variable names).
pub const GLOBAL_VARIABLES: &[&str] = &["LOG_FORMAT", "RUST_LOG", "SSL_CERT_FILE"];
