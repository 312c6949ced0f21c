// The customer portal's one script: the frame every page shares (language, visitor id) and the home page's
// search. Pages work as plain HTML first; this adds suggestions, results in place and the language switch.

import "./portal.css";
import { ApiError, search, type SearchResponse } from "./api";
import { contactForm } from "./contact";
import { element, hitItem } from "./dom";
import { choose, chosenLocale, LOCALES, translate, word, type Locale } from "./i18n";
import { attachSuggestions } from "./suggestions";

let locale: Locale = chosenLocale();

function frame(): void {
  translate(document, locale);
  const toggle = document.querySelector<HTMLButtonElement>("#language");
  if (!toggle) return;
  const other = (): Locale => LOCALES.find((l) => l !== locale) ?? "en";
  toggle.lang = other();
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    locale = other();
    choose(locale);
    toggle.lang = other();
    translate(document, locale);
    document.dispatchEvent(new CustomEvent("tugi:locale"));
  });
}

function showResults(target: HTMLElement, q: string, found: SearchResponse): void {
  const heading = element("h2", word(locale, "results_for", { q }));
  heading.id = "results-heading";
  if (found.items.length === 0) {
    const contact = element("a", word(locale, "contact"));
    contact.href = "/contact/";
    const none = element("p", word(locale, "no_results", { q }) + " ");
    none.append(contact);
    target.replaceChildren(heading, none);
    return;
  }
  const list = element("ol", undefined, "results");
  list.append(...found.items.map((hit) => hitItem(hit, found.search_id)));
  target.replaceChildren(heading, list);
}

function homeSearch(): void {
  const form = document.querySelector<HTMLFormElement>("#search-form");
  const input = document.querySelector<HTMLInputElement>("#q");
  const list = document.querySelector<HTMLUListElement>("#suggestions");
  const results = document.querySelector<HTMLElement>("#results");
  if (!form || !input || !list || !results) return;
  attachSuggestions(input, list, () => locale);
  let pending: AbortController | undefined;

  const run = async (q: string): Promise<void> => {
    pending?.abort();
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    results.replaceChildren(element("p", word(locale, "searching")));
    try {
      showResults(results, q, await search(q, locale, pending.signal));
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") return;
      const message = error instanceof ApiError && error.status < 500 ? error.message : word(locale, "search_failed");
      results.replaceChildren(element("p", message, "error"));
    } finally {
      results.removeAttribute("aria-busy");
    }
  };

  // The query lives in the address (?q=), so a search can be shared, reloaded and gone back to.
  const fromAddress = (): void => {
    const q = new URLSearchParams(window.location.search).get("q")?.trim() ?? "";
    input.value = q;
    if (q) void run(q);
    else results.replaceChildren();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return input.focus();
    history.pushState(null, "", `/?${new URLSearchParams({ q })}`);
    void run(q);
  });
  window.addEventListener("popstate", fromAddress);
  document.addEventListener("tugi:locale", () => input.value.trim() && void run(input.value.trim()));
  fromAddress();
}

frame();
homeSearch();
contactForm(() => locale);
