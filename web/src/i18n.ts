// The portal's words in English and Estonian. A page is written in English; on load its elements marked
// data-i18n (text), data-i18n-label (aria-label) and data-i18n-placeholder take the chosen language's words.

export type Locale = "en" | "et";
export const LOCALES: readonly Locale[] = ["en", "et"];

const WORDS = {
  en: {
    brand: "Help centre",
    main_nav: "Main",
    home: "Home",
    contact: "Contact us",
    skip: "Skip to content",
    other_language: "Eesti keeles",
    home_title: "How can we help?",
    search_label: "Search the help centre",
    search: "Search",
    searching: "Searching…",
    suggestions: "Suggestions",
    results_for: "Results for “{q}”",
    no_results: "No article matches “{q}”. Try other words, or contact us.",
    search_failed: "Search is not available right now. Please try again, or contact us.",
    still_need_help: "Still need help?",
    still_need_help_text: "Tell us what happened and we will answer by email.",
    not_found_title: "Page not found",
    not_found_text: "The page may have been moved. Search the help centre instead.",
    contact_title: "Contact us",
    contact_intro: "Tell us what happened. We answer by email, or by phone if you give only a number.",
    name: "Your name",
    email: "Email",
    phone: "Phone (optional)",
    reach_hint: "An email address or a phone number, so we can answer.",
    subject: "Subject",
    message: "Message",
    is_this_your_question: "Is this your question?",
    send: "Send",
    sending: "Sending…",
    sent_title: "Thank you, we have your message",
    your_reference: "Your reference:",
    what_next:
      "We have sent you an acknowledgement with this reference. A person will answer you by email; quote the reference if you write again.",
    fix_fields: "Please check the fields marked below.",
    send_failed: "Your message could not be sent just now. It is kept here: please try again in a moment.",
    required: "Please fill this in.",
    contact_required: "Give an email address or a phone number, so we can answer.",
  },
  et: {
    brand: "Abikeskus",
    main_nav: "Peamenüü",
    home: "Avaleht",
    contact: "Võta ühendust",
    skip: "Liigu sisu juurde",
    other_language: "In English",
    home_title: "Kuidas saame aidata?",
    search_label: "Otsi abikeskusest",
    search: "Otsi",
    searching: "Otsin…",
    suggestions: "Soovitused",
    results_for: "Tulemused päringule „{q}”",
    no_results: "Päringule „{q}” ei vasta ükski artikkel. Proovi teisi sõnu või võta meiega ühendust.",
    search_failed: "Otsing ei ole praegu saadaval. Proovi uuesti või võta meiega ühendust.",
    still_need_help: "Vajad ikka abi?",
    still_need_help_text: "Kirjelda, mis juhtus, ja vastame e-kirjaga.",
    not_found_title: "Lehte ei leitud",
    not_found_text: "Leht võib olla teisaldatud. Otsi abikeskusest.",
    contact_title: "Võta ühendust",
    contact_intro: "Kirjelda, mis juhtus. Vastame e-kirjaga või telefonil, kui annad ainult numbri.",
    name: "Sinu nimi",
    email: "E-post",
    phone: "Telefon (valikuline)",
    reach_hint: "E-posti aadress või telefoninumber, et saaksime vastata.",
    subject: "Teema",
    message: "Sõnum",
    is_this_your_question: "Kas see on sinu küsimus?",
    send: "Saada",
    sending: "Saadan…",
    sent_title: "Aitäh, sinu sõnum on meil olemas",
    your_reference: "Sinu viitenumber:",
    what_next:
      "Saatsime sulle selle viitenumbriga kinnituse. Inimene vastab sulle e-kirjaga; kui kirjutad uuesti, lisa viitenumber.",
    fix_fields: "Palun kontrolli allpool märgitud välju.",
    send_failed: "Sõnumit ei õnnestunud praegu saata. See on siin alles: proovi mõne hetke pärast uuesti.",
    required: "Palun täida see väli.",
    contact_required: "Anna e-posti aadress või telefoninumber, et saaksime vastata.",
  },
} as const satisfies Record<Locale, Record<string, string>>;

export type WordKey = keyof (typeof WORDS)["en"];

const CHOSEN = "tugi.locale";

function isLocale(value: string | null | undefined): value is Locale {
  return value === "en" || value === "et";
}

/** The customer's own choice, else the browser's first language we have, else English. */
export function chosenLocale(): Locale {
  const stored = localStorage.getItem(CHOSEN);
  if (isLocale(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const language = tag.slice(0, 2).toLowerCase();
    if (isLocale(language)) return language;
  }
  return "en";
}

export function choose(locale: Locale): void {
  localStorage.setItem(CHOSEN, locale);
}

export function word(locale: Locale, key: WordKey, values: Record<string, string> = {}): string {
  return WORDS[locale][key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}

function known(key: string | undefined): key is WordKey {
  return key !== undefined && key in WORDS.en;
}

export function translate(root: ParentNode, locale: Locale): void {
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    if (known(element.dataset.i18n)) element.textContent = word(locale, element.dataset.i18n);
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-label]")) {
    if (known(element.dataset.i18nLabel)) element.setAttribute("aria-label", word(locale, element.dataset.i18nLabel));
  }
  for (const element of root.querySelectorAll<HTMLInputElement>("[data-i18n-placeholder]")) {
    if (known(element.dataset.i18nPlaceholder)) element.placeholder = word(locale, element.dataset.i18nPlaceholder);
  }
  document.documentElement.lang = locale;
}
