//! The state every handler borrows from: the configuration and the clients this function built,
//! and [`Need`], the one list that says what a function may have.
//!
//! A route declares its needs (see [`crate::api::Route::needs`]); its Lambda binary builds only
//! those clients and its configuration holds only those settings. The local server builds
//! everything but hands each route a state narrowed to its needs ([`AppState::only`]), so a
//! route that uses something it did not declare fails in the tests as it would on Lambda.
//! Handlers take the state as `State<AppState>` and call [`AppState::table`] and so on.

use std::sync::Arc;

use crate::auth::AuthKeys;
use crate::auth::google::GoogleKeys;
use crate::aws::{Blobs, Mailer, Queue, Table, TableReader};
use crate::config::Config;
pub use crate::need::{GLOBAL_VARIABLES, Need};
use crate::stripe::Stripe;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    auth: Option<Arc<AuthKeys>>,
    google: Option<Arc<GoogleKeys>>,
    stripe: Option<Stripe>,
    table: Option<Table>,
    reader: Option<TableReader>,
    queue: Option<Queue>,
    image_queue: Option<Queue>,
    dead_letters: Option<Queue>,
    mailer: Option<Mailer>,
    blobs: Option<Blobs>,
}

#[derive(Debug, thiserror::Error)]
#[error("this function was built without the {0:?} its route needs")]
pub struct MissingNeed(pub Need);

impl AppState {
    /// A state with the configuration's keys parsed; clients are added with `with_*`.
    pub fn new(config: Config) -> Self {
        Self {
            auth: config.tokens.as_ref().map(|t| Arc::new(AuthKeys::new(t))),
            google: config
                .google
                .as_ref()
                .map(|g| Arc::new(GoogleKeys::new(g.client_id.clone(), g.jwks_url.clone()))),
            // Built only by the functions that call Stripe (`with_stripe`): constructing it
            // here would link its HTTP and TLS stack into every function.
            stripe: None,
            config: Arc::new(config),
            table: None,
            reader: None,
            queue: None,
            image_queue: None,
            dead_letters: None,
            mailer: None,
            blobs: None,
        }
    }

    /// Adds the Stripe client (`Need::Stripe`).
    pub fn with_stripe(mut self, stripe: Stripe) -> Self {
        self.stripe = Some(stripe);
        self
    }

    /// Adds the read-write table (which also serves reads).
    pub fn with_table(mut self, table: Table) -> Self {
        self.reader = Some(table.reader());
        self.table = Some(table);
        self
    }

    /// Adds a read-only table handle.
    pub fn with_reader(mut self, reader: TableReader) -> Self {
        self.reader = Some(reader);
        self
    }

    pub fn with_queue(mut self, queue: Queue) -> Self {
        self.queue = Some(queue);
        self
    }

    pub fn with_image_queue(mut self, queue: Queue) -> Self {
        self.image_queue = Some(queue);
        self
    }

    pub fn with_dead_letters(mut self, queue: Queue) -> Self {
        self.dead_letters = Some(queue);
        self
    }

    pub fn with_mailer(mut self, mailer: Mailer) -> Self {
        self.mailer = Some(mailer);
        self
    }

    pub fn with_blobs(mut self, blobs: Blobs) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// Fails at cold start, not on the first request, when something a function needs is missing.
    pub fn require(&self, needs: &[Need]) -> Result<(), MissingNeed> {
        for need in needs {
            let present = match need {
                Need::TableRead => self.reader.is_some(),
                Need::TableWrite => self.table.is_some(),
                Need::Queue => self.queue.is_some(),
                Need::ImageQueue => self.image_queue.is_some(),
                Need::DeadLetters => self.dead_letters.is_some(),
                Need::Mailer => self.mailer.is_some(),
                Need::Blobs => self.blobs.is_some(),
                Need::AccessTokens => self.auth.is_some(),
                Need::Links => self.config.public_base_url.is_some(),
                Need::Google => self.google.is_some(),
                Need::Stripe => self.stripe.is_some(),
                Need::StripeWebhook => self.config.stripe_webhook_secret.is_some(),
            };
            if !present {
                return Err(MissingNeed(*need));
            }
        }
        Ok(())
    }

