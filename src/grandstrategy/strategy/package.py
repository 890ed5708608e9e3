"""The strategy package: a folder of YAML files, one per component, plus JSON Schemas.

Layout::

    strategy.yaml      the strategy itself (a mapping)
    actors.yaml        lists of records, in the order of the strategy's components
    interests.yaml
    threats.yaml
    roles.yaml
    objectives.yaml
    capabilities.yaml
    schema/            JSON Schema of each file, for editors (yaml-language-server)

Reading keeps the line of every node, so a bad package is reported as ``file:line: field:
problem``. Writing is deterministic (schema field order, defaults left out, ``id`` and
``marking`` always written), so import → export → import → export gives identical files.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, combine
from grandstrategy.strategy.schemas import COMPONENTS, Package, StrategyMeta
from grandstrategy.strategy.translations import SOURCE_LANGUAGE, TARGETS, TRANSLATABLE, inline

FILES = ["strategy", *COMPONENTS]
MAX_FILE_BYTES = 5 * 1024 * 1024


class _Located:
    """YAML data plus the line (1-based) of every path inside it."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                key = knode.value
                out[key] = self.build(vnode, (*path, key))
                self.lines[(*path, key)] = knode.start_mark.line + 1  # the key's line
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(n, (*path, i)) for i, n in enumerate(node.value)]
        # The safe constructor types the scalar by its resolved tag (int, date, bool, null):
        # as yaml.safe_load would, without a round trip through text for every scalar.
        return self._scalars.construct_object(node, deep=True)

    def line(self, path: tuple[Any, ...]) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
MAX_NODES = 50_000  # the example has a few thousand per file; a large strategy, some 10,000
MAX_DEPTH = 64


def _refuse(problem: str, mark: Any) -> None:
    raise yaml.MarkedYAMLError(None, None, problem, mark)


