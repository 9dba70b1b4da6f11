"""What the services' specifications ask of what we send (pure: no git, no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runbook_cli.adapters.outbound import service_words
from runbook_cli.domain import vendor
from runbook_cli.domain.text import sentence


@settings(max_examples=200)
@given(st.text(min_size=0, max_size=400), st.integers(min_value=2, max_value=300))
def test_fit_cuts_visibly_and_never_exceeds(text: str, limit: int) -> None:
    cut = vendor.fit(text, limit)
    assert len(cut) <= limit
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1]))


@settings(max_examples=200)
@given(st.text(min_size=200, max_size=600), st.text(min_size=1, max_size=5))
def test_bounded_keys_are_short_stable_and_unique(prefix: str, tail: str) -> None:
    one, two = vendor.bounded_key(prefix + "a" + tail), vendor.bounded_key(prefix + "b" + tail)
    assert len(one) <= 255 and len(two) <= 255
    assert one == vendor.bounded_key(prefix + "a" + tail)
    assert one != two
    assert vendor.bounded_key("runbook/repo/2026-11-26-incident-7") == (
        "runbook/repo/2026-11-26-incident-7"
    )


def test_slack_escape_only_the_three_control_characters() -> None:
    assert vendor.slack_escape("<!channel> & <@U1> *bold*") == (
        "&lt;!channel&gt; &amp; &lt;@U1&gt; *bold*"
    )


@pytest.mark.parametrize(
    ("remote", "link"),
    [
        ("git@github.com:acme/ops.git", "https://github.com/acme/ops/blob/main/f.md"),
        ("https://x:tok@github.com/acme/ops.git", "https://github.com/acme/ops/blob/main/f.md"),
        (
            "ssh://git@gitlab.com:22/acme/sre/ops",
            "https://gitlab.com/acme/sre/ops/-/blob/main/f.md",
        ),
        ("git@bitbucket.org:acme/ops.git", "https://bitbucket.org/acme/ops/src/main/f.md"),
        ("/srv/git/ops.git", None),
        ("file:///srv/git/ops.git", None),
        ("../ops", None),
    ],
)
def test_file_links_on_the_repository_host(remote: str, link: str | None) -> None:
    assert vendor.file_link(remote, "main", "f.md") == link


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": ["a", "b."],
            },
            "Event object is invalid (a; b)",
        ),
        ({"errorMessages": [], "errors": {"summary": "Too long."}}, "summary: Too long"),
        (
            {
                "errors": [
                    {
                        "message": "Entity not found: Team",
                        "extensions": {"userPresentableMessage": "Could not find the team."},
                    }
                ]
            },
            "Could not find the team (Entity not found: Team)",
        ),
        ({"error": ["Name is too long"]}, "Name is too long"),
        ("invalid_token", "invalid_token"),
        ("", ""),
    ],
)
def test_the_services_own_words(body: object, words: str) -> None:
    import json

    assert service_words(json.dumps(body) if isinstance(body, dict) else body) == words


def test_sentences_never_double_their_punctuation() -> None:
    assert sentence("It failed.", "nothing was recorded.") == "It failed; nothing was recorded."
    assert sentence("ok..", "", "done;") == "ok; done."