    /// The same state with only what `needs` allow: what a Lambda function with these needs
    /// would have. A `TableRead` route gets the read-only handle and no writer.
    pub fn only(&self, needs: &[Need]) -> Self {
        let has = |n: Need| needs.contains(&n);
        let writes = has(Need::TableWrite);
        Self {
            config: Arc::new(self.config.only(needs)),
            auth: self.auth.clone().filter(|_| has(Need::AccessTokens)),
            google: self.google.clone().filter(|_| has(Need::Google)),
            stripe: self.stripe.clone().filter(|_| has(Need::Stripe)),
            table: self.table.clone().filter(|_| writes),
            reader: self
                .reader
                .clone()
                .filter(|_| writes || has(Need::TableRead)),
            queue: self.queue.clone().filter(|_| has(Need::Queue)),
            image_queue: self.image_queue.clone().filter(|_| has(Need::ImageQueue)),
            dead_letters: self.dead_letters.clone().filter(|_| has(Need::DeadLetters)),
            mailer: self.mailer.clone().filter(|_| has(Need::Mailer)),
            blobs: self.blobs.clone().filter(|_| has(Need::Blobs)),
        }
    }

    /// The read-write table (`Need::TableWrite`).
    pub fn table(&self) -> &Table {
        self.table
            .as_ref()
            .expect("Need::TableWrite is declared by this route (checked at start-up)")
    }

    /// The table for reads (`Need::TableRead` or `Need::TableWrite`).
    pub fn reader(&self) -> &TableReader {
        self.reader
            .as_ref()
            .expect("Need::TableRead is declared by this route (checked at start-up)")
    }

    pub fn queue(&self) -> &Queue {
        self.queue
            .as_ref()
            .expect("Need::Queue is declared by this route (checked at start-up)")
    }

    pub fn image_queue(&self) -> &Queue {
        self.image_queue
            .as_ref()
            .expect("Need::ImageQueue is declared by this route (checked at start-up)")
    }

    pub fn dead_letters(&self) -> &Queue {
        self.dead_letters
            .as_ref()
            .expect("Need::DeadLetters is declared by this function (checked at start-up)")
    }

    pub fn mailer(&self) -> &Mailer {
        self.mailer
            .as_ref()
            .expect("Need::Mailer is declared by this route (checked at start-up)")
    }

    pub fn blobs(&self) -> &Blobs {
        self.blobs
            .as_ref()
            .expect("Need::Blobs is declared by this route (checked at start-up)")
    }

    /// The access-token keys and the cursor key (`Need::AccessTokens`).
    pub fn auth(&self) -> &AuthKeys {
        self.auth
            .as_deref()
            .expect("Need::AccessTokens is declared by this route (checked at start-up)")
    }

    /// Google's keys and the client id (`Need::Google`).
    pub fn google(&self) -> &GoogleKeys {
        self.google
            .as_deref()
            .expect("Need::Google is declared by this route (checked at start-up)")
    }

    /// Stripe's API (`Need::Stripe`).
    pub fn stripe(&self) -> &Stripe {
        self.stripe
            .as_ref()
            .expect("Need::Stripe is declared by this route (checked at start-up)")
    }

    /// The webhook endpoint's signing secret (`Need::StripeWebhook`).
    pub fn stripe_webhook_secret(&self) -> &str {
        self.config
            .stripe_webhook_secret
            .as_deref()
            .expect("Need::StripeWebhook is declared by this route (checked at start-up)")
    }

    /// True on the local stack (emulated services): webhooks may go to 127.0.0.1 over http
    /// and are retried after seconds rather than minutes.
    pub fn is_local(&self) -> bool {
        self.config.endpoints.is_local()
    }

    /// The storefront's base URL (`Need::Links`).
    pub fn public_base_url(&self) -> &str {
        self.config
            .public_base_url
            .as_deref()
            .expect("Need::Links is declared by this route (checked at start-up)")
    }

    /// Where a Checkout Session may send the buyer back to (`Need::Links`): the storefront's
    /// origin and `ALLOWED_RETURN_ORIGINS`; plain http only on the local stack.
    pub fn return_origins(&self) -> crate::domain::return_url::ReturnOrigins {
        let base = std::iter::once(self.public_base_url());
        let more = self
            .config
            .allowed_return_origins
            .iter()
            .map(String::as_str);
        crate::domain::return_url::ReturnOrigins::new(
            base.chain(more),
            self.config.endpoints.is_local(),
        )
    }
}
