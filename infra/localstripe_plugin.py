"""What the shop needs from Stripe that localstripe lacks, added inside localstripe's own process
(docs/operations.md, "Stripe"; ../shared/brief/STRIPE.md). Shapes follow Stripe's API reference;
only the fields the shop sends and reads are modelled.

- Prices: `POST/GET /v1/prices`, `GET/POST /v1/prices/{id}` (one-time prices of a Product).
- Checkout Sessions (`mode=payment`): `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`,
  `GET /v1/checkout/sessions/{id}/line_items`, `POST /v1/checkout/sessions/{id}/expire`
  (sends `checkout.session.expired`).
- Paying a session, as the hosted page would: `GET /_config/checkout/{id}` is a page with a pay
  button; `POST /_config/checkout/{id}/complete` (test-only, JSON) pays it with `payment_method`
  (default `pm_card_visa`) through a real localstripe PaymentIntent, then sends
  `checkout.session.completed` with `payment_status=paid` (the PaymentIntent sends its own
  `payment_intent.succeeded`, as Stripe does).
- Refund events: every refund sends `refund.created` and `charge.refunded`;
  `POST /_config/refunds/{id}/fail` (test-only) fails a refund and sends `refund.updated`.
  A failed refund no longer counts in its charge's `amount_refunded`.

Events go through localstripe's own webhook code, so they are signed like its others.
"""
import time

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import (Charge, Event, PaymentIntent, Product, Refund,
                                   StripeObject, random_id, try_convert_to_bool,
                                   try_convert_to_int)
from localstripe.webhooks import schedule_webhook

# Stripe's limits on a session's `expires_at`: 30 minutes to 24 hours from creation.
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 60 * 60


def _bad(message):
    return UserError(400, message)


class Price(StripeObject):
    object = 'price'
    _id_prefix = 'price_'

    def __init__(self, currency=None, unit_amount=None, product=None,
                 product_data=None, active=True, lookup_key=None, nickname=None,
                 metadata=None, **kwargs):
        if kwargs:
            raise _bad('Unexpected ' + ', '.join(kwargs.keys()))
        unit_amount = try_convert_to_int(unit_amount)
        active = try_convert_to_bool(active)
        if not isinstance(currency, str) or not currency:
            raise _bad('Missing required param: currency.')
        if not isinstance(unit_amount, int) or unit_amount < 0:
            raise _bad('Invalid integer: unit_amount')
        if product is None and product_data is None:
            raise _bad('Missing required param: product.')
        if product is not None:
            Product._api_retrieve(product)  # 404 when unknown
        elif not isinstance(product_data, dict) or not product_data.get('name'):
            raise _bad('Missing required param: product_data[name].')
        if product is None:
            product = Product(name=product_data['name']).id
        super().__init__()
        self.currency = currency.lower()
        self.unit_amount = unit_amount
        self.product = product
        self.active = active
        self.lookup_key = lookup_key
        self.nickname = nickname
        self.metadata = metadata or {}
        self.type = 'one_time'

    @classmethod
    def _api_update(cls, id, active=None, **data):
        obj = cls._api_retrieve(id)
        if active is not None:
            obj.active = try_convert_to_bool(active)
        unknown = set(data) - {'metadata', 'lookup_key', 'nickname'}
        if unknown:
            raise _bad('Unexpected ' + ', '.join(sorted(unknown)))
        obj._update(**data)
        return obj

    @classmethod
    def _api_list_all(cls, url, product=None, active=None, limit=None,
                      starting_after=None, **kwargs):
        if kwargs:
            raise _bad('Unexpected ' + ', '.join(kwargs.keys()))
        li = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        active = try_convert_to_bool(active)
        li._list = [p for p in li._list
                    if (product is None or p.product == product)
                    and (active is None or p.active == active)]
        return li


