"""Resilience: the seven NATO baseline requirements, their interdependencies and the cascades
that the inoperability input-output model computes from them."""
