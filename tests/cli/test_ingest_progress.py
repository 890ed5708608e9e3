"""The ingest progress bar knows its total where the batch's length is known."""

from grandstrategy.cli.horizon import _expected


def test_total_of_jsonl_folders_and_feeds(tmp_path):
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text("".join(f'{{"title": "t{i}", "text": "x"}}\n' for i in range(7)))
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.html", ".hidden"):
        (folder / name).write_text("text")
    assert _expected([str(jsonl)], "auto") == 7
    assert _expected([str(jsonl), str(folder)], "auto") == 9
    assert _expected(["https://example.org/feed.xml"], "auto") is None
    assert _expected([str(tmp_path / "missing")], "auto") is None
