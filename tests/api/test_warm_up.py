"""'serve' warms up at start: what the first searches would load is loaded before users come,
and a failure to warm up never stops the server."""

import logging

from grandstrategy import charts
from grandstrategy.horizon import embed, semantic
from grandstrategy.web.app import warm_up


def test_warm_up_loads_the_encoder_and_this_databases_vectors(app, monkeypatch):
    semantic.clear_cache()
    monkeypatch.setattr(embed, "available", lambda: True)
    loaded: list[str] = []
    monkeypatch.setattr(embed, "encoder", lambda threads=None: loaded.append("encoder"))
    monkeypatch.setattr(semantic, "query_vector", lambda text: loaded.append("query"))
    warm_up(app)
    assert loaded == ["encoder", "query"]
    assert len(semantic._stores) == 1  # the vectors of the app's database, held in memory


def test_without_the_encoder_nothing_is_encoded(app, monkeypatch):
    monkeypatch.setattr(embed, "available", lambda: False)
    monkeypatch.setattr(
        embed, "encoder", lambda threads=None: (_ for _ in ()).throw(AssertionError)
    )
    warm_up(app)


def test_a_failed_warm_up_is_logged_and_the_app_still_answers(app, client, monkeypatch, caplog):
    def broken() -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(charts, "warm_up", broken)
    with caplog.at_level(logging.ERROR, logger="grandstrategy.web"):
        warm_up(app)
    assert "warm-up failed" in caplog.text
    assert client.get("/healthz").status_code == 200
