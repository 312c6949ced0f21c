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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`${path}?${new URLSearchParams(query)}`, {
    headers: { accept: "application/json", "x-tugi-visitor": visitorId() },
    signal,
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? "unavailable", error?.message ?? response.statusText);
  }
  return body as T;
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
