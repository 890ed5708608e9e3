"""The illustrative Belgian strategy package shipped with the system."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.strategy.package import read_package
from grandstrategy.strategy.schemas import Package
from grandstrategy.strategy.service import ImportReport, import_package


def example_path() -> Path:
    return Path(str(resources.files("grandstrategy.examples").joinpath("belgium")))


def example_package() -> Package:
    return read_package(example_path())


def load_example(session: Session, *, user: Principal) -> ImportReport:
    return import_package(session, user=user, package=example_package())
