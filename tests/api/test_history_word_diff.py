"""The strategy's history shows the words that changed, not whole fields or Python lists."""

from __future__ import annotations

import re

from grandstrategy.strategy import service
from tests.api.test_pages import login
from tests.helpers import make_user


def _edit(session, operator) -> tuple[int, int]:
    strat = service.current(session, operator)
    before = service.version_of(session, user=operator, strategy=strat)
    changes = {"title": "Credible and visible deterrence", "threats": ["invasion", "nato-tripwire"]}
    service.update_record(
        session, user=operator, component="objectives", rid="deter", changes=changes
    )
    strat = service.current(session, operator)
    return before, service.version_of(session, user=operator, strategy=strat)


def test_the_history_page_shows_the_words_that_changed(client, session, loaded, operator):
    v1, v2 = _edit(session, operator)
    make_user(session, "rita", "reader")
    session.commit()
    login(client, "rita")
    html = client.get("/strategy/history", params={"v1": v1, "v2": v2}).text
    diff = html.split('class="diff changed"', 1)[1].split("</div>", 1)[0]
    title = re.search(r'<tr data-field="title">(.*?)</tr>', diff, re.S)
    assert title is not None
    assert "<ins>and visible </ins>" in title.group(1)
    assert "Credible and visible deterrence</td>" not in title.group(1)  # not the whole field
    threats = re.search(r'<tr data-field="threats">(.*?)</tr>', diff, re.S)
    assert threats is not None and "pandemic</del>" in threats.group(1)
    assert "[&#39;" not in diff and "['" not in diff  # no Python list
    rows = html.split('data-testid="history"', 1)[1]
    assert "<ins>and visible </ins>" in rows and "[&#39;invasion" not in rows
