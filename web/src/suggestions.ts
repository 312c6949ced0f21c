// Suggestions while typing: the WAI-ARIA combobox pattern (list autocomplete). Arrow keys move through
// the titles, Enter opens the chosen article, Escape closes the list; a pointer works as well.

import { articleUrl, suggest, type Suggestion } from "./api";
import type { Locale } from "./i18n";

const DELAY_MS = 150; // a pause in typing, not every key, asks the API
const MIN_CHARS = 2;

export function attachSuggestions(input: HTMLInputElement, list: HTMLUListElement, locale: () => Locale): void {
  let timer: number | undefined;
  let pending: AbortController | undefined;
  let items: Suggestion[] = [];
  let active = -1;

  const close = (): void => {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    items = [];
    active = -1;
  };

  const show = (found: Suggestion[]): void => {
    items = found;
    active = -1;
    list.replaceChildren(
      ...found.map((item, index) => {
        const option = document.createElement("li");
        option.id = `suggestion-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.title;
        option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the input's focus
        option.addEventListener("click", () => open(index));
        return option;
      }),
    );
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", String(found.length > 0));
  };

  const open = (index: number): void => {
    const item = items[index];
    if (item) window.location.assign(articleUrl(item.article_id, locale()));
  };

  const highlight = (index: number): void => {
    active = index;
    list.querySelectorAll("li").forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", `suggestion-${index}`);
    else input.removeAttribute("aria-activedescendant");
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    pending?.abort();
    const q = input.value.trim();
    if (q.length < MIN_CHARS) return close();
    timer = window.setTimeout(() => {
      pending = new AbortController();
      suggest(q, locale(), pending.signal).then(show, () => close()); // a suggestion is a help, never an error
    }, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") return close();
    if (items.length === 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = active + step; // -1 is the input itself: past either end, back to what was typed
      highlight(next >= items.length ? -1 : next < -1 ? items.length - 1 : next);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      open(active);
    }
  });
  input.addEventListener("blur", () => close());
}
