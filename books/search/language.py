"""How words are compared: folded (case, accents, ё and е) and stemmed in a summary's language.

The same functions analyse a summary when it is indexed and a query when it is run, so
both sides always agree. On SQLite the index holds these stems (FTS5's porter tokenizer
knows only English); on PostgreSQL the language's text-search configuration stems, and
these functions fold the text before it and mark the snippets after it.
"""

import re
import threading
import unicodedata

import Stemmer
from django.conf import settings

# A word is a run of letters and digits; everything else separates words, as in
# FTS5's unicode61 tokenizer.
WORD_RE = re.compile(r"[^\W_]+")

# Snowball stemmers (PyStemmer) by language code; a language without one is not stemmed.
STEMMERS = {"en": "english", "ru": "russian"}
# PostgreSQL's text-search configuration for each language (migration 0011_search_languages);
# any other language is analysed with ``library_simple`` (folded, not stemmed).
PG_CONFIGS = {"en": "library_english", "ru": "library_russian"}
PG_SIMPLE = "library_simple"

# PostgreSQL's stop-word lists (tsearch_data/english.stop, russian.stop): dropping the
# same words on both engines makes "a query of only common words" mean the same thing.
ENGLISH_STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
    """.split()  # noqa: SIM905 - a word list reads better as text
)
RUSSIAN_STOP_WORDS = frozenset(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни
    быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где
    есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж
    тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее
    сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше
    тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой
    перед иногда лучше чуть том нельзя такой им более всегда конечно всю между
    """.split()  # noqa: SIM905
)
STOP_WORDS = ENGLISH_STOP_WORDS | RUSSIAN_STOP_WORDS

_BREVE = "\u0306"
_local = threading.local()  # a PyStemmer object is not to be shared between threads
_stems = {}  # (language, word) -> stem, shared: a dict lookup is atomic
_STEM_CACHE_SIZE = 200_000


def fold(word):
    """Lower-case, accents stripped (й kept, ё read as е), as both engines index words."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            if char == _BREVE and kept and kept[-1] == "и":
                kept[-1] = "й"
            continue
        kept.append(char)
    return "".join(kept)


def words_of(text):
    """The folded words of ``text``, in order."""
    return [fold(word) for word in WORD_RE.findall(text)]


def _stemmer(name):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if name not in stemmers:
        stemmers[name] = Stemmer.Stemmer(name)
    return stemmers[name]


def _is_cyrillic(word):
    return not word.isascii() and any(
        "\u0430" <= char <= "\u044f" or char == "\u0451" for char in word
    )


def stem(word, language):
    """The stem of a folded ``word`` as ``language`` analyses it (its PostgreSQL twin's rules).

    English stems every word. Russian stems Cyrillic words with the Russian stemmer and
    Latin ones with the English stemmer, as PostgreSQL's ``russian`` configuration does.
    Words holding digits, and words of languages without a stemmer, stay as they are.
    """
    key = (language, word)
    found = _stems.get(key)
    if found is not None:
        return found
    name = STEMMERS.get(language)
    if name is None or not word.isalpha():
        result = word
    elif name == "russian" and not _is_cyrillic(word):
        result = _stemmer("english").stemWord(word) if word.isascii() else word
    else:
        result = _stemmer(name).stemWord(word)
    if len(_stems) > _STEM_CACHE_SIZE:
        _stems.clear()
    _stems[key] = result
    return result


_surface = {}  # (language, word as written) -> stem, for marking snippets


def surface_stem(word, language):
    """The stem of ``word`` as written in a text (folded first), cached as written."""
    key = (language, word)
    found = _surface.get(key)
    if found is None:
        found = stem(fold(word), language)
        if len(_surface) > _STEM_CACHE_SIZE:
            _surface.clear()
        _surface[key] = found
    return found


def stems(text, language):
    """The stems of every word of ``text``, in order: what the SQLite index holds."""
    return [stem(word, language) for word in words_of(text)]


def stemmed_text(text, language):
    return " ".join(stems(text, language))


def supported_languages():
    """The site's language codes (``settings.LANGUAGES``)."""
    return [code for code, _ in settings.LANGUAGES]


def pg_config(language):
    return PG_CONFIGS.get(language, PG_SIMPLE)


def analysed_keys(term):
    """The forms under which a synonym term is looked up: folded words, and their stems."""
    words = words_of(term)
    keys = {" ".join(words)}
    for language in supported_languages():
        keys.add(" ".join(stem(word, language) for word in words))
    return {key for key in keys if key}
