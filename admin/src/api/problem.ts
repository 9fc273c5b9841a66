// RFC 9457 problem documents as the API sends them, and their mapping onto form fields.

export interface FieldError {
  field: string;
  message: string;
}

/** A refused request: the API's problem document, or one made up for a network failure. */
export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors: FieldError[];
  /** The whole document, for the members a route adds (`returnable`, `order_status`, ...). */
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    const title = typeof body.title === 'string' ? body.title : `HTTP ${status}`;
    const detail = typeof body.detail === 'string' ? body.detail : undefined;
    super(detail ?? title);
    this.name = 'Problem';
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : `http_${status}`;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(body.errors)
      ? body.errors.filter(isFieldError).map((e) => ({ field: e.field, message: e.message }))
      : [];
    this.body = body;
  }
}

function isFieldError(e: unknown): e is FieldError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as FieldError).field === 'string' &&
    typeof (e as FieldError).message === 'string'
  );
}

/** Reads a failed response as a problem, whatever its body turned out to be. */
export async function problemOf(res: Response): Promise<Problem> {
  let body: Record<string, unknown> = {};
  const text = await res.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      body = parsed as Record<string, unknown>;
    }
  } catch {
    body = { title: res.statusText || `HTTP ${res.status}`, detail: text.slice(0, 200) || undefined };
  }
  return new Problem(res.status, body);
}

/**
 * The API names a field as a JSON path (`variants[0].price`, `seller.vat_number`); forms name
 * it with dots (`variants.0.price`).
 */
export function formPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/**
 * Puts each field error of a problem beside its field (`setError` of react-hook-form or any
 * function of that shape) and returns what no field of the form names, to show above it.
 */
export function mapProblem(
  problem: unknown,
  setError: (name: string, error: { type: string; message: string }) => void,
  fields: readonly string[],
): string | null {
  if (!(problem instanceof Problem)) {
    return problem instanceof Error ? problem.message : String(problem);
  }
  const unplaced: string[] = [];
  for (const e of problem.errors) {
    const path = formPath(e.field);
    const known = fields.some((f) => path === f || path.startsWith(`${f}.`));
    if (known) setError(path, { type: 'server', message: e.message });
    else unplaced.push(`${e.field}: ${e.message}`);
  }
  if (problem.errors.length > 0 && unplaced.length === 0) return null;
  return [problem.detail ?? problem.title, ...unplaced].join(' · ');
}
