// The portal's calls to Tugi's documented REST API (same origin: CloudFront in AWS, `tugi dev` locally).
// Every knowledge-base call carries the browser's visitor id, so a search that needed no contact counts
// as deflected.

import type { Locale } from "./i18n";

export interface SearchHit {
  article_id: string;
  locale: string;
  title: string;
  short_answer: string;
  snippet: string;
  score: number;
  confidence: number;
}

export interface SearchResponse {
  search_id: string;
  locale: string;
  items: SearchHit[];
}

export interface Suggestion {
  article_id: string;
  title: string;
}

const VISITOR = "tugi.visitor";

/** A random id per browser (22 URL-safe characters), made once and kept: never anything about the person. */
export function visitorId(): string {
  let id = localStorage.getItem(VISITOR);
  if (id === null || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    localStorage.setItem(VISITOR, id);
  }
  return id;
}

export interface ErrorDetail {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    const code = error?.code ?? "unavailable";
    throw new ApiError(response.status, code, error?.message ?? response.statusText, error?.details ?? []);
  }
  return body as T;
}

async function getJson<T>(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<T> {
  const headers = { accept: "application/json", "x-tugi-visitor": visitorId() };
  return answer<T>(await fetch(`${path}?${new URLSearchParams(query)}`, { headers, signal }));
}

export interface ContactReceipt {
  case_id: string;
  reference: string;
}

/** The web form's contact (`POST /v1/contacts`); the visitor id ties it to the searches before it. */
export async function submitContact(fields: Record<string, string>): Promise<ContactReceipt> {
  const headers = { accept: "application/json", "content-type": "application/json", "x-tugi-visitor": visitorId() };
  return answer<ContactReceipt>(await fetch("/v1/contacts", { method: "POST", headers, body: JSON.stringify(fields) }));
}

export function search(q: string, locale: Locale, signal?: AbortSignal): Promise<SearchResponse> {
  return getJson<SearchResponse>("/v1/kb/search", { q, locale, limit: "5" }, signal);
}

export async function suggest(q: string, locale: Locale, signal?: AbortSignal): Promise<Suggestion[]> {
  return (await getJson<{ items: Suggestion[] }>("/v1/kb/suggest", { q, locale, limit: "5" }, signal)).items;
}

/** The article page (rendered by the API, in the portal's frame); the search it came from goes along. */
export function articleUrl(articleId: string, locale: string, searchId?: string): string {
  const query = new URLSearchParams({ locale, ...(searchId ? { search_id: searchId } : {}) });
  return `/v1/kb/articles/${encodeURIComponent(articleId)}?${query}`;
}
