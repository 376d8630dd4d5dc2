"""The one bilingual-text helper: which of a text's Indonesian and English versions to show.

The catalog (permit types, requirements, form fields and their frozen snapshots) keeps every
text twice, `…_id` and `…_en`. `pick(id_text, en_text)` chooses by the active language (or the
one given, e.g. a permit type's PDF language); `pick_of(item, base)` does the same for the
`base_id`/`base_en` pair of a dict or an object. English is shown only when it is active and the
text has an English version; otherwise the Indonesian text (the portal's first language).
"""

from django.utils.translation import get_language


def active_language(language: str | None = None) -> str:
    """ "en" when `language` (a language code such as "en-us"; the active one unless given) is
    English, else "id"."""
    if language is None:
        language = get_language() or "id"
    return "en" if language.lower().startswith("en") else "id"


def pick(id_text: str, en_text: str, *, language: str | None = None) -> str:
    """`en_text` when the language (a language code; the active one unless given) is English
    and `en_text` is not empty, else `id_text` ("" for None)."""
    if active_language(language) == "en" and en_text:
        return en_text
    return id_text or ""


def pick_of(item, base: str, *, language: str | None = None) -> str:
    """`pick` over `item`'s `base_id` and `base_en` (keys of a dict, attributes of an object;
    a missing one counts as empty)."""
    if isinstance(item, dict):
        return pick(item.get(f"{base}_id"), item.get(f"{base}_en"), language=language)
    return pick(getattr(item, f"{base}_id", ""), getattr(item, f"{base}_en", ""), language=language)
