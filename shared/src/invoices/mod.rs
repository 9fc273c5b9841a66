//! PDF invoices and credit notes, made by the worker: an order's invoice when it is paid
//! (`order.paid`), a credit note for each refund (`order.refunded`: a refund, a cancelled paid
//! order, a received return). Each is numbered once (`store::invoices`), rendered
//! ([`document`], [`pdf`]) and stored privately under a key nobody can guess; the buyer gets
//! it through a presigned GET that lasts 5 minutes (`api::orders_invoice`).

pub mod document;
pub mod pdf;

use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts;
use crate::error::ApiError;
use crate::notify::{Event, EventKind};
use crate::state::AppState;
use crate::store::invoices::{self as store, Document, Kind};
use crate::store::orders::{self, Order};
use crate::store::settings;

/// How long a presigned invoice link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the PDF could not be stored: {0}")]
    Blob(String),
}

/// What the worker does with `event`: an invoice for `order.paid`, a credit note for
/// `order.refunded`; nothing for the rest.
pub async fn on_event(state: &AppState, event: &Event) -> Result<(), InvoiceError> {
    let Some(order_id) = event.order_id.as_deref() else {
        return Ok(());
    };
    match event.kind {
        EventKind::OrderPaid => issue(state, order_id).await.map(|_| ()),
        EventKind::OrderRefunded => credit(state, order_id, event).await,
        _ => Ok(()),
    }
}

/// The order's invoice, numbered and stored once (a repeat finds it and stores the PDF again
/// only if that did not happen).
pub async fn issue(state: &AppState, order_id: &str) -> Result<Option<Document>, InvoiceError> {
    match orders::get(state.reader(), order_id).await? {
        Some(order) => invoice_of(state, &order).await,
        None => Ok(None),
    }
}

/// [`issue`] for an order already read.
async fn invoice_of(state: &AppState, order: &Order) -> Result<Option<Document>, InvoiceError> {
    if order.payment.amount_paid == 0 && order.total > 0 {
        return Ok(None);
    }
    let sk = store::sk(Kind::Invoice, None);
    let draft = draft(&order.id, Kind::Invoice, order.total);
    let doc = store::number(state.table(), &sk, draft).await?;
    if !doc.ready {
        let seller = settings::read(state.reader()).await?.seller;
        let date = doc.issued_at.get(..10).unwrap_or_default();
        let lines = document::invoice(order, &seller, &doc.number, date);
        store_pdf(state, &doc, &sk, &lines).await?;
    }
    Ok(Some(doc))
}

async fn credit(state: &AppState, order_id: &str, event: &Event) -> Result<(), InvoiceError> {
    let Some(order) = orders::get(state.reader(), order_id).await? else {
        return Ok(());
    };
    let Some(invoice) = invoice_of(state, &order).await? else {
        return Ok(());
    };
    let amount = event.amount.unwrap_or(0);
    let sk = store::sk(Kind::CreditNote, Some(&event.id));
    let doc = store::number(
        state.table(),
        &sk,
        draft(order_id, Kind::CreditNote, amount),
    )
    .await?;
    if !doc.ready {
        let seller = settings::read(state.reader()).await?.seller;
        let date = doc.issued_at.get(..10).unwrap_or_default();
        let lines =
            document::credit_note(&order, &seller, &doc.number, &invoice.number, amount, date);
        store_pdf(state, &doc, &sk, &lines).await?;
    }
    Ok(())
}

fn draft(order_id: &str, kind: Kind, amount: i64) -> Document {
    Document {
        order_id: order_id.to_owned(),
        kind,
        number: String::new(),
        seq: 0,
        // 24 random bytes: the object's name cannot be guessed from the order or the number.
        key: format!("invoices/{}", crate::crypto::random_token(24)),
        amount,
        issued_at: accounts::rfc3339(accounts::now()),
        ready: false,
    }
}

async fn store_pdf(
    state: &AppState,
    doc: &Document,
    sk: &str,
    lines: &[pdf::Line],
) -> Result<(), InvoiceError> {
    let bytes = pdf::render(&doc.number, lines);
    let key = format!("{}/{}.pdf", doc.key, doc.number);
    state
        .blobs()
        .put_private(&key, bytes, "application/pdf")
        .await
        .map_err(|e| InvoiceError::Blob(e.to_string()))?;
    store::mark_ready(state.table(), &doc.order_id, sk).await?;
    tracing::info!(order = doc.order_id, number = doc.number, "document stored");
    Ok(())
}

/// A document as the buyer gets it: a link that works for 5 minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentLink {
    /// `INV-000042`, `CN-000007`.
    pub number: String,
    /// A presigned GET of the PDF.
    pub url: String,
    pub expires_at: String,
    /// The invoice's total, or the credit note's refund (minor units).
    pub amount: i64,
}

/// The order's invoice (its link) and its credit notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    pub number: String,
    pub url: String,
    pub expires_at: String,
    pub amount: i64,
    pub credit_notes: Vec<DocumentLink>,
}

/// Links to the order's documents: 409 `invoice_not_ready` until its invoice is stored.
pub async fn links(state: &AppState, order_id: &str) -> Result<InvoiceView, ApiError> {
    let docs = store::of_order(state.reader(), order_id).await?;
    let Some(invoice) = docs.iter().find(|d| d.kind == Kind::Invoice && d.ready) else {
        return Err(ApiError::InvoiceNotReady);
    };
    let expires_at = accounts::rfc3339(
        accounts::now() + time::Duration::seconds(LINK_LIFETIME.as_secs() as i64),
    );
    let mut credit_notes = Vec::new();
    for doc in docs
        .iter()
        .filter(|d| d.kind == Kind::CreditNote && d.ready)
    {
        credit_notes.push(link(state, doc, &expires_at).await?);
    }
    let invoice = link(state, invoice, &expires_at).await?;
    Ok(InvoiceView {
        number: invoice.number,
        url: invoice.url,
        expires_at: invoice.expires_at,
        amount: invoice.amount,
        credit_notes,
    })
}

async fn link(
    state: &AppState,
    doc: &Document,
    expires_at: &str,
) -> Result<DocumentLink, ApiError> {
    let key = format!("{}/{}.pdf", doc.key, doc.number);
    let url = state
        .blobs()
        .presign_get(&key, LINK_LIFETIME)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "an invoice link could not be made");
            ApiError::UpstreamUnavailable("storage")
        })?;
    Ok(DocumentLink {
        number: doc.number.clone(),
        url,
        expires_at: expires_at.to_owned(),
        amount: doc.amount,
    })
}
