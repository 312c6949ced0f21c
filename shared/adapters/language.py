"""Language detection with Lingua: offline, no network, accurate on the short texts customers write."""

from __future__ import annotations

from collections.abc import Sequence

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder


class LinguaLanguageDetector:
    """Implements the LanguageDetector port for the languages we serve; None when Lingua cannot tell."""

    def __init__(self, languages: Sequence[str] = ("en", "et", "ru", "fi", "lv", "lt", "de")) -> None:
        # Fail on a typo in settings now, not on the first customer message.
        self._codes = [_iso_code(code) for code in languages]
        if not self._codes:
            raise ValueError("language detection needs at least one language")
        self._detector: LanguageDetector | None = None

    def detect(self, text: str) -> str | None:
        if not text.strip():
            return None
        if self._detector is None:
            # Only these languages: fewer models to load (seconds on a cold start) and fewer
            # look-alikes to confuse Estonian with. Models load on the first detection.
            self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*self._codes).build()
        language = self._detector.detect_language_of(text)
        return None if language is None else language.iso_code_639_1.name.lower()


def _iso_code(code: str) -> IsoCode639_1:
    try:
        return IsoCode639_1.from_str(code.strip().lower())
    except ValueError:
        raise ValueError(f"{code!r} is not an ISO 639-1 language code Lingua knows") from None
