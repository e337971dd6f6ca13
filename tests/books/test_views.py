"""Reader pages: the demo summary in full, drafts hidden, fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BookFactory, build_summary

pytestmark = pytest.mark.django_db

# Every section of ../shared/seed/hands-on-large-language-models.txt, as a reader sees it.
SEED_TEXT = [
    # opening hook and the reviewer's framing
    "LLMs stop feeling like magic when you can see how tokenization, attention, and model architecture show up in system behavior.",
    "The chapter connects internal model mechanics to applied use cases: classification, search, RAG, agent workflows, and task-specific fine-tuning.",
    "That makes it especially useful for interviews",
    # practical value: the heading and all four points
    "Practical value of this chapter",
    "LLM internals", "without turning the model into a black box or a magic trick.",
    "Bridge to applied use cases", "classification, topic analysis, generation, search, and multimodal workloads.",
    "Bridge to AI engineering", "from LLM mechanics to RAG, agent workflows, fine-tuning, and real product integration.",
    "Interview material", "which architectural choices grow around them.",
    # source and reviewer
    "Source", "Telegram: Book Cube", "A short review of the book by Alexander Polomodov.",
    # book facts and description
    "Hands-On Large Language Models", "Jay Alammar, Maarten Grootendorst",
    "O&#x27;Reilly Media, Inc.", "428 pages",
    "a visual practical guide to LLMs with ~300 illustrations covering tokenization, embeddings, transformers, RAG, and fine-tuning.",
    # about the authors, with their sites as visible links
    "About the authors",
    "known for explaining difficult ideas through clear visuals and practical examples:",
    "Engineering Fellow at Cohere", "NumPy and pandas documentation as well as deeplearning.ai courses.",
    '<a href="https://jalammar.github.io/" rel="noopener">jalammar.github.io</a>',
    "Data Scientist and creator of BERTopic and KeyBERT.", "topic modeling and text embeddings.",
    '<a href="https://newsletter.maartengrootendorst.com/" rel="noopener">newsletter.maartengrootendorst.com</a>',
    # philosophy, illustrations, code
    "Philosophy of the book", "intuition first",
    "~300 original illustrations", "explained through visual diagrams, graphs, and drawings.",
    "All code is available at", ">GitHub</a>",
    # featured related chapter
    "Related chapter", "AI Engineering", "(Chip Huyen)",
    "A broader view of operational practice: RAG, agents, fine-tuning, and evaluation.",
    # structure: intro, three parts, twelve chapters
    "Book structure",
    "The book has three parts and 12 chapters: it starts with how LLMs work, moves to practical applications, and finishes with training and fine-tuning.",
    "Understanding language models", "builds the foundation and explains, step by step, how language models work.",
    "Using Pretrained Models", "Practical ways to use pretrained LLMs and embedding models for applied tasks.",
    "Training and fine tuning", "How to train your own models and adapt existing LLMs for specific tasks.",
    "Introduction to Language Models", "from bag-of-words and early embeddings to transformers",
    "Tokenization and embeddings", "the path from word2vec to modern embeddings.",
    "Inside the transformer", "optimizations such as KV-cache.",
    "Text classification", "classification with minimal additional training",
    "Clustering and Topic Modeling", "BERTopic, one of the authors' libraries, for topic analysis",
    "Prompt engineering", "Chain of Thought, ReAct, Tree of Thought",
    "Advanced text generation", "LangChain, agents, memory, and tools",
    "Semantic Search and RAG", "RAG extends model knowledge with document retrieval and external context",
    "Multimodal models", "CLIP, BLIP-2, and vision-language approaches",
    "Creating embedding models", "custom embedding models for specific domains and collections",
    "Fine-tuning for classification", "Adapting representation models for classification tasks",
    "Fine-tuning generative models", "in a specific style, tone, or domain",
    # audience
    "Who is this book for?",
    "Engineers and analysts who want a clear entry point into LLMs and modern NLP",
    "Developers and data specialists bringing LLMs into working products, not just demos",
    "systems like ChatGPT, Mistral, and Claude and understand what happens under the hood",
    # related chapters with their notes
    "Related chapters",
    "Covers operational practices around LLMs: RAG, evaluation, reliability, and how the system evolves after launch.",
    "Prompt Engineering for LLMs", "Extends prompt-design and workflow ideas that Hands-On LLM introduces",
    "An Illustrated Guide to AI Agents", "agent architectures with memory, tools, planning, and coordination.",
    "Developing Apps with GPT-4 and ChatGPT", "building working applications and integrating them into products.",
    "AI Engineering Interviews", "interview scenarios, case studies, and architecture trade-offs.",
]  # fmt: skip


def test_every_section_of_the_seed_shows_on_the_demo_page(client, demo_book):
    response = client.get("/books/hands-on-large-language-models/")
    assert response.status_code == 200
    html = response.content.decode()
    missing = [text for text in SEED_TEXT if text not in html]
    assert not missing
    assert html.count('class="chapter"') == 12
    for anchor in ("chapter-1-1", "chapter-1-3", "chapter-2-5", "chapter-3-3"):
        assert f'id="{anchor}"' in html


def test_related_titles_not_in_the_library_are_not_links(client, demo_book):
    html = client.get(demo_book.get_absolute_url()).content.decode()
    assert "<cite>Prompt Engineering for LLMs</cite>" in html
    assert 'href="/books/prompt' not in html


def test_home_lists_published_summaries_newest_first(client):
    older = BookFactory(title="Older one", published_at=timezone.now() - timedelta(days=2))
    newer = BookFactory(title="Newer one", published_at=timezone.now() - timedelta(hours=1))
    BookFactory(title="Secret draft", draft=True)
    BookFactory(title="Not yet", scheduled=True)
    html = client.get("/").content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "Secret draft" not in html
    assert "Not yet" not in html


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_summaries_answer_404_to_readers(client, trait):
    book = BookFactory(**{trait: True})
    response = client.get(book.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_staff_see_drafts_with_a_banner_and_noindex(editor_client):
    book = BookFactory(draft=True, title="Work in progress")
    response = editor_client.get(book.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft — not public." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_public_pages_have_no_draft_banner(client):
    book = BookFactory()
    assert "Draft — not public" not in client.get(book.get_absolute_url()).content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1e30", "%00"])
def test_bad_page_numbers_give_a_clear_404(client, page):
    BookFactory()
    response = client.get(f"/?page={page}")
    assert response.status_code == 404


def test_related_links_to_drafts_are_hidden(client):
    book = build_summary()
    hidden = BookFactory(draft=True, title="Hidden draft title")
    book.related_links.create(target=hidden, note="secret", position=7)
    html = client.get(book.get_absolute_url()).content.decode()
    assert "Hidden draft title" not in html


@pytest.mark.parametrize("chapters_per_part", [1, 20])
def test_summary_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, chapters_per_part
):
    # 3 parts: 3 chapters in all versus 60; authors, tags and links vary too.
    book = build_summary(
        parts=3, chapters_per_part=chapters_per_part, authors=1 + chapters_per_part % 4
    )
    # The book, its tags, parts, chapters, related links, sections, audience, takeaways,
    # “more like this”, the summaries with a title typed in a link, its published
    # translations, the authors of all of these, and the page cache's version read (a miss).
    with django_assert_num_queries(13):
        response = client.get(reverse("books:detail", kwargs={"slug": book.slug}))
    assert response.status_code == 200


@pytest.mark.parametrize("books", [2, 12])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, books):
    for _ in range(books):
        build_summary(parts=1, chapters_per_part=1)
    # count, books, authors, tags, the tag cloud, the featured collection (none here), and
    # the page cache's version read (a miss)
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200


def test_server_error_page_is_styled_without_inline_css(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "css/site.css" in html
    assert "<style" not in html and "style=" not in html


def test_favicon_is_served_for_browsers_that_ask_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()