class LineItem(StripeObject):
    object = 'item'
    _id_prefix = 'li_'

    def __init__(self, price, quantity):
        super().__init__()
        self.price = price._export()
        self.quantity = quantity
        self.currency = price.currency
        self.description = Product._api_retrieve(price.product).name
        self.amount_subtotal = price.unit_amount * quantity
        self.amount_total = self.amount_subtotal


class CheckoutSession(StripeObject):
    object = 'checkout.session'
    _id_prefix = 'cs_test_'

    def __init__(self, base_url, mode=None, line_items=None, success_url=None,
                 cancel_url=None, expires_at=None, client_reference_id=None,
                 customer_email=None, metadata=None, payment_intent_data=None,
                 currency=None, **kwargs):
        if kwargs:
            raise _bad('Unexpected ' + ', '.join(kwargs.keys()))
        if mode != 'payment':
            raise _bad('This plugin supports mode=payment only.')
        if not success_url or not cancel_url:
            raise _bad('Missing required param: success_url and cancel_url.')
        if not isinstance(line_items, list) or not line_items:
            raise _bad('Missing required param: line_items.')
        now = int(time.time())
        expires_at = try_convert_to_int(expires_at) if expires_at is not None \
            else now + MAX_EXPIRY
        if not isinstance(expires_at, int) or \
                not now + MIN_EXPIRY <= expires_at <= now + MAX_EXPIRY:
            raise _bad('The `expires_at` timestamp must be between 30 minutes '
                       'and 24 hours from Checkout Session creation.')
        prices = [(self._price_of(item), item) for item in line_items]
        currencies = {p.currency for p, _ in prices}
        if len(currencies) != 1:
            raise _bad('All line items must share one currency.')
        items = []
        for price, item in prices:
            quantity = try_convert_to_int(item.get('quantity'))
            if not isinstance(quantity, int) or quantity < 1:
                raise _bad('Invalid integer: line_items[quantity]')
            items.append((price, quantity))
        super().__init__('cs_test_' + random_id(24))
        self._line_items = [LineItem(p, q) for p, q in items]
        self.mode = mode
        self.currency = currencies.pop()
        self.amount_subtotal = sum(li.amount_subtotal for li in self._line_items)
        self.amount_total = self.amount_subtotal
        self.success_url = success_url
        self.cancel_url = cancel_url
        self.expires_at = expires_at
        self.client_reference_id = client_reference_id
        self.customer_email = customer_email
        self.metadata = metadata or {}
        self._intent_metadata = (payment_intent_data or {}).get('metadata') or {}
        self.status = 'open'
        self.payment_status = 'unpaid'
        self.payment_intent = None
        self.url = f'{base_url}/_config/checkout/{self.id}'

    @staticmethod
    def _price_of(item):
        if not isinstance(item, dict):
            raise _bad('Invalid line_items.')
        if item.get('price'):
            price = Price._api_retrieve(item['price'])
            if not price.active:
                raise _bad(f'The price {price.id} is not active.')
            return price
        data = item.get('price_data')
        if not isinstance(data, dict):
            raise _bad('Each line item needs price or price_data.')
        price = Price(currency=data.get('currency'),
                      unit_amount=data.get('unit_amount'),
                      product=data.get('product'),
                      product_data=data.get('product_data'))
        price.active = False  # an inline price is not reusable
        return price

    def _complete(self, payment_method):
        if self.status != 'open':
            raise _bad(f'This Checkout Session is {self.status}.')
        intent = PaymentIntent._api_create(
            confirm=True, amount=self.amount_total, currency=self.currency,
            payment_method=payment_method,
            metadata=dict(self._intent_metadata))
        self.payment_intent = intent.id
        self.status = 'complete'
        self.payment_status = 'paid'
        schedule_webhook(Event('checkout.session.completed', self))

    def _expire(self):
        if self.status != 'open':
            raise _bad('Only Checkout Sessions with a status in [open] can be expired.')
        self.status = 'expired'
        schedule_webhook(Event('checkout.session.expired', self))


