import pytest
from pydantic import ValidationError

from grandstrategy.core.authz import Principal, Registry, allowed, registry
from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking


def test_every_role_names_known_actions_and_the_eight_roles_exist():
    reg = registry()
    for role in [
        "admin",
        "pen-holder",
        "drafter",
        "analyst",
        "resilience-officer",
        "contributor",
        "council-member",
        "reader",
    ]:
        assert role in reg.roles
    assert reg.role_actions("admin") == frozenset(reg.actions)
    assert "strategy.edit" not in reg.role_actions("reader")
    assert "strategy.edit" in reg.role_actions("drafter")


def test_registry_refuses_a_role_with_an_unknown_action():
    with pytest.raises(ValidationError, match="unknown action"):
        Registry.model_validate(
            {"actions": {"a.read": "x"}, "roles": {"r": {"description": "", "actions": ["a.b"]}}}
        )


def test_unknown_role_is_a_clear_error():
    with pytest.raises(Invalid, match="unknown role"):
        registry().check_role("emperor")


def test_gate_needs_action_and_marking():
    reader = Principal("r", "reader", clearance=0)
    assert allowed(reader, "strategy.read")
    assert not allowed(reader, "strategy.edit")
    assert not allowed(reader, "strategy.read", Marking.parse("RESTRICTED"))
    disabled = Principal("d", "admin", clearance=3, active=False)
    assert not allowed(disabled, "strategy.read")
