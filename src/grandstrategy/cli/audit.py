"""The audit log: list, verify (chain, MACs, checkpoints), export checkpoints, rotate the key."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy.core import audit, auditkeys
else:
    audit = lazy.module("grandstrategy.core.audit")
    auditkeys = lazy.module("grandstrategy.core.auditkeys")


audit_app = typer.Typer(help="The hash-chained, signed audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    checkpoint: Path = typer.Option(
        None, "--checkpoint", help="A file from 'audit checkpoint': the log must still reach it."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Check the hash chain and the entries' MACs; exit 1 naming the first bad entry.

    Example: grandstrategy audit verify --checkpoint /mnt/offsite/audit-2026-12-01.json
    """
    st = state(ctx)
    try:
        cp = auditkeys.read_checkpoint(checkpoint) if checkpoint else None
    except Invalid as exc:  # a usage error: exit 2 naming the file and what is wrong
        raise typer.BadParameter(exc.message, param_hint="--checkpoint") from exc
    with st.session() as s:
        v = audit.verify(s, checkpoint=cp)
    if as_json:
        print_json(v)
    elif v.ok:
        parts = [_("{n} signed").format(n=v.signed)]
        if v.unsigned:
            parts.append(_("{n} from before the audit key").format(n=v.unsigned))
        if v.checkpoint is not None:
            parts.append(_("reaches checkpoint {n}").format(n=v.checkpoint))
        console.print(
            _("audit chain intact: {n} entries ({details})").format(
                n=v.entries, details="; ".join(parts)
            )
        )
    else:
        message = (
            _("audit log not intact at entry seq={seq}: {reason}")
            if v.first_bad_seq is not None
            else _("audit log not intact: {reason}")
        ).format(seq=v.first_bad_seq, reason=v.reason)
        console.print(f"[bold red]{escape(message)}[/]", highlight=False)
    if not v.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Where to write it; keep it off this machine."),
) -> None:
    """Export the signed head of the log (count, last hash, MAC) to a file.

    Later, 'audit verify --checkpoint FILE' catches entries deleted since (the tail cut off
    and the head rewound). Example: grandstrategy audit checkpoint --out audit-2026-12-05.json
    """
    st = state(ctx)
    if not out.parent.is_dir():
        raise typer.BadParameter(
            _("folder {folder} does not exist").format(folder=out.parent), param_hint="--out"
        )
    with st.session() as s:
        cp = audit.checkpoint(s, actor=st.principal(s))
    out.write_text(json.dumps(cp, indent=1) + "\n", encoding="utf-8")
    console.print(
        _("checkpoint of {n} entries written to {path}").format(n=cp["count"], path=out),
        highlight=False,
    )


@audit_app.command("rotate-key")
def audit_rotate_key(ctx: typer.Context) -> None:
    """Start a new audit key; the old keys stay in the key file to verify older entries.

    Example: grandstrategy audit rotate-key
    """
    st = state(ctx)
    with st.session() as s:
        key_id = audit.rotate_key(s, actor=st.principal(s))
    console.print(
        _("new audit key {key} in {path}").format(key=key_id, path=st.settings.audit_key_path),
        highlight=False,
    )


@audit_app.command("list")
def audit_list(
    ctx: typer.Context,
    actor: str = typer.Option(None, "--actor", help="Only this user's entries."),
    action: str = typer.Option(None, "--action", help="Prefix, e.g. 'strategy.' or 'auth.'"),
    since: datetime = typer.Option(None, "--since", help="e.g. 2026-11-01 or 2026-11-01T08:00"),
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="At most this many rows."),
    as_json: bool = JSON_OPT,
) -> None:
    """Show audit entries, newest first.

    Example: grandstrategy audit list --action strategy. --since 2026-11-01
    """
    st = state(ctx)
    with st.session() as s:
        rows = audit.list_events(
            s,
            user=st.principal(s),
            actor=actor,
            action=action,
            since=since.astimezone() if since else None,
            limit=limit,
        )
        data: list[dict[str, str | int]] = [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "marking": str(e.marking),
                "request_id": e.request_id,
            }
            for e in rows
        ]
    if as_json:
        print_json(data)
        return
    print_table(
        [
            (
                d["seq"],
                str(d["at"])[:19],
                d["actor"],
                d["action"],
                f"{d['object_type']} {d['object_id']}",
                d["marking"],
            )
            for d in data
        ],
        ["seq", "time (UTC)", "actor", "action", "object", "marking"],
    )