def _screen(text: str) -> None:
    """Refuse, before building anything, what would make building explode.

    Aliases (``*name``): a package never needs them, and nested aliases expand exponentially
    (a couple of kilobytes can stand for gigabytes: a "billion laughs" bomb). Too many nodes
    or too deep a nesting: each costs time and memory (and stack) to build, so a 5 MB file
    of tiny items must not keep a request busy for minutes.
    """
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=_LOADER)):
        if isinstance(event, yaml.AliasEvent):
            _refuse(
                _("aliases (*{name}) are not allowed in a strategy package").format(
                    name=event.anchor
                ),
                event.start_mark,
            )
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                _refuse(_("nested deeper than {n} levels").format(n=MAX_DEPTH), event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if count > MAX_NODES:
            _refuse(_("more than {n} items").format(n=MAX_NODES), event.start_mark)


def _read_yaml(name: str, raw: bytes) -> tuple[Any, _Located]:
    loc = _Located()
    if len(raw) > MAX_FILE_BYTES:
        raise Invalid(
            _("{name}: file too large (over {mb} MB)").format(
                name=name, mb=MAX_FILE_BYTES // 1024 // 1024
            )
        )
    try:
        text = raw.decode("utf-8")
        _screen(text)
        node = yaml.compose(text, Loader=_LOADER)
        if node is None:
            return None, loc
        return loc.build(node, ()), loc
    except UnicodeDecodeError:
        raise Invalid(_("{name}: not UTF-8 text").format(name=name)) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise Invalid(
            _("{name}:{line}: not valid YAML: {problem}").format(
                name=name, line=line, problem=exc.problem
            )
        ) from None


def read_package(folder: Path) -> Package:
    """Read and validate a package folder; every problem names file, line and field."""
    if not folder.is_dir():
        raise Invalid(
            _("{folder}: not a folder (a strategy package is a folder of YAML files)").format(
                folder=folder
            )
        )
    files: dict[str, bytes] = {}
    for name in FILES:
        path = folder / f"{name}.yaml"
        if path.exists():
            with path.open("rb") as fh:
                files[path.name] = fh.read(MAX_FILE_BYTES + 1)  # more is reported as too large
    return parse_package(str(folder), files)


def read_package_zip(data: bytes) -> Package:
    """Read a zipped package (as ``strategy export --format yaml`` writes it).

    The YAML files may sit at the top of the archive or in one folder; ``schema/`` and other
    files are ignored. Sizes are checked on what is actually read, not what the archive
    claims, so a zip bomb stops at the limit.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Invalid(_("not a zip archive of a strategy package")) from None
    files: dict[str, bytes] = {}
    with zf:
        for info in zf.infolist():
            parts = info.filename.strip("/").split("/")
            if info.is_dir() or len(parts) > 2 or parts[-1] not in {f"{n}.yaml" for n in FILES}:
                continue
            if parts[-1] in files:
                raise Invalid(_("{name}: twice in the archive").format(name=parts[-1]))
            with zf.open(info) as fh:
                files[parts[-1]] = fh.read(MAX_FILE_BYTES + 1)
    return parse_package("package.zip", files)


def parse_package(label: str, files: dict[str, bytes]) -> Package:
    """Validate a package given as file name → bytes; every problem names file, line, field."""
    problems: list[str] = []
    data: dict[str, Any] = {}
    for name in FILES:
        fname = f"{name}.yaml"
        if fname not in files:
            if name == "strategy":
                problems.append(_("strategy.yaml: missing (the strategy's title, country, period)"))
            continue
        try:
            value, loc = _read_yaml(fname, files[fname])
        except Invalid as exc:
            problems.append(exc.message)
            continue
        if name == "strategy":
            if not isinstance(value, dict):
                problems.append(f"strategy.yaml:{loc.line(())}: expected a mapping of fields")
                continue
            problems += _check(fname, loc, StrategyMeta, value, ())
            data["strategy"] = value
            continue
        value = value or []
        if not isinstance(value, list):
            problems.append(f"{fname}:{loc.line(())}: expected a list of records")
            continue
        schema = COMPONENTS[name]
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                problems.append(f"{fname}:{loc.line((i,))}: item {i + 1} is not a mapping")
                continue
            problems += _check(fname, loc, schema, item, (i,))
            rid = item.get("id")
            if isinstance(rid, str):
                if rid in seen:
                    problems.append(
                        f"{fname}:{loc.line((i, 'id'))}: id: duplicate {rid!r} "
                        f"(first at line {seen[rid]})"
                    )
                else:
                    seen[rid] = loc.line((i, "id"))
        data[name] = value
    if problems:
        raise Invalid(
            _("{label}: the package has {n} problem(s)").format(label=label, n=len(problems)),
            details=problems,
        )
    return Package.model_validate(data)


def _check(
    fname: str, loc: _Located, schema: type[BaseModel], value: dict[str, Any], base: tuple[Any, ...]
) -> list[str]:
    try:
        schema.model_validate(value)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            path = (*base, *err["loc"])
            field = ".".join(str(p) for p in err["loc"]) or "(record)"
            rid = value.get("id")
            where = f" (record {rid})" if isinstance(rid, str) else ""
            out.append(f"{fname}:{loc.line(path)}: {field}{where}: {err['msg']}")
        return out
    return []


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _compact(record: BaseModel) -> dict[str, Any]:
    full = record.model_dump(mode="json")
    lean = record.model_dump(mode="json", exclude_defaults=True)
    return {k: full[k] for k in full if k in lean or k in ("id", "marking")}


def to_yaml(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


def package_files(pkg: Package) -> dict[str, str]:
    """File name → text of each YAML file of the package."""
    out = {}
    for name in FILES:
        if name == "strategy":
            marking = Marking.parse(pkg.strategy.marking)
            body = to_yaml(inline(TRANSLATABLE[name], _compact(pkg.strategy)))
        else:
            records = getattr(pkg, name)
            marking = combine(Marking.parse(r.marking) for r in records)
            rows = [inline(TRANSLATABLE[name], _compact(r)) for r in records]
            body = to_yaml(rows) if records else "[]\n"
        header = (
            f"# yaml-language-server: $schema=schema/{name}.schema.json\n"
            f"# {marking}: the highest marking of what this file holds\n"
        )
        out[f"{name}.yaml"] = header + body
    return out


def json_schemas() -> dict[str, str]:
    """File name → JSON Schema text for each package file."""
    out = {}
    for name in FILES:
        if name == "strategy":
            schema = _inline_schema(name, StrategyMeta.model_json_schema())
        else:
            schema = {
                "type": "array",
                "title": f"{name}.yaml",
                "items": _inline_schema(name, COMPONENTS[name].model_json_schema()),
            }
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def _inline_schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The record's schema as the YAML file has it: prose as text or language → text.

    ``title: {en: ..., fr: ...}`` (``en``, the source, required) or a plain string; stale
    translations' hashes under ``translated_from``. ``translations`` (the API's form) is
    accepted too.
    """
    props = schema["properties"]
    for field in TRANSLATABLE[name]:
        plain = props[field]
        by_lang = {
            "type": "object",
            "description": _("the text in each language; en is the source"),
            "properties": {lang: {"type": "string"} for lang in (SOURCE_LANGUAGE, *TARGETS)},
            "required": [SOURCE_LANGUAGE],
            "additionalProperties": False,
        }
        props[field] = {"anyOf": [plain, by_lang], "title": plain.get("title", field)}
    props["translated_from"] = {
        "type": "object",
        "description": _(
            "language -> field -> hash of the source text a translation was made from, "
            "where the source has changed since; remove a line once its translation is updated"
        ),
        "propertyNames": {"enum": list(TARGETS)},
        "additionalProperties": {
            "type": "object",
            "propertyNames": {"enum": list(TRANSLATABLE[name])},
            "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
        },
    }
    return schema


def write_package(pkg: Package, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema").mkdir(exist_ok=True)
    written = []
    for fname, text in package_files(pkg).items():
        (folder / fname).write_text(text, "utf-8")
        written.append(folder / fname)
    for fname, text in json_schemas().items():
        (folder / "schema" / fname).write_text(text, "utf-8")
        written.append(folder / "schema" / fname)
    return written
