"""Parsing what a reader typed: words, phrases, OR, exclusions, and what is left out."""

from books.search.query import (
    EMPTY,
    MAX_QUERY_CHARS,
    ONLY_COMMON,
    ONLY_EXCLUDED,
    exact_key,
    parse,
)


def clauses(query):
    return [[(c.words, c.phrase) for c in group] for group in query.groups]


def test_words_all_required_each_its_own_group():
    query = parse("Tokenization  embeddings")
    assert clauses(query) == [[(("tokenization",), False)], [(("embeddings",), False)]]
    assert query.problem == ""


def test_quoted_phrase_and_unterminated_quote():
    assert clauses(parse('"topic modeling" bert')) == [
        [(("topic", "modeling"), True)],
        [(("bert",), False)],
    ]
    assert clauses(parse('"unterminated phrase')) == [[(("unterminated", "phrase"), True)]]


def test_or_joins_neighbours_and_dangling_or_is_ignored():
    query = parse("rag OR retrieval agents OR")
    assert clauses(query) == [
        [(("rag",), False), (("retrieval",), False)],
        [(("agents",), False)],
    ]
    assert parse("OR").problem == EMPTY


def test_exclusions():
    query = parse('llm -agents -"fine tuning"')
    assert [c.words for c in query.excluded] == [("agents",), ("fine", "tuning")]
    assert parse("-agents").problem == ONLY_EXCLUDED


def test_hyphenated_and_punctuated_terms_become_phrases_of_words():
    assert clauses(parse("KV-cache")) == [[(("kv", "cache"), False)]]
    assert clauses(parse("title:x")) == [[(("title", "x"), False)]]
    assert clauses(parse("C++")) == [[(("c",), False)]]


def test_stop_words_dropped_unless_inside_a_phrase():
    assert parse("the and of").problem == ONLY_COMMON
    assert parse("AND").problem == ONLY_COMMON
    assert clauses(parse("the transformer")) == [[(("transformer",), False)]]
    assert clauses(parse('"the transformer"')) == [[(("the", "transformer"), True)]]


def test_symbols_only_and_empty_are_told_apart_from_stop_words():
    for text in ["", "   ", "(", "^", "*", "\\", '"', "-", "😀", "\x00"]:
        assert parse(text).problem == EMPTY, repr(text)


def test_control_and_private_use_characters_never_reach_a_clause():
    query = parse("ab\x00cd \ue000mark\ue001 zero\u200bwidth")
    assert [c.words for c in query.clauses] == [("ab",), ("cd",), ("mark",), ("zero",), ("width",)]
    assert "\x00" not in query.raw and "\ue000" not in query.raw


def test_long_input_is_cut_and_said_so():
    query = parse("word " * 2000)
    assert query.shortened
    assert len(query.clauses) <= 12
    assert len(parse("x" * 5000).raw) >= MAX_QUERY_CHARS


def test_accents_and_case_are_folded():
    assert [c.words for c in parse("Gödel CAFÉ").clauses] == [("godel",), ("cafe",)]
    assert exact_key("  Hands-On  Large Language Models ") == "hands on large language models"
