// The few DOM pieces the portal's pages build in more than one place.

import { articleUrl, type SearchHit } from "./api";

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  if (className) made.className = className;
  return made;
}

/** One search result: its title linking to the article (with the search it came from), its short answer. */
export function hitItem(hit: SearchHit, searchId: string): HTMLLIElement {
  const link = element("a", hit.title);
  link.href = articleUrl(hit.article_id, hit.locale, searchId);
  const title = element("h3");
  title.append(link);
  const item = element("li");
  item.append(title, element("p", hit.short_answer, "short-answer"));
  return item;
}