def _json(obj):
    return server.json_response(obj._export())


async def _create_session(request):
    data = await server.get_post_data(request) or {}
    base = f'{request.scheme}://{request.host}'
    return _json(CheckoutSession(base, **data))


async def _retrieve_session(request):
    return _json(CheckoutSession._api_retrieve(request.match_info['id']))


async def _session_line_items(request):
    session = CheckoutSession._api_retrieve(request.match_info['id'])
    return server.json_response({
        'object': 'list', 'has_more': False,
        'url': f'/v1/checkout/sessions/{session.id}/line_items',
        'data': [li._export() for li in session._line_items]})


async def _expire_session(request):
    session = CheckoutSession._api_retrieve(request.match_info['id'])
    session._expire()
    return _json(session)


async def _complete_session(request):
    data = await server.get_post_data(request) or {}
    session = CheckoutSession._api_retrieve(request.match_info['id'])
    session._complete(data.get('payment_method') or 'pm_card_visa')
    return _json(session)


PAGE = """<!doctype html><meta charset="utf-8"><title>localstripe checkout</title>
<h1>Pay {amount} {currency}</h1><p>Test payment for Checkout Session {id}.</p>
<form method="post" action="/_config/checkout/{id}/pay"><button>Pay with a test card</button></form>
<p><a href="{cancel}">Cancel</a></p>"""


async def _session_page(request):
    session = CheckoutSession._api_retrieve(request.match_info['id'])
    return web.Response(content_type='text/html', text=PAGE.format(
        amount=session.amount_total / 100, currency=session.currency.upper(),
        id=session.id, cancel=session.cancel_url))


async def _pay_from_page(request):
    session = CheckoutSession._api_retrieve(request.match_info['id'])
    session._complete('pm_card_visa')
    raise web.HTTPSeeOther(session.success_url)


_refund_init = Refund.__init__


def _refund_and_tell(self, *args, **kwargs):
    _refund_init(self, *args, **kwargs)
    charge = Charge._api_retrieve(self.charge)
    if self.payment_intent is None:
        self.payment_intent = charge.payment_intent
    self.failure_reason = None
    schedule_webhook(Event('refund.created', self))
    schedule_webhook(Event('charge.refunded', charge))


async def _fail_refund(request):
    refund = Refund._api_retrieve(request.match_info['id'])
    if refund.status == 'failed':
        raise _bad('This refund has failed already.')
    refund.status = 'failed'
    refund.failure_reason = 'expired_or_canceled_card'
    schedule_webhook(Event('refund.updated', refund))
    return _json(refund)


def _amount_refunded(charge):
    return sum(r.amount for r in charge.refunds._list if r.status != 'failed')


def install(app):
    """Adds the routes and behaviours above to localstripe's app (before it starts)."""
    Refund.__init__ = _refund_and_tell
    Charge.amount_refunded = property(_amount_refunded)
    for method, url, func in (
            ('POST', '/v1/prices', server.api_create),
            ('GET', '/v1/prices/{id}', server.api_retrieve),
            ('POST', '/v1/prices/{id}', server.api_update),
            ('GET', '/v1/prices', server.api_list_all)):
        app.router.add_route(method, url, func(Price, url))
    app.router.add_post('/v1/checkout/sessions', _create_session)
    app.router.add_get('/v1/checkout/sessions/{id}', _retrieve_session)
    app.router.add_get('/v1/checkout/sessions/{id}/line_items', _session_line_items)
    app.router.add_post('/v1/checkout/sessions/{id}/expire', _expire_session)
    app.router.add_get('/_config/checkout/{id}', _session_page)
    app.router.add_post('/_config/checkout/{id}/complete', _complete_session)
    app.router.add_post('/_config/checkout/{id}/pay', _pay_from_page)
    app.router.add_post('/_config/refunds/{id}/fail', _fail_refund)

