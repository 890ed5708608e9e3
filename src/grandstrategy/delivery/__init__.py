"""Delivery: objectives tracked by their owners, reviews, the defence budget path."""
