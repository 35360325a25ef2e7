"""Choosing the right movie for an uncertain match, in the page: the candidates side by side and
one click that writes the chosen one. The candidates and the choice are the API's
(GET /api/queue/{id}/candidates, POST /api/queue/{id}/choose, docs/providers.md 4.4); here they
are served by the test so the dialog is checked on its own, in light and dark."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Axe, Dash, describe_violations, open_dashboard, simple

pytestmark = pytest.mark.browser

CANDIDATES = [
    {"id": "r18dev:118abc00030", "source": "r18dev", "content_id": "118abc00030",
     "title": "The first movie", "release_date": "2019-05-01", "maker": "Prestige",
     "actresses": ["Airi Suzumura"], "cover_url": "https://pics.example/abc030pl.jpg",
     "found_by": "known_prefix", "agreed_by": [], "record": {}},
    {"id": "metatube:FANZA:h_237abc00030", "source": "metatube", "content_id": "h_237abc00030",
     "title": "Another movie with the same code", "release_date": "2021-11-12",
     "maker": "Another maker", "actresses": ["Someone Else", "A Second One"],
     "cover_url": None, "found_by": "guessed", "agreed_by": ["r18dev"], "record": {}},
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_choose_the_right_movie(dash: Dash, page, axe: Axe, scheme: str) -> None:
    (item_id,) = dash.seed.many([simple(30, "error", stage="metadata", cause="ambiguous_match",
                                        error="ABC-030: not sure which movie this is")])
    chosen: list[Any] = []

    def candidates(route: Any) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(
            {"id": item_id, "movie_code": "ABC-030", "cause": "ambiguous_match",
             "candidates": CANDIDATES}))

    def choose(route: Any) -> None:
        chosen.append(route.request.post_data_json)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(
            {"id": item_id}))

    page.route(f"**/api/queue/{item_id}/candidates", candidates)
    page.route(f"**/api/queue/{item_id}/choose", choose)
    page.emulate_media(color_scheme=scheme)
    open_dashboard(page, dash)
    group = page.locator("#inbox-body [data-cause='ambiguous_match']")
    expect(group).to_contain_text("1 uncertain match")
    group.get_by_role("button", name=f"Choose the right movie… item {item_id}").click()
    cards = page.locator("#choose-list .candidate")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("The first movie")
    expect(cards.nth(0)).to_contain_text("at the label's DMM content id")
    expect(cards.nth(1)).to_contain_text("Someone Else, A Second One")
    expect(cards.nth(1)).to_contain_text("r18dev agrees")
    found = axe.violations(page)
    assert found == [], describe_violations(found)
    cards.nth(1).get_by_role("button", name="Choose this one: candidate 2").click()
    expect(page.locator("#choose-modal")).to_be_hidden()
    expect(page.locator(".toast")).to_contain_text("“Another movie with the same code” is written")
    assert chosen == [{"candidate": "metatube:FANZA:h_237abc00030"}]


def test_none_of_the_candidates_leads_to_set_code(dash: Dash, page) -> None:
    (item_id,) = dash.seed.many([simple(31, "error", stage="metadata", cause="ambiguous_match")])
    page.route(f"**/api/queue/{item_id}/candidates", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"id": item_id, "movie_code": "ABP-031", "cause": "ambiguous_match",
                         "candidates": CANDIDATES[:1]})))
    open_dashboard(page, dash)
    page.locator("#inbox-body").get_by_role(
        "button", name=f"Choose the right movie… item {item_id}").click()
    expect(page.locator("#choose-list .candidate")).to_have_count(1)
    page.click("#choose-code")
    expect(page.locator("#code-modal")).to_be_visible()
    expect(page.locator("#code-input")).to_have_value("ABP-031")
