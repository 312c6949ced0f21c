// The contact form: the best articles appear while the customer describes the problem ("Is this your
// question?"), what they typed survives a reload or a look at an article, and a field the API refuses
// is marked where it is, with the rest kept. Without this script the form posts as a plain form.

import { ApiError, search, submitContact, type SearchHit } from "./api";
import { hitItem } from "./dom";
import { word, type Locale, type WordKey } from "./i18n";

const DRAFT = "tugi.contact-draft";
const FIELDS = ["name", "email", "phone", "subject", "message"] as const;
const DELAY_MS = 400;
const MIN_WORDS = 2;
const SHOWN = 3;

type Field = (typeof FIELDS)[number];

function input(form: HTMLFormElement, name: Field): HTMLInputElement | HTMLTextAreaElement {
  return form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;
}

function values(form: HTMLFormElement): Record<Field, string> {
  return Object.fromEntries(FIELDS.map((name) => [name, input(form, name).value.trim()])) as Record<Field, string>;
}

function markError(form: HTMLFormElement, name: Field, message: string | null): void {
  const control = input(form, name);
  const error = document.getElementById(`${name}-error`);
  control.toggleAttribute("aria-invalid", message !== null);
  // A hidden error must leave the description: a referenced element is read even when hidden.
  const hints = (control.dataset.hints ??= control.getAttribute("aria-describedby") ?? "");
  const described = `${message === null ? "" : `${name}-error`} ${hints}`.trim();
  if (described) control.setAttribute("aria-describedby", described);
  else control.removeAttribute("aria-describedby");
  if (error) {
    error.textContent = message ?? "";
    error.hidden = message === null;
  }
}

function showAnswers(section: HTMLElement, list: HTMLOListElement, hits: SearchHit[], searchId: string): void {
  list.replaceChildren(...hits.slice(0, SHOWN).map((hit) => hitItem(hit, searchId)));
  section.hidden = hits.length === 0;
}

export function contactForm(locale: () => Locale): void {
  const form = document.querySelector<HTMLFormElement>("#contact-form");
  const answers = document.querySelector<HTMLElement>("#answers");
  const list = document.querySelector<HTMLOListElement>("#answer-list");
  const sent = document.querySelector<HTMLElement>("#sent");
  const formError = document.querySelector<HTMLElement>("#form-error");
  if (!form || !answers || !list || !sent || !formError) return;
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");

  const saved = JSON.parse(sessionStorage.getItem(DRAFT) ?? "{}") as Partial<Record<Field, string>>;
  for (const name of FIELDS) if (saved[name]) input(form, name).value = saved[name];

  let timer: number | undefined;
  let pending: AbortController | undefined;
  const lookUp = (): void => {
    const { subject, message } = values(form);
    const text = `${subject} ${message}`.trim().slice(0, 500);
    if (text.split(/\s+/).length < MIN_WORDS) return;
    pending?.abort();
    pending = new AbortController();
    search(text, locale(), pending.signal).then(
      (found) => showAnswers(answers, list, found.items, found.search_id),
      () => undefined, // a suggestion is a help, never an error
    );
  };
  form.addEventListener("input", (event) => {
    sessionStorage.setItem(DRAFT, JSON.stringify(values(form)));
    const name = (event.target as HTMLInputElement).name as Field;
    markError(form, name, null);
    if (name === "subject" || name === "message") {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    }
  });
  lookUp();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });

  const send = async (): Promise<void> => {
    const fields = values(form);
    const required: readonly Field[] = ["name", "subject", "message"];
    for (const name of FIELDS) markError(form, name, required.includes(name) && !fields[name] ? word(locale(), "required") : null);
    if (!fields.email && !fields.phone) markError(form, "email", word(locale(), "contact_required"));
    const first = form.querySelector<HTMLElement>("[aria-invalid]");
    formError.hidden = first === null;
    formError.textContent = first ? word(locale(), "fix_fields") : "";
    if (first) return first.focus();
    if (button) {
      button.disabled = true;
      button.textContent = word(locale(), "sending");
    }
    try {
      const body = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ""));
      const receipt = await submitContact({ ...body, locale: locale() });
      sessionStorage.removeItem(DRAFT);
      form.hidden = true;
      answers.hidden = true;
      (document.querySelector("#reference") as HTMLElement).textContent = receipt.reference;
      sent.hidden = false;
      sent.focus();
    } catch (error) {
      refused(error);
    } finally {
      if (button) {
        button.disabled = false;
        button.textContent = word(locale(), "send");
      }
    }
  };

  const refused = (error: unknown): void => {
    const details = error instanceof ApiError && error.status === 422 ? error.details : [];
    for (const detail of details) {
      const field = (FIELDS as readonly string[]).includes(detail.field) ? (detail.field as Field) : "email";
      const known = detail.code === "contact_required" || detail.code === "missing";
      const key: WordKey = detail.code === "contact_required" ? "contact_required" : "required";
      markError(form, field, known ? word(locale(), key) : detail.message);
    }
    formError.textContent = word(locale(), details.length ? "fix_fields" : "send_failed");
    formError.hidden = false;
    (form.querySelector<HTMLElement>("[aria-invalid]") ?? formError).focus();
  };
}
