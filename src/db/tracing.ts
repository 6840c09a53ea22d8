import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';

/** What every span of one database carries: OpenTelemetry's stable database attributes. */
function serverAttributes(url: string): Attributes {
  try {
    const u = new URL(url);
    return { 'db.system.name': 'postgresql', 'db.namespace': decodeURIComponent(u.pathname.slice(1)) || 'postgres', 'server.address': u.hostname, 'server.port': Number(u.port || 5432) };
  } catch {
    return { 'db.system.name': 'postgresql' };
  }
}

/**
 * Spans through `@opentelemetry/api`: one per transaction, per flush and per statement, parented
 * explicitly (transaction → flush → statement), so the tree holds even without a context manager.
 * Without an SDK the API hands out non-recording spans: a few function calls, no attributes built.
 */
export class Tracing {
  /** Tracing switched off: no span is ever started. */
  static readonly off = new Tracing(undefined, {});

  constructor(
    private readonly tracer: Tracer | undefined,
    private readonly attributes: Attributes,
  ) {}

  /** Spans for the database at `url`, through the global tracer provider. */
  static forUrl(url: string, version: string): Tracing {
    return new Tracing(trace.getTracer('cellar', version), serverAttributes(url));
  }

  /** A transaction's span, a child of `parent` (the caller's active context by default). */
  startTransaction(parent: Context = context.active()): Span | undefined {
    return this.#start('cellar.transaction', SpanKind.INTERNAL, parent, undefined);
  }

  /** A flush's span, a child of its transaction's. */
  startFlush(parent: Context | undefined, rows: number): Span | undefined {
    return this.#start('cellar.flush', SpanKind.INTERNAL, parent, { 'cellar.rows': rows });
  }

  /** A statement's span: name `<operation>` or `<operation> <table>`, kind CLIENT. */
  startStatement(sql: string, write: { readonly table?: string; readonly operation?: string } | undefined, parent: Context | undefined): Span | undefined {
    if (this.tracer === undefined) return undefined;
    const table = write?.table;
    const operation = write?.operation ?? operationOf(sql);
    const span = this.#start(table ? `${operation} ${table}` : operation, SpanKind.CLIENT, parent, undefined);
    if (span?.isRecording()) {
      span.setAttributes({ ...this.attributes, 'db.operation.name': operation, 'db.query.text': sql });
      if (table) span.setAttribute('db.collection.name', table);
    }
    return span;
  }

  #start(name: string, kind: SpanKind, parent: Context | undefined, attributes: Attributes | undefined): Span | undefined {
    if (this.tracer === undefined) return undefined;
    return this.tracer.startSpan(name, { kind, attributes }, parent ?? context.active());
  }
}

/** A context whose active span is `span` (for children), or `parent` as it is without one. */
export function withSpan(parent: Context, span: Span | undefined): Context {
  return span ? trace.setSpan(parent, span) : parent;
}

/** Ends a span as succeeded, with the rows it returned or wrote. */
export function endSpan(span: Span | undefined, rows?: number): void {
  if (!span) return;
  if (rows !== undefined && span.isRecording()) span.setAttribute('db.response.returned_rows', rows);
  span.end();
}

/** Ends a span as failed: the exception recorded, the status an error, SQLSTATE as the status code. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  if (span.isRecording()) {
    const e = error instanceof Error ? error : new Error(String(error));
    span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
    const fields = error as { code?: unknown; sqlState?: unknown };
    if (typeof fields.code === 'string') span.setAttribute('error.type', fields.code);
    if (typeof fields.sqlState === 'string') span.setAttribute('db.response.status_code', fields.sqlState);
  }
  span.end();
}

/** The first keyword of a statement, upper-cased: SELECT, INSERT, UPDATE, DELETE, WITH… */
export function operationOf(sql: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(sql);
  return match ? (match[1] as string).toUpperCase() : 'SQL';
}
