"""Drafting: one pen-holder, consultation rounds, a reasoned decision on every contribution,
Council approval and publication, built on the strategy's versions and editions."""
