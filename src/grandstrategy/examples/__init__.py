"""Illustrative material written for grandstrategy (not official documents)."""
