"""A message written inside an f-string (f"## {_('Contributions')}") is never extracted into
the catalogs, so it stays English in every language: none may exist."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "grandstrategy"
CALL = re.compile(r"\{[^}]*\b(_|gettext|ngettext|pgettext)\(\s*['\"]")


def hidden_messages() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.STRING:
                continue
            prefix = re.match(r"[A-Za-z]*", tok.string).group().lower()  # type: ignore[union-attr]
            if "f" in prefix and CALL.search(tok.string):
                out.append(f"{path.relative_to(SRC)}:{tok.start[0]}")
    return out


def test_no_message_is_hidden_inside_an_f_string():
    assert hidden_messages() == []
