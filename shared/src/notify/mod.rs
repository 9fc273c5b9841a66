//! Work that leaves the request path through the queue: the message envelope, emails and
//! their templates, and sending them through SES.

pub mod email;
pub mod event;
pub mod message;
mod send;

pub use email::{EmailKind, EmailMessage, OrderSummary, OrderSummaryLine, RenderedEmail};
pub use event::{Event, EventKind, publish};
pub use message::{Envelope, Job, enqueue, enqueue_after, enqueue_keyed};
pub use send::{SendError, send_email};
