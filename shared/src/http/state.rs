//! The state every handler borrows from: the configuration and the clients this function built.
//!
//! A Lambda binary builds only the clients its route needs (see [`crate::api::Route::needs`]);
//! the local server builds all of them. Handlers take the client they use as `State<Table>`
//! and so on, through [`FromRef`].

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::AuthKeys;
use crate::aws::{Blobs, Mailer, Queue, Table};
use crate::config::Config;

/// The AWS clients a route can need; each maps to one IAM policy in template.yaml.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Client {
    /// Reads the table only (DynamoDBReadPolicy).
    TableRead,
    /// Reads and writes the table (DynamoDBCrudPolicy).
    TableWrite,
    /// Sends to the work queue (SQSSendMessagePolicy).
    Queue,
    /// Sends email (SESCrudPolicy scoped to the sender).
    Mailer,
    /// Presigns or writes objects in the bucket (S3CrudPolicy).
    Blobs,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub auth: Arc<AuthKeys>,
    table: Option<Table>,
    queue: Option<Queue>,
    mailer: Option<Mailer>,
    blobs: Option<Blobs>,
}

#[derive(Debug, thiserror::Error)]
#[error("this function was built without the {0:?} client that its route needs")]
pub struct MissingClient(pub Client);

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            auth: Arc::new(AuthKeys::from_config(&config)),
            config: Arc::new(config),
            table: None,
            queue: None,
            mailer: None,
            blobs: None,
        }
    }

    pub fn with_table(mut self, table: Table) -> Self {
        self.table = Some(table);
        self
    }

    pub fn with_queue(mut self, queue: Queue) -> Self {
        self.queue = Some(queue);
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

    /// Fails at cold start, not on the first request, when a needed client was not built.
    pub fn require(&self, needs: &[Client]) -> Result<(), MissingClient> {
        for need in needs {
            let present = match need {
                Client::TableRead | Client::TableWrite => self.table.is_some(),
                Client::Queue => self.queue.is_some(),
                Client::Mailer => self.mailer.is_some(),
                Client::Blobs => self.blobs.is_some(),
            };
            if !present {
                return Err(MissingClient(*need));
            }
        }
        Ok(())
    }

    pub fn table(&self) -> &Table {
        self.table
            .as_ref()
            .expect("checked by AppState::require at start-up")
    }

    pub fn queue(&self) -> &Queue {
        self.queue
            .as_ref()
            .expect("checked by AppState::require at start-up")
    }

    pub fn mailer(&self) -> &Mailer {
        self.mailer
            .as_ref()
            .expect("checked by AppState::require at start-up")
    }

    pub fn blobs(&self) -> &Blobs {
        self.blobs
            .as_ref()
            .expect("checked by AppState::require at start-up")
    }
}

impl FromRef<AppState> for Table {
    fn from_ref(state: &AppState) -> Self {
        state.table().clone()
    }
}

impl FromRef<AppState> for Queue {
    fn from_ref(state: &AppState) -> Self {
        state.queue().clone()
    }
}

impl FromRef<AppState> for Mailer {
    fn from_ref(state: &AppState) -> Self {
        state.mailer().clone()
    }
}

impl FromRef<AppState> for Blobs {
    fn from_ref(state: &AppState) -> Self {
        state.blobs().clone()
    }
}

impl FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Self {
        state.config.clone()
    }
}
