// The API's shapes the console reads and sends (the OpenAPI document at /api/v1/openapi.json
// is the reference; only the members used here are typed).

export type Role = 'customer' | 'staff' | 'admin';
export type ProductStatus = 'draft' | 'active' | 'archived';
export type OrderStatus =
  | 'pending'
  | 'paid'
  | 'processing'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'partially_refunded'
  | 'refunded';
export type ReturnStatus = 'requested' | 'received' | 'refunded' | 'rejected';

export interface Me {
  id: string;
  email: string;
  name?: string | null;
  role: Role;
  currency: string;
}

export interface StaffVariant {
  sku: string;
  name: string;
  price: number;
  stock: number;
  stock_status: string;
  unique: boolean;
  attributes: Record<string, string>;
}

export interface StaffImage {
  id: string;
  key: string;
  url: string;
  alt: string;
  content_type: string;
  sizes?: { thumbnail: { url: string }; large: { url: string } } | null;
}

export interface StaffProduct {
  id: string;
  slug: string;
  name: string;
  description: string;
  category?: string | null;
  tags: string[];
  tier: 'standard' | 'pro';
  featured: boolean;
  status: ProductStatus;
  price_from: number;
  variants: StaffVariant[];
  images: StaffImage[];
  created_at: string;
  updated_at: string;
}

export interface CategoryNode {
  slug: string;
  name: string;
  children: CategoryNode[];
}

export interface Bundle {
  slug: string;
  name: string;
  description: string;
  type: 'standard' | 'pro' | 'special';
  discount_percent: number;
  list_price: number;
  price: number;
  available: boolean;
  products: { id?: string; slug?: string; name: string; sku?: string }[];
}

export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  line_total: number;
  discount: number;
}

export interface TrackingEntry {
  status: OrderStatus;
  at: string;
  note?: string | null;
  location?: string | null;
  tracking_number?: string | null;
  carrier?: string | null;
}

export interface Order {
  id: string;
  number: string;
  status: OrderStatus;
  email: string;
  lines: OrderLine[];
  subtotal: number;
  bundle_discount: number;
  first_time_discount: number;
  coupon_discount: number;
  delivery_fee: number;
  total: number;
  currency: string;
  coupon?: string | null;
  shipping_address: { name: string; line1: string; line2?: string | null; city: string; postcode: string; country: string };
  notes?: string | null;
  gift_message?: string | null;
  payment: { status: string; amount: number; amount_paid: number; amount_refunded: number; provider_ref?: string | null };
  created_at: string;
  updated_at: string;
}

export interface AdminOrder extends Order {
  user_id?: string | null;
  tracking: TrackingEntry[];
}

export interface Return {
  id: string;
  order_id: string;
  order_number: string;
  status: ReturnStatus;
  reason: string;
  comment?: string | null;
  note?: string | null;
  amount: number;
  currency: string;
  restocked: boolean;
  lines: { sku: string; name: string; quantity: number; amount: number }[];
  refund?: { amount: number; id?: string | null; error?: string | null } | null;
  created_at: string;
}

export interface Coupon {
  code: string;
  percent_off?: number | null;
  amount_off?: number | null;
  min_subtotal: number;
  expires_at?: string | null;
  max_redemptions?: number | null;
  redemptions: number;
  active: boolean;
  luck: boolean;
  created_at: string;
}

export interface Seller {
  name: string;
  address: string;
  vat_number: string;
  vat_rate_percent: number;
}

export interface Settings {
  nth_customer: number;
  coupon_percent: number;
  coupon_reservation_minutes: number;
  free_delivery_threshold: number;
  delivery_fee: number;
  first_time_discount_percent: number;
  bundle_discount_percent: number;
  stock_reservation_minutes: number;
  low_stock_threshold: number;
  currency: string;
  guest_cart_days: number;
  abandoned_cart_minutes: number;
  return_window_days: number;
  staff_email?: string | null;
  seller: Seller;
  limits?: Record<string, number>;
}

export interface AdminUser {
  id: string;
  email: string;
  name?: string | null;
  role: Role;
  created_at: string;
}

export const EVENT_KINDS = [
  'order.paid',
  'order.processing',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.refunded',
  'return.requested',
  'return.received',
  'product.low_stock',
] as const;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  secret?: string | null;
  created_at: string;
}

export interface Attempt {
  event: string;
  event_id: string;
  attempt: number;
  at: string;
  outcome: string;
  status_code?: number | null;
  duration_ms: number;
  error?: string | null;
  next_retry_at?: string | null;
}

export interface Bucket {
  start: string;
  orders: number;
  revenue: number;
  average_order_value: number;
  discounts: number;
  refunds: number;
  net: number;
}

export interface SalesReport {
  currency: string;
  from: string;
  to: string;
  interval: 'day' | 'week' | 'month';
  buckets: Bucket[];
  totals: Bucket;
}

export interface Ranked {
  product_id: string;
  name?: string | null;
  count: number;
  revenue?: number | null;
}

export interface ProductsReport {
  best_sellers_by_units: Ranked[];
  best_sellers_by_revenue: Ranked[];
  most_wished: Ranked[];
  most_abandoned: Ranked[];
}

export interface AbandonedCart {
  cart_id: string;
  owner?: { user_id: string; email?: string | null } | null;
  value: number;
  currency: string;
  lines: { sku: string; quantity: number; unit_price: number; line_total: number }[];
  updated_at: string;
}

/** The moves the state machine allows an admin from each status (API.md). */
export const NEXT_STATUS: Record<OrderStatus, OrderStatus[]> = {
  pending: ['cancelled'],
  paid: ['processing', 'shipped', 'cancelled'],
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
  partially_refunded: [],
  refunded: [],
};
